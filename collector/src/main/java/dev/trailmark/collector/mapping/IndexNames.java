package dev.trailmark.collector.mapping;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Time-based index names of the contracts in DESIGN.md, shared by every sink and handler. */
public final class IndexNames {

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy.MM.dd", Locale.ROOT).withZone(ZoneOffset.UTC);

  private IndexNames() {}

  /** {@code /trailmark/demo} becomes {@code trailmark-demo}: lower case, runs outside [a-z0-9] become '-', trimmed. */
  public static String dataset(String logGroupName) {
    String lower = logGroupName.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    boolean dash = false;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && out.length() > 0) {
          out.append('-');
        }
        dash = false;
        out.append(c);
      } else {
        dash = true;
      }
    }
    return out.length() == 0 ? "default" : out.toString();
  }

  /** {@code <prefix>logs-<dataset>-<yyyy.MM.dd>} for an event of the given log group at the given epoch millis. */
  public static String logs(String prefix, String logGroupName, long epochMillis) {
    return prefix + "logs-" + dataset(logGroupName) + "-" + day(epochMillis);
  }

  /** The UTC day of an instant as {@code yyyy.MM.dd}. */
  public static String day(long epochMillis) {
    return DAY.format(Instant.ofEpochMilli(epochMillis));
  }
}
