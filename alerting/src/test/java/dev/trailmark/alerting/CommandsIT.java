package dev.trailmark.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.alerting.cli.AlertsCli;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ./trailmark alerts test|silence|list|run --once} as a user runs them, against the real
 * OpenSearch.
 */
@ExtendWith(OpenSearchExtension.class)
class CommandsIT {
  private static OpenSearchInstance os;

  @BeforeAll
  static void init(OpenSearchInstance instance) {
    os = instance;
  }

  private static String[] args(Fixture f, String... command) {
    String[] common = {
      "--opensearch",
      os.baseUri().toString(),
      "--index-prefix",
      os.indexPrefix(),
      "--rules",
      f.rules.toString(),
      "--no-builtin",
      "--webhook",
      f.webhook()
    };
    String[] all = new String[command.length + common.length];
    System.arraycopy(command, 0, all, 0, command.length);
    System.arraycopy(common, 0, all, command.length, common.length);
    return all;
  }

  private static String run(int expectedRc, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc =
        AlertsCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertThat(rc).as(text).isEqualTo(expectedRc);
    return text;
  }

  @Test
  void testPrintsWhatWouldHaveFiredAndSendsNothing() throws Exception {
    try (Fixture f = new Fixture(os, "cmdtest")) {
      f.rule("burst", "type: frequency\nnum_events: 3\ntimeframe: {minutes: 5}\nquery_key: svc\n");
      f.docs("a", 4, 60, 60, Map.of());
      f.docs("b", 2, 60, 60, Map.of());
      String out =
          run(
              0,
              args(
                  f,
                  "test",
                  "burst",
                  "--from",
                  "2026-11-02T09:50:00Z",
                  "--to",
                  "2026-11-02T10:20:00Z"));
      assertThat(out)
          .contains(
              "burst over 2026-11-02T09:50:00Z .. 2026-11-02T10:20:00Z: 2 notices would have been sent")
          .contains("[FIRING medium] burst: a")
          .contains("4 events in 5m")
          .contains("[RESOLVED medium] burst: a")
          .doesNotContain("burst: b");
      assertThat(f.calls.get()).isZero();
      assertThat(os.count(os.indexPrefix() + "alerts-*")).isZero();
      assertThat(run(2, args(f, "test", "nope", "--from", "-1h"))).contains("no rule named 'nope'");
      assertThat(run(2, args(f, "test", "burst"))).contains("test needs --from");
    }
  }

  @Test
  void silenceListAndRunOnce() throws Exception {
    try (Fixture f = new Fixture(os, "cmdrun")) {
      f.rule(
          "errs", "type: any\nquery_key: svc\nbuffer_time: {minutes: 2}\nrealert: {minutes: 0}\n");
      assertThat(run(0, args(f, "silence", "errs", "--key", "a", "--for", "10000d")))
          .contains("silenced errs key a until");
      assertThat(run(2, args(f, "silence", "errs", "--for", "soon"))).contains("is not a duration");
      // "run --once" reads the real clock: documents just before the newest whole minute.
      String t =
          java.time.Instant.now()
              .truncatedTo(java.time.temporal.ChronoUnit.MINUTES)
              .minusSeconds(10)
              .toString();
      f.docs(
          java.util.List.of(
              Fixture.map("@timestamp", t, "svc", "a"), Fixture.map("@timestamp", t, "svc", "b")));
      String ran = run(0, args(f, "run", "--once"));
      assertThat(ran).contains("errs: 2 matches, 2 notices");
      assertThat(f.keysAndStates()).containsExactly("b/firing");
      String list = run(0, args(f, "list"));
      assertThat(list).contains("errs").contains("any").contains("yes");
    }
  }
}
