package dev.trailmark.collector.internal.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The EMF expansion is bounded as CloudWatch bounds EMF, and says what it left out. */
class EmfMetricsTest {

  private static String emf(String dimensions, String metrics, String fields) {
    return "{\"_aws\":{\"Timestamp\":1700000000000,\"CloudWatchMetrics\":[{\"Namespace\":\"ns\",\"Dimensions\":"
        + dimensions
        + ",\"Metrics\":"
        + metrics
        + "}]}"
        + fields
        + "}";
  }

  private static String list(int n, String each) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append(each.replace("#", Integer.toString(i)));
    }
    return s.append(']').toString();
  }

  @Test
  void aValidEventExpandsWhole() {
    EmfMetrics.Extraction e =
        EmfMetrics.extract(
            emf(
                "[[\"svc\"],[\"svc\",\"op\"]]",
                "[{\"Name\":\"latency\",\"Unit\":\"Milliseconds\"}]",
                ",\"svc\":\"a\",\"op\":\"b\",\"latency\":[1,2,3]"),
            0,
            50_000);
    assertThat(e.documents()).hasSize(6);
    assertThat(e.truncated()).isNull();
  }

  @Test
  void identicalDimensionSetsCountOnceAndValuesStopAtOneHundred() {
    EmfMetrics.Extraction e =
        EmfMetrics.extract(
            emf(list(1000, "[]"), "[{\"Name\":\"m\"}]", ",\"m\":" + list(1000, "#")), 0, 50_000);
    assertThat(e.documents()).hasSize(EmfMetrics.MAX_VALUES_PER_METRIC);
    assertThat(e.truncated()).contains("values of m past 100");
  }

  @Test
  void aDimensionSetOfMoreThanThirtyYieldsNothingAndMetricsStopAtOneHundred() {
    EmfMetrics.Extraction wide =
        EmfMetrics.extract(
            emf("[" + list(31, "\"d#\"") + "]", "[{\"Name\":\"m\"}]", ",\"m\":1"), 0, 50_000);
    assertThat(wide.documents()).isEmpty();
    assertThat(wide.truncated()).contains("31 dimensions");

    EmfMetrics.Extraction many =
        EmfMetrics.extract(
            emf(
                "[[]]",
                list(150, "{\"Name\":\"m#\"}"),
                list(150, "\"m#\":1").replace("[", ",").replace("]", "")),
            0,
            50_000);
    assertThat(many.documents()).hasSize(EmfMetrics.MAX_METRICS_PER_DIRECTIVE);
    assertThat(many.truncated()).contains("metrics past 100");
  }

  @Test
  void theRequestBudgetBoundsTheDocuments() {
    EmfMetrics.Extraction e =
        EmfMetrics.extract(emf("[[]]", "[{\"Name\":\"m\"}]", ",\"m\":" + list(100, "#")), 0, 10);
    assertThat(e.documents()).hasSize(10);
    assertThat(e.truncated()).contains("budget");
  }
}
