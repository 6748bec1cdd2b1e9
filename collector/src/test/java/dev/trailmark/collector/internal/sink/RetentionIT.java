package dev.trailmark.collector.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Retention deletes only this prefix's time-based indices older than N days, on a real OpenSearch.
 */
@ExtendWith(OpenSearchExtension.class)
class RetentionIT {

  @Test
  void indicesOlderThanTheRetentionAreDeletedAndNothingElse(OpenSearchInstance os)
      throws Exception {
    String p = os.indexPrefix();
    List<String> old =
        List.of(
            p + "logs-app-2026.01.01",
            p + "otel-v1-apm-span-2026.01.02",
            p + "logs-access-2026.01.03.07",
            p + "metrics-2025.12",
            p + "audit-findings-2026.w01");
    List<String> kept =
        List.of(
            p + "logs-app-2026.11.20",
            p + "metrics-2026.11",
            p + "logs-noday",
            p + "otel-v1-apm-service-map",
            p + "unrelated-2020.01.01");
    for (String index : old) {
      os.put("/" + index, "{}");
    }
    for (String index : kept) {
      os.put("/" + index, "{}");
    }
    try (var transport = OpenSearchTransports.create(os.baseUri())) {
      OpenSearchClient client = new OpenSearchClient(transport);
      List<String> deleted = Retention.deleteOlderThan(client, p, 14, LocalDate.of(2026, 11, 26));
      assertThat(deleted).containsExactlyInAnyOrderElementsOf(old);
    }
    JsonNode remaining =
        dev.trailmark.common.json.Json.MAPPER.readTree(
            os.get("/_cat/indices/" + p + "*?format=json&h=index"));
    assertThat(remaining.findValuesAsText("index")).containsExactlyInAnyOrderElementsOf(kept);
  }

  @Test
  void periodEndsFollowTheRotationSuffixes() {
    assertThat(Retention.periodEnd("", "logs-x-2026.03.04")).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(Retention.periodEnd("", "logs-x-2026.03.04.23")).isEqualTo(LocalDate.of(2026, 3, 4));
    assertThat(Retention.periodEnd("", "metrics-2026.02")).isEqualTo(LocalDate.of(2026, 2, 28));
    assertThat(
            Retention.periodEnd(
                "",
                IndexNames.rotated(
                    "",
                    "audit-findings",
                    "OneWeek",
                    java.time.Instant.parse("2026-11-26T00:00:00Z").toEpochMilli())))
        .isEqualTo(LocalDate.of(2026, 11, 29));
    assertThat(Retention.periodEnd("p-", "logs-x-2026.03.04")).isNull();
    assertThat(Retention.periodEnd("", "otel-v1-apm-service-map")).isNull();
  }

  @Test
  void theIsmPolicyDeletesAfterTheRetention() {
    JsonNode policy = Retention.ismPolicy("prod-", 30).path("policy");
    assertThat(
            policy
                .path("states")
                .get(0)
                .path("transitions")
                .get(0)
                .path("conditions")
                .path("min_index_age")
                .asText())
        .isEqualTo("30d");
    assertThat(policy.path("states").get(1).path("actions").get(0).has("delete")).isTrue();
    assertThat(policy.path("ism_template").get(0).path("index_patterns").get(0).asText())
        .isEqualTo("prod-logs-*");
  }
}
