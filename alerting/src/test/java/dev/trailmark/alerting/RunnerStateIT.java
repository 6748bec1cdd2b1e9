package dev.trailmark.alerting;

import static dev.trailmark.alerting.Fixture.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runner across cycles and restarts (every cycle is a new runner reading its state back from
 * the status index): nothing missed, nothing sent twice, late documents inside buffer_time, realert
 * and its exponential form, silences, aggregation and resolved notices.
 */
@ExtendWith(OpenSearchExtension.class)
class RunnerStateIT {
  private static OpenSearchInstance os;

  @BeforeAll
  static void init(OpenSearchInstance instance) {
    os = instance;
  }

  /**
   * One of the indices a rule reads answers with a shard failure (here its mapping makes the rule's
   * terms aggregation fail there; a shard still starting or lost does the same): the rule fails
   * that cycle instead of judging the window on part of its documents, and the next cycle judges
   * the same window again, once the index answers.
   */
  @Test
  void aSearchAnsweredByOnlySomeShardsFailsTheCycleAndTheWindowIsJudgedAgain() throws Exception {
    try (Fixture f = new Fixture(os, "partial-a")) {
      Files.writeString(
          f.rules.resolve("partial.yaml"),
          "name: partial\nindex: partial-*\ntype: frequency\nnum_events: 3\n"
              + "timeframe: {minutes: 5}\nbuffer_time: {minutes: 0}\nquery_key: svc\n");
      f.docs("a", 2, 10, 20, Map.of());
      f.cycleAt(241);
      String broken = os.indexPrefix() + "partial-b";
      os.put(
          "/" + broken,
          "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
              + "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"},"
              + "\"svc\":{\"type\":\"text\"}}}}");
      String third = "{\"@timestamp\":\"" + Fixture.T0.plusSeconds(30) + "\",\"svc\":\"a\"}";
      os.post("/" + broken + "/_doc?refresh=true", third);

      f.clock.set(Fixture.T0.plusSeconds(301));
      try (AlertRunner runner = f.runner()) {
        AlertRunner.RuleRun run = runner.runOnce().rules().get(0);
        assertThat(run.error())
            .contains("1 of 2 shards answered")
            .contains(broken)
            .contains("illegal_argument_exception");
      }
      assertThat(f.received).as("no verdict on two of the window's three events").isEmpty();

      // The index is mended (here: its event moves where the rule can aggregate it).
      os.delete("/" + broken);
      f.docs("a", 1, 30, 1, Map.of());
      f.cycleAt(361);
      // The failed window fires; the cycle's own window (T0+1m to T0+6m) holds none and resolves.
      assertThat(f.keysAndStates()).containsExactly("a/firing", "a/resolved");
      assertThat(f.received.get(0).path("window").path("end").asText())
          .as("the window of the failed cycle")
          .isEqualTo(Fixture.T0.plusSeconds(300).toString());
    }
  }

  @Test
  void restartMidWindowMissesNothingAndSendsNothingTwice() throws Exception {
    try (Fixture f = new Fixture(os, "restart")) {
      f.rule(
          "restart",
          "type: frequency\nnum_events: 3\ntimeframe: {minutes: 5}\nbuffer_time: {minutes: 2}\n"
              + "realert: {hours: 1}\nquery_key: svc\n");
      f.docs("a", 2, 10, 20, Map.of());
      f.cycleAt(61);
      assertThat(f.received).isEmpty();
      f.docs("a", 1, 90, 1, Map.of()); // the third event arrives while the runner is restarted
      f.cycleAt(121);
      assertThat(f.keysAndStates()).containsExactly("a/firing");
      f.cycleAt(181);
      f.cycleAt(181); // the same cycle twice (a restart before the clock moved): nothing new
      assertThat(f.keysAndStates()).containsExactly("a/firing");

      // Down from T0+3m to T0+30m: b bursts at T0+10m and calms down, a's window empties. Both are
      // caught up.
      f.docs("b", 3, 600, 40, Map.of());
      f.cycleAt(1801);
      assertThat(f.keysAndStates())
          .containsExactly("a/firing", "a/resolved", "b/firing", "b/resolved");
      f.cycleAt(1861);
      assertThat(f.received).hasSize(4);
      List<JsonNode> docs = f.alertDocs("restart");
      assertThat(docs).hasSize(4);
      JsonNode bFiring =
          docs.stream()
              .filter(
                  d ->
                      d.path("key").asText().equals("b")
                          && d.path("state").asText().equals("firing"))
              .findFirst()
              .orElseThrow();
      assertThat(bFiring.path("window").path("end").asText()).isEqualTo("2026-11-02T10:11:00Z");
    }
  }

  @Test
  void lateDocumentInsideBufferTimeIsCaught() throws Exception {
    try (Fixture f = new Fixture(os, "late")) {
      f.rule(
          "late",
          "type: frequency\nnum_events: 3\ntimeframe: {minutes: 5}\nbuffer_time: {minutes: 3}\n"
              + "query_key: svc\n");
      f.docs("c", 2, 30, 30, Map.of());
      f.cycleAt(361);
      assertThat(f.received).isEmpty();
      // Timestamped T0+4m30s, stored only after the cycle that covered it: the next cycle re-reads
      // the buffer.
      f.docs("c", 1, 270, 1, Map.of());
      f.cycleAt(421);
      assertThat(f.keysAndStates()).containsExactly("c/firing", "c/resolved");
      assertThat(f.received.get(0).path("window").path("end").asText())
          .isEqualTo("2026-11-02T10:05:00Z");
      assertThat(f.received.get(0).path("alert_id").asText())
          .isEqualTo(f.received.get(1).path("alert_id").asText());
    }
  }

  @Test
  void realertHoldsBackRepeatsPerKey() throws Exception {
    try (Fixture f = new Fixture(os, "realert")) {
      f.rule(
          "realert",
          "type: any\nrealert: {minutes: 10}\nbuffer_time: {minutes: 0}\nquery_key: svc\n");
      f.docs("a", 1, 10, 1, Map.of());
      f.docs("b", 1, 20, 1, Map.of());
      f.cycleAt(61);
      f.docs("a", 1, 70, 1, Map.of());
      f.docs("b", 1, 80, 1, Map.of());
      f.cycleAt(121);
      f.docs("a", 1, 650, 1, Map.of());
      f.cycleAt(661);
      assertThat(f.keysAndStates()).containsExactly("a/firing", "b/firing", "a/firing");
    }
  }

  @Test
  void exponentialRealertDoublesTheWaitWhileMatchesKeepComing() throws Exception {
    try (Fixture f = new Fixture(os, "expo")) {
      String common =
          "type: any\nrealert: {minutes: 1}\nbuffer_time: {minutes: 0}\nquery_key: svc\n";
      f.rule("expo", common + "exponential_realert: {hours: 1}\nfilter:\n  - term: {svc: a}\n");
      f.rule("plain", common + "filter:\n  - term: {svc: b}\n");
      for (int m = 0; m < 10; m++) {
        f.docs(
            List.of(
                map(
                    "@timestamp",
                    Fixture.T0.plusSeconds(m * 60L + 10).toString(),
                    "svc",
                    "a",
                    "body",
                    "m=" + m),
                map(
                    "@timestamp",
                    Fixture.T0.plusSeconds(m * 60L + 10).toString(),
                    "svc",
                    "b",
                    "body",
                    "m=" + m)));
        f.cycleAt((m + 1) * 60L + 1);
      }
      List<String> expo = new ArrayList<>();
      int plain = 0;
      for (JsonNode n : f.received) {
        if (n.path("rule").path("name").asText().equals("expo")) {
          expo.add(n.path("message").asText());
        } else {
          plain++;
        }
      }
      assertThat(expo).containsExactly("m=0", "m=1", "m=3", "m=7");
      assertThat(plain).isEqualTo(10);
    }
  }

  @Test
  void silenceRecordsTheNoticeAsSkippedAndSendsNothing() throws Exception {
    try (Fixture f = new Fixture(os, "silence")) {
      f.rule(
          "muted", "type: any\nrealert: {minutes: 0}\nbuffer_time: {minutes: 0}\nquery_key: svc\n");
      try (AlertRunner r = f.runner()) {
        r.silence("muted", "a", Duration.ofHours(1));
      }
      f.docs("a", 1, 10, 1, Map.of());
      f.docs("b", 1, 20, 1, Map.of());
      f.cycleAt(61);
      assertThat(f.keysAndStates()).containsExactly("b/firing");
      JsonNode a =
          f.alertDocs("muted").stream()
              .filter(d -> d.path("key").asText().equals("a"))
              .findFirst()
              .orElseThrow();
      assertThat(a.path("delivery").path(0).path("status").asText()).isEqualTo("skipped");
      assertThat(a.path("delivery").path(0).path("error").asText())
          .startsWith("silenced until 2026-11-02T11:00:00");

      try (AlertRunner r = f.runner()) { // the whole rule, then lifted early
        r.silence("muted", null, Duration.ofHours(2));
      }
      f.docs("b", 1, 70, 1, Map.of());
      f.cycleAt(121);
      assertThat(f.keysAndStates()).containsExactly("b/firing");
      try (AlertRunner r = f.runner()) {
        r.unsilence("muted", null);
      }
      f.docs("b", 1, 130, 1, Map.of());
      f.cycleAt(181);
      assertThat(f.keysAndStates()).containsExactly("b/firing", "b/firing");
      f.docs("a", 1, 3650, 1, Map.of()); // the key's silence is over
      f.cycleAt(3661);
      assertThat(f.keysAndStates()).containsExactly("b/firing", "b/firing", "a/firing");
    }
  }

  @Test
  void aggregationSendsOneNoticeWithASummaryTable() throws Exception {
    try (Fixture f = new Fixture(os, "agg")) {
      f.rule(
          "agg",
          "type: any\nrealert: {minutes: 0}\nbuffer_time: {minutes: 0}\nquery_key: svc\n"
              + "aggregation: {minutes: 5}\nsummary_table_fields: [svc, user]\n");
      f.docs("a", 1, 10, 1, Map.of("user", "u1"));
      f.cycleAt(61);
      f.docs("b", 1, 70, 1, Map.of("user", "u2"));
      f.cycleAt(121);
      f.docs("a", 1, 130, 1, Map.of("user", "u3"));
      f.cycleAt(181);
      f.cycleAt(301);
      assertThat(f.received).isEmpty();
      f.cycleAt(361);
      assertThat(f.received).hasSize(1);
      JsonNode n = f.received.get(0);
      assertThat(n.path("match_count").asLong()).isEqualTo(3);
      assertThat(n.path("key").asText()).isEqualTo("_all");
      String table = n.path("message").asText();
      assertThat(table)
          .contains("svc")
          .contains("user")
          .contains("u1")
          .contains("u2")
          .contains("u3");
      assertThat(table.lines().filter(l -> l.contains(" a ") || l.contains(" b ")).count())
          .isEqualTo(3);
      assertThat(n.path("rows")).hasSize(3);
      f.cycleAt(421);
      assertThat(f.received).hasSize(1);
    }
  }

  @Test
  void resolvedNoticeCarriesTheFiringAlertIdAndCanBeTurnedOff() throws Exception {
    try (Fixture f = new Fixture(os, "resolve")) {
      String common =
          "type: frequency\nnum_events: 2\ntimeframe: {minutes: 2}\nbuffer_time: {minutes: 0}\nquery_key: svc\n"
              + "realert: {minutes: 10}\n";
      f.rule("res-on", common);
      f.rule("res-off", common + "resolved_notice: false\n");
      // realert 1m: a condition still holding a realert later is notified again (same alert id), as
      // ElastAlert does.
      f.rule("res-repeat", common.replace("realert: {minutes: 10}", "realert: {minutes: 1}"));
      f.docs("a", 2, 10, 10, Map.of());
      f.cycleAt(61);
      f.cycleAt(121); // the window [T0, T0+2m) still holds both events
      f.cycleAt(181);
      Map<String, List<String>> states = new java.util.TreeMap<>();
      for (JsonNode n : f.received) {
        states
            .computeIfAbsent(n.path("rule").path("name").asText(), k -> new ArrayList<>())
            .add(n.path("state").asText());
      }
      assertThat(states.get("res-on")).containsExactly("firing", "resolved");
      assertThat(states.get("res-off")).containsExactly("firing");
      assertThat(states.get("res-repeat")).containsExactly("firing", "firing", "resolved");
      List<JsonNode> docs = f.alertDocs("res-on");
      assertThat(docs).hasSize(2);
      assertThat(docs.get(0).path("alert_id").asText())
          .isEqualTo(docs.get(1).path("alert_id").asText());
      assertThat(docs.get(1).path("message").asText()).startsWith("resolved: 0 events in 2m");
    }
  }

  @Test
  void aSpikeStaysFiringWhileTheSpikedLevelLastsAndResolvesWhenItDrops() throws Exception {
    try (Fixture f = new Fixture(os, "spikeep")) {
      f.rule(
          "spike-episode",
          "type: spike\nspike_height: 2\nspike_type: up\nthreshold_cur: 3\nalert_on_new_data: true\n"
              + "timeframe: {minutes: 1}\nbuffer_time: {minutes: 0}\nrealert: {hours: 1}\nquery_key: svc\n");
      f.docs("a", 5, 60, 50, Map.of());
      f.cycleAt(121); // [1m, 2m): 5 against 0 before
      f.docs("a", 6, 120, 50, Map.of());
      f.cycleAt(
          181); // [2m, 3m): 6 against 5, no longer 2x, but still at the spiked level (>= 3): still
      // firing
      assertThat(f.keysAndStates()).containsExactly("a/firing");
      f.cycleAt(241); // [3m, 4m): 0: over
      assertThat(f.keysAndStates()).containsExactly("a/firing", "a/resolved");
      assertThat(f.received.get(1).path("message").asText())
          .startsWith("resolved: 0 events in the last 1m against 6");
      assertThat(f.received.get(0).path("window").path("start").asText())
          .isEqualTo("2026-11-02T10:01:00Z");
    }
  }

  @Test
  void aBadRuleFileIsReportedAndTheOtherRulesRun() throws Exception {
    try (Fixture f = new Fixture(os, "bad")) {
      f.rule("good", "type: any\nrealert: {minutes: 0}\nbuffer_time: {minutes: 0}\n");
      Files.writeString(
          f.rules.resolve("broken.yaml"),
          "name: broken\nindex: bad\ntype: frequency\ntimeframe: {minutes: 5}\n");
      f.docs("a", 1, 10, 1, Map.of());
      f.clock.set(Fixture.T0.plusSeconds(61));
      try (AlertRunner r = f.runner()) {
        assertThat(r.ruleErrors())
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.file()).endsWith("broken.yaml");
                  assertThat(e.field()).isEqualTo("num_events");
                  assertThat(e.getMessage())
                      .contains("broken.yaml")
                      .contains("'num_events'")
                      .contains("is required");
                });
        AlertRunner.CycleReport report = r.runOnce();
        assertThat(report.rules()).extracting(AlertRunner.RuleRun::rule).containsExactly("good");
        assertThat(r.status()).extracting(AlertRunner.RuleStatus::rule).containsExactly("good");
      }
      assertThat(f.keysAndStates()).containsExactly("_all/firing");
    }
  }
}
