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
import dev.trailmark.collector.internal.traces.SpanDocuments;
import dev.trailmark.collector.internal.traces.TraceAssembler;
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

  /**
   * A child span that arrives before its parent is indexed at once with service "unknown" and
   * written again with the parent's service once the parent comes. The collector keeps several bulk
   * requests in flight and retries failed ones, so the first version may land last: it must not
   * undo the second, in either of its forms.
   */
  @Test
  void anEarlierVersionOfASpanLandingLastLeavesTheLaterOne(OpenSearchInstance os) throws Exception {
    String child = "00000000000000c1";
    TraceAssembler assembler = new TraceAssembler(100);
    DocumentBatch early = new DocumentBatch();
    assembler.add(
        List.of(span(child, "00000000000000a1", "SPAN_KIND_CLIENT", null)),
        os.indexPrefix(),
        early);
    DocumentBatch later = new DocumentBatch();
    assembler.add(
        List.of(span("00000000000000a1", "", "SPAN_KIND_SERVER", "frontend")),
        os.indexPrefix(),
        later);
    String[] first = linesOf(early, child);
    String[] second = linesOf(later, child);
    String index = Json.MAPPER.readTree(first[0]).path("index").path("_index").asText();
    try (OpenSearchTransport transport = OpenSearchTransports.create(os.baseUri())) {
      BulkWriter writer = new BulkWriter(new OpenSearchClient(transport), 5, 1, 10);
      write(writer, second[0], second[1]);

      BulkWriter.Result late = write(writer, first[0], first[1]);
      assertThat(late.indexed()).as("superseded, not refused").isEqualTo(1);
      assertThat(late.rejected()).isZero();
      assertThat(late.setAside()).isEmpty();
      assertThat(serviceOf(os, index, child)).isEqualTo("frontend");

      // Where the early version is refused by the mapping, its text form must not win either.
      String typed = os.indexPrefix() + "typed-spans";
      os.put(
          "/" + typed,
          "{\"mappings\":{\"properties\":{\"droppedLinksCount\":{\"type\":\"boolean\"}}}}");
      ObjectNode accepted = (ObjectNode) Json.MAPPER.readTree(second[1]);
      accepted.remove("droppedLinksCount");
      write(writer, second[0].replace(index, typed), accepted.toString());
      BulkWriter.Result refused = write(writer, first[0].replace(index, typed), first[1]);
      assertThat(refused.rejected()).isEqualTo(1);
      assertThat(refused.setAside()).isEmpty();
      assertThat(serviceOf(os, typed, child)).isEqualTo("frontend");
    }
  }

  private static ObjectNode span(String id, String parent, String kind, String service) {
    return SpanDocuments.span(
        "5f0e7a1b2c3d4e5f60718293a4b5c6d7",
        id,
        parent,
        "op-" + id,
        kind,
        1_000_000_000L,
        2_000_000_000L,
        service,
        0,
        null);
  }

  /** The action line and the document line of the document with this id in a batch. */
  private static String[] linesOf(DocumentBatch batch, String id) {
    String[] lines = new String(batch.toBulkBody(), StandardCharsets.UTF_8).split("\n");
    for (int i = 0; i + 1 < lines.length; i += 2) {
      if (lines[i].contains("\"_id\":\"" + id + "\"")) {
        return new String[] {lines[i], lines[i + 1]};
      }
    }
    throw new AssertionError("no document " + id + " in " + String.join("\n", lines));
  }

  private static BulkWriter.Result write(BulkWriter writer, String action, String document)
      throws Exception {
    return writer.write(
        (action + "\n" + document + "\n").getBytes(StandardCharsets.UTF_8), () -> true);
  }

  private static String serviceOf(OpenSearchInstance os, String index, String id) throws Exception {
    return Json.MAPPER
        .readTree(os.get("/" + index + "/_doc/" + id))
        .path("_source")
        .path("serviceName")
        .asText();
  }
}
