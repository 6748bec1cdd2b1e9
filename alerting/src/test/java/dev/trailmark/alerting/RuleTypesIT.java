package dev.trailmark.alerting;

import static dev.trailmark.alerting.Fixture.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each rule type against a real OpenSearch with documents written for the case: per query key, the
 * key one below the threshold, the key at it and the key one above; the condition must hold exactly
 * where ElastAlert 2 says. Every rule here has buffer_time 0, so one cycle evaluates exactly one
 * window ending at T0 + 5 min.
 */
@ExtendWith(OpenSearchExtension.class)
class RuleTypesIT {
  private static final String WINDOW =
      "timeframe: {minutes: 5}\nbuffer_time: {minutes: 0}\nquery_key: svc\n";
  private static OpenSearchInstance os;

  @BeforeAll
  static void init(OpenSearchInstance instance) {
    os = instance;
  }

  private static TreeSet<String> firing(Fixture f, String rule) {
    TreeSet<String> keys = new TreeSet<>();
    synchronized (f.received) {
      for (JsonNode n : f.received) {
        if (n.path("rule").path("name").asText().equals(rule)
            && n.path("state").asText().equals("firing")) {
          keys.add(n.path("key").asText());
        }
      }
    }
    return keys;
  }

  @Test
  void frequencyFiresAtNumEventsAndAbove() throws Exception {
    try (Fixture f = new Fixture(os, "freq")) {
      f.rule("freq", "type: frequency\nnum_events: 5\n" + WINDOW);
      f.docs("below", 4, 0, 240, Map.of());
      f.docs("at", 5, 0, 240, Map.of());
      f.docs("above", 6, 0, 240, Map.of());
      f.docs("outside", 9, -600, 60, Map.of()); // before the window: does not count
      f.cycleAt(301);
      assertThat(firing(f, "freq")).containsExactly("above", "at");
      JsonNode doc =
          f.alertDocs("freq").stream()
              .filter(d -> d.path("key").asText().equals("at"))
              .findFirst()
              .orElseThrow();
      assertThat(doc.path("rule").path("type").asText()).isEqualTo("frequency");
      assertThat(doc.path("state").asText()).isEqualTo("firing");
      assertThat(doc.path("query_key").asText()).isEqualTo("svc");
      assertThat(doc.path("match_count").asLong()).isEqualTo(5);
      assertThat(doc.path("window").path("start").asText()).isEqualTo("2026-11-02T10:00:00Z");
      assertThat(doc.path("window").path("end").asText()).isEqualTo("2026-11-02T10:05:00Z");
      assertThat(doc.path("severity").asText()).isEqualTo("medium");
      assertThat(doc.path("index").asText()).isEqualTo("freq");
      assertThat(doc.path("delivery").path(0).path("alerter").asText()).isEqualTo("post");
      assertThat(doc.path("delivery").path(0).path("status").asText()).isEqualTo("sent");
      assertThat(doc.path("message").asText()).contains("5 events in 5m");
    }
  }

  @Test
  void flatlineFiresBelowThreshold() throws Exception {
    try (Fixture f = new Fixture(os, "flat")) {
      f.rule("flat", "type: flatline\nthreshold: 5\n" + WINDOW);
      f.docs("below", 4, 0, 240, Map.of());
      f.docs("at", 5, 0, 240, Map.of());
      f.docs("above", 6, 0, 240, Map.of());
      f.cycleAt(301);
      assertThat(firing(f, "flat")).containsExactly("below");
    }
  }

  @Test
  void spikeComparesCurrentWithReferenceWindow() throws Exception {
    try (Fixture f = new Fixture(os, "spike")) {
      f.rule("spike-up", "type: spike\nspike_height: 2\nspike_type: up\n" + WINDOW);
      f.rule("spike-both", "type: spike\nspike_height: 2\nspike_type: both\n" + WINDOW);
      f.rule(
          "spike-new",
          "type: spike\nspike_height: 2\nspike_type: up\nthreshold_cur: 5\nalert_on_new_data: true\n"
              + WINDOW);
      for (String k : List.of("below", "at", "above")) {
        f.docs(k, 2, -300, 240, Map.of()); // reference window [T0 − 5 min, T0)
      }
      f.docs("below", 3, 0, 240, Map.of()); // 3 < 2 × 2
      f.docs("at", 4, 0, 240, Map.of()); // 4 = 2 × 2
      f.docs("above", 5, 0, 240, Map.of());
      f.docs("dip", 8, -300, 240, Map.of());
      f.docs("dip", 4, 0, 240, Map.of()); // 4 ≤ 8 / 2: a dip
      f.docs(
          "new4", 4, 0, 240,
          Map.of()); // no reference: only with alert_on_new_data, from threshold_cur
      f.docs("new5", 5, 0, 240, Map.of());
      f.cycleAt(301);
      assertThat(firing(f, "spike-up")).containsExactly("above", "at");
      assertThat(firing(f, "spike-both")).containsExactly("above", "at", "dip");
      // threshold_cur 5 drops below/at/dip (cur < 5); new keys fire from 5 on.
      assertThat(firing(f, "spike-new")).containsExactly("above", "new5");
    }
  }

  @Test
  void cardinalityAboveMaxAndBelowMin() throws Exception {
    try (Fixture f = new Fixture(os, "card")) {
      f.rule(
          "card-max", "type: cardinality\ncardinality_field: user\nmax_cardinality: 3\n" + WINDOW);
      f.rule(
          "card-min", "type: cardinality\ncardinality_field: user\nmin_cardinality: 3\n" + WINDOW);
      for (int u = 0; u < 2; u++) {
        f.docs("below", 2, 0, 240, Map.of("user", "u" + u));
      }
      for (int u = 0; u < 3; u++) {
        f.docs("at", 2, 0, 240, Map.of("user", "u" + u));
      }
      for (int u = 0; u < 4; u++) {
        f.docs("above", 2, 0, 240, Map.of("user", "u" + u));
      }
      f.cycleAt(301);
      assertThat(firing(f, "card-max")).containsExactly("above");
      assertThat(firing(f, "card-min")).containsExactly("below");
    }
  }

  @Test
  void metricAggregationAgainstThresholds() throws Exception {
    try (Fixture f = new Fixture(os, "metric")) {
      String common =
          "type: metric_aggregation\nmetric_agg_key: latency\nbucket_interval: {minutes: 5}\n"
              + "run_every: {minutes: 5}\nbuffer_time: {minutes: 0}\nquery_key: svc\n";
      f.rule("avg-max", common + "metric_agg_type: avg\nmax_threshold: 100\n");
      f.rule("avg-min", common + "metric_agg_type: avg\nmin_threshold: 100\n");
      f.rule(
          "p99-max",
          common + "metric_agg_type: percentiles\npercentile_range: 99\nmax_threshold: 100\n");
      f.rule("min-docs", common + "metric_agg_type: max\nmax_threshold: 100\nmin_doc_count: 4\n");
      f.docs("below", 3, 0, 240, Map.of("latency", 99));
      f.docs("at", 3, 0, 240, Map.of("latency", 100));
      f.docs("above", 3, 0, 240, Map.of("latency", 101));
      f.docs("above4", 4, 0, 240, Map.of("latency", 101));
      f.cycleAt(301);
      assertThat(firing(f, "avg-max")).containsExactly("above", "above4");
      assertThat(firing(f, "avg-min")).containsExactly("below");
      assertThat(firing(f, "p99-max")).containsExactly("above", "above4");
      assertThat(firing(f, "min-docs")).containsExactly("above4");
    }
  }

  @Test
  void percentageMatchAgainstBounds() throws Exception {
    try (Fixture f = new Fixture(os, "pct")) {
      String common =
          "type: percentage_match\nmatch_bucket_filter:\n  - term: {level: ERROR}\n"
              + "bucket_interval: {minutes: 5}\nrun_every: {minutes: 5}\nbuffer_time: {minutes: 0}\nquery_key: svc\n";
      f.rule("pct-max", common + "max_percentage: 50\n");
      f.rule("pct-min", common + "min_percentage: 50\n");
      f.rule("pct-denominator", common + "max_percentage: 50\nmin_denominator: 11\n");
      int[][] split = {{4, 6}, {5, 5}, {6, 4}};
      String[] keys = {"below", "at", "above"};
      for (int i = 0; i < 3; i++) {
        f.docs(keys[i], split[i][0], 0, 240, Map.of("level", "ERROR"));
        f.docs(keys[i], split[i][1], 0, 240, Map.of("level", "INFO"));
      }
      f.docs("big", 7, 0, 240, Map.of("level", "ERROR"));
      f.docs("big", 4, 0, 240, Map.of("level", "INFO"));
      f.cycleAt(301);
      assertThat(firing(f, "pct-max")).containsExactly("above", "big");
      assertThat(firing(f, "pct-min")).containsExactly("below");
      assertThat(firing(f, "pct-denominator"))
          .containsExactly("big"); // 10 documents are fewer than 11
    }
  }

  @Test
  void newTermFiresOnceForATermNotSeenInTheTermsWindow() throws Exception {
    try (Fixture f = new Fixture(os, "term")) {
      f.rule(
          "new-user",
          "type: new_term\nfields: [user]\nterms_window_size: {hours: 1}\nbuffer_time: {minutes: 0}\n"
              + "realert: {minutes: 0}\n");
      f.docs("s", 1, -1800, 1, Map.of("user", "old1"));
      f.docs("s", 1, -1800, 1, Map.of("user", "old2"));
      f.docs(
          "s", 1, -7200, 1, Map.of("user", "ancient")); // outside the 1 h terms window: new again
      f.docs("s", 2, 250, 20, Map.of("user", "old2"));
      f.docs("s", 2, 250, 20, Map.of("user", "fresh"));
      f.docs("s", 1, 270, 1, Map.of("user", "ancient"));
      f.cycleAt(301);
      assertThat(firing(f, "new-user")).containsExactly("ancient", "fresh");
      f.cycleAt(361);
      assertThat(f.received).hasSize(2);
    }
  }

  @Test
  void anyFiresForEveryMatchingDocumentPerKey() throws Exception {
    try (Fixture f = new Fixture(os, "any")) {
      f.rule(
          "errors",
          "type: any\nfilter:\n  - term: {level: ERROR}\nquery_key: svc\nbuffer_time: {minutes: 0}\n"
              + "realert: {minutes: 0}\n");
      f.docs(
          List.of(
              map(
                  "@timestamp",
                  Fixture.T0.plusSeconds(250).toString(),
                  "svc",
                  "a",
                  "level",
                  "ERROR",
                  "body",
                  "boom 1",
                  "traceId",
                  "0af7651916cd43dd8448eb211c80319c"),
              map(
                  "@timestamp",
                  Fixture.T0.plusSeconds(260).toString(),
                  "svc",
                  "a",
                  "level",
                  "ERROR",
                  "body",
                  "boom 2"),
              map(
                  "@timestamp",
                  Fixture.T0.plusSeconds(270).toString(),
                  "svc",
                  "b",
                  "level",
                  "INFO",
                  "body",
                  "fine")));
      f.cycleAt(301);
      assertThat(f.keysAndStates()).containsExactly("a/firing", "a/firing");
      assertThat(f.received.get(0).path("message").asText()).isEqualTo("boom 1");
      assertThat(f.received.get(0).path("sample").path("traceId").asText())
          .isEqualTo("0af7651916cd43dd8448eb211c80319c");
    }
  }
}
