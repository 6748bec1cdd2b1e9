package dev.trailmark.common.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.common.json.Json;
import org.junit.jupiter.api.Test;

class SearchAnswersTest {

  @Test
  void aWholeAnswerIsNotIncomplete() throws Exception {
    assertThat(
            SearchAnswers.incompleteness(
                Json.MAPPER.readTree(
                    "{\"timed_out\":false,\"_shards\":{\"total\":3,\"successful\":3,\"failed\":0}}")))
        .isNull();
  }

  @Test
  void failedShardsAreCountedAndTheFirstIsNamedWithAShortReason() throws Exception {
    String reason = "x".repeat(500);
    String incomplete =
        SearchAnswers.incompleteness(
            Json.MAPPER.readTree(
                "{\"timed_out\":false,\"_shards\":{\"total\":3,\"successful\":1,\"failed\":2,"
                    + "\"failures\":[{\"index\":\"logs-2026.12.03\",\"reason\":{\"type\":\"t\",\"reason\":\""
                    + reason
                    + "\"}}]}}"));
    assertThat(incomplete)
        .startsWith("1 of 3 shards answered; 2 failed (logs-2026.12.03: t: xxx")
        .hasSizeLessThan(300);
  }

  @Test
  void aSearchCutShortByTheQueryTimeoutIsIncomplete() throws Exception {
    assertThat(
            SearchAnswers.incompleteness(
                Json.MAPPER.readTree(
                    "{\"timed_out\":true,\"_shards\":{\"total\":3,\"successful\":3,\"failed\":0}}")))
        .contains("timeout");
  }
}
