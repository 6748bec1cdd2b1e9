package dev.trailmark.collector.internal.sink;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;

/**
 * The one retry loop: only items that failed with 429/5xx are sent again; permanent rejections are
 * reported.
 */
@ExtendWith(OpenSearchExtension.class)
class BulkWriterIT {

  @Test
  void onlyTheItemsThatFailedRetryablyAreSentAgain() throws Exception {
    WireMockServer wire = new WireMockServer(wireMockConfig().dynamicPort());
    wire.start();
    try (OpenSearchTransport transport =
        OpenSearchTransports.create(URI.create("http://127.0.0.1:" + wire.port()))) {
      // OpenSearch's answer when its write queue is full for one item: that item 429, the others
      // created.
      wire.stubFor(
          post(urlPathEqualTo("/_bulk"))
              .inScenario("retry")
              .whenScenarioStateIs(Scenario.STARTED)
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", "application/json")
                      .withBody(
                          "{\"errors\":true,\"items\":["
                              + "{\"index\":{\"status\":201}},"
                              + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue full\"}}},"
                              + "{\"index\":{\"status\":201}}]}"))
              .willSetStateTo("second"));
      wire.stubFor(
          post(urlPathEqualTo("/_bulk"))
              .inScenario("retry")
              .whenScenarioStateIs("second")
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", "application/json")
                      .withBody("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}")));
      DocumentBatch batch = new DocumentBatch();
      batch.add("i", "a", Json.object().put("n", 1));
      batch.add("i", "b", Json.object().put("n", 2));
      batch.add("i", "c", Json.object().put("n", 3));

      BulkWriter.Result result =
          new BulkWriter(new OpenSearchClient(transport), 5, 1, 10)
              .write(batch.toBulkBody(), () -> true);

      assertThat(result.indexed()).isEqualTo(3);
      assertThat(result.retried()).isEqualTo(1);
      assertThat(result.rejected()).isZero();
      List<LoggedRequest> requests =
          wire.findAll(
              postRequestedFor(urlPathEqualTo("/_bulk"))
                  .withQueryParam("filter_path", equalTo("errors,items.*.status,items.*.error")));
      assertThat(requests).hasSize(2);
      assertThat(new String(requests.get(1).getBody(), StandardCharsets.UTF_8))
          .isEqualTo("{\"index\":{\"_index\":\"i\",\"_id\":\"b\"}}\n{\"n\":2}\n");
    } finally {
      wire.stop();
    }
  }

  @Test
  void aMappingConflictIsNotRetriedAndTheDocumentIsStoredAsTextWithTheReason(OpenSearchInstance os)
      throws Exception {
    String index = os.indexPrefix() + "typed";
    os.put("/" + index, "{\"mappings\":{\"properties\":{\"n\":{\"type\":\"long\"}}}}");
    try (OpenSearchTransport transport = OpenSearchTransports.create(os.baseUri())) {
      DocumentBatch batch = new DocumentBatch();
      batch.add(index, "ok", Json.object().put("n", 1));
      ObjectNode bad = Json.object().put("n", "not a number");
      batch.add(index, "bad", bad);
      BulkWriter.Result result =
          new BulkWriter(new OpenSearchClient(transport), 5, 1, 10)
              .write(batch.toBulkBody(), () -> true);
      assertThat(result.indexed()).isEqualTo(1);
      assertThat(result.rejected()).isEqualTo(1);
      assertThat(result.retried()).isZero();
      assertThat(result.firstRejection()).startsWith("mapper_parsing_exception");
      assertThat(result.storedAsText()).isEqualTo(1);
      assertThat(result.setAside()).isEmpty();
      os.refresh(index);
      JsonNode kept = Json.MAPPER.readTree(os.get("/" + index + "/_doc/bad")).path("_source");
      assertThat(kept.path("body").asText()).isEqualTo("{\"n\":\"not a number\"}");
      assertThat(kept.path("trailmark").path("rejected").path("type").asText())
          .isEqualTo("mapper_parsing_exception");
    }
  }
}
