package dev.trailmark.shipper.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.trailmark.shipper.internal.json.JsonWriter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FormattedMessagesTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("test");

  /**
   * What the encoder writes for the message, and what it would write from Logback's formatted
   * String.
   */
  private String[] both(String pattern, Object... args) {
    JsonWriter direct = new JsonWriter(64);
    FormattedMessages.write(
        direct, new LoggingEvent("fqcn", logger, Level.INFO, pattern, null, args));
    JsonWriter viaString = new JsonWriter(64);
    viaString.value(
        new LoggingEvent("fqcn", logger, Level.INFO, pattern, null, args).getFormattedMessage());
    return new String[] {direct.toString(), viaString.toString()};
  }

  private void same(String pattern, Object... args) {
    String[] r = both(pattern, args);
    assertThat(r[0]).as("pattern %s", pattern).isEqualTo(r[1]);
  }

  @Test
  void writesWhatLogbackFormatsForTheUsualCases() {
    String[] r = both("order {} placed by customer {} for {} items", 12345, "c-42", 3);
    assertThat(r[0])
        .isEqualTo("\"order 12345 placed by customer c-42 for 3 items\"")
        .isEqualTo(r[1]);
    same("no anchors", 1, 2);
    same("more anchors {} {} {} than arguments", "a");
    same("{}{}{}", -7L, Long.MIN_VALUE, (short) 3);
    same("null {} and {} booleans {}", null, true, false);
    same("escaped \\{} is literal, double escaped \\\\{} takes {}", "x", "y");
    same("quote \" backslash \\ newline \n tab \t control \u0001 {}", "arg \"with\" \\ and \n");
    same("unicode é 漢字 😀 {}", "ünïcödé 😀");
    same("{} at the end {", (byte) 1);
    same("{", 1);
    same("}{}{", 1, 2);
  }

  @Test
  void otherArgumentsTakeLogbacksPathSoTheTextNeverDiffers() {
    same("array {} double {} object {}", new int[] {1, 2}, 1.5, new StringBuilder("sb"));
    same(
        "a throwable as the last argument is not substituted: {}",
        "x",
        new IllegalStateException("boom"));
    same("a pair split by an argument: \uD83D{}", "\uDE00");
    same("null pattern args", (Object[]) null);
    same(null, 1);
  }

  @Test
  void randomPatternsAndArgumentsMatchLogback() {
    Random r = new Random(42);
    String[] pieces = {
      "{}", "{", "}", "\\", "\\\\", "a", " ", "é", "\"", "\n", "😀", "\uD83D", "\uDE00", "x{}y"
    };
    Object[] values = {
      null,
      "",
      "s",
      "\\",
      "{}",
      "\"q\"",
      "😀",
      "\uDE00x",
      0,
      -1,
      Integer.MAX_VALUE,
      42L,
      true,
      (short) -3,
      (byte) 7,
      2.5,
      new long[] {1},
      'c'
    };
    for (int n = 0; n < 20_000; n++) {
      StringBuilder p = new StringBuilder();
      for (int k = r.nextInt(8); k > 0; k--) {
        p.append(pieces[r.nextInt(pieces.length)]);
      }
      Object[] args = new Object[r.nextInt(4)];
      for (int k = 0; k < args.length; k++) {
        args[k] = values[r.nextInt(values.length)];
      }
      same(p.toString(), args);
    }
  }
}
