package dev.trailmark.collector.internal.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceAssemblerTest {

  private static final String TRACE = "0123456789abcdef0123456789abcdef";

  static ObjectNode span(String id, String parent, String kind, String service) {
    return SpanDocuments.span(
        TRACE, id, parent, "op-" + id, kind, 1_000_000_000L, 2_000_000_000L, service, 0, null);
  }

  /** A client span named after what it called (a database, a queue), with text attributes. */
  private static ObjectNode clientCall(
      String id, String parent, String name, Map<String, String> attributes) {
    ObjectNode span =
        SpanDocuments.span(
            TRACE,
            id,
            parent,
            name,
            "SPAN_KIND_CLIENT",
            1_000_000_000L,
            2_000_000_000L,
            null,
            0,
            null);
    attributes.forEach(
        (key, value) ->
            SpanDocuments.attribute(span, key, Json.MAPPER.getNodeFactory().textNode(value)));
    return span;
  }

  static List<JsonNode> sources(DocumentBatch batch) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    String[] lines = new String(batch.toBulkBody(), StandardCharsets.UTF_8).split("\n");
    for (int i = 1; i < lines.length; i += 2) {
      out.add(Json.MAPPER.readTree(lines[i]));
    }
    return out;
  }

  @Test
  void aChildArrivingBeforeItsParentIsRewrittenWithTheParentsService() throws Exception {
    TraceAssembler assembler = new TraceAssembler(100);
    DocumentBatch first = new DocumentBatch();
    assembler.add(
        List.of(span("00000000000000c1", "00000000000000a1", "SPAN_KIND_CLIENT", null)), "", first);
    assertThat(sources(first))
        .singleElement()
        .satisfies(s -> assertThat(s.path("serviceName").asText()).isEqualTo("unknown"));
    DocumentBatch second = new DocumentBatch();
    assembler.add(List.of(span("00000000000000a1", "", "SPAN_KIND_SERVER", "shop")), "", second);
    assertThat(sources(second))
        .filteredOn(s -> "00000000000000c1".equals(s.path("spanId").asText()))
        .singleElement()
        .satisfies(s -> assertThat(s.path("serviceName").asText()).isEqualTo("shop"));
  }

  @Test
  void memoryIsBoundedPerParentAndOverall() throws Exception {
    TraceAssembler assembler = new TraceAssembler(10);
    List<ObjectNode> orphans = new ArrayList<>();
    for (int i = 0; i < TraceAssembler.MAX_PENDING_PER_PARENT + 5; i++) {
      orphans.add(
          span(String.format("%016x", 0x1000 + i), "00000000000000a1", "SPAN_KIND_INTERNAL", null));
    }
    assembler.add(orphans, "", new DocumentBatch());
    DocumentBatch resolved = new DocumentBatch();
    assembler.add(List.of(span("00000000000000a1", "", "SPAN_KIND_SERVER", "shop")), "", resolved);
    long rewritten =
        sources(resolved).stream()
            .filter(
                s ->
                    "shop".equals(s.path("serviceName").asText())
                        && !s.path("parentSpanId").asText().isEmpty())
            .count();
    assertThat(rewritten).isEqualTo(TraceAssembler.MAX_PENDING_PER_PARENT);

    // With room for 10 entries, the 11th unknown parent evicts the oldest: its child stays
    // "unknown".
    TraceAssembler small = new TraceAssembler(10);
    for (int i = 0; i < 11; i++) {
      small.add(
          List.of(
              span(
                  String.format("%016x", 0x2000 + i),
                  String.format("%016x", 0x3000 + i),
                  "SPAN_KIND_INTERNAL",
                  null)),
          "",
          new DocumentBatch());
    }
    DocumentBatch late = new DocumentBatch();
    small.add(
        List.of(span(String.format("%016x", 0x3000), "", "SPAN_KIND_SERVER", "shop")), "", late);
    assertThat(sources(late)).hasSize(2); // the parent and its SERVER service-map target, no child
  }

  @Test
  void waitingChildrenAreCappedInTotal() throws Exception {
    TraceAssembler assembler = new TraceAssembler(100_000);
    // 11,000 orphans under 11 parents of 1,000 each: the oldest parent's children are forgotten.
    for (int p = 0; p < 11; p++) {
      List<ObjectNode> orphans = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        orphans.add(
            span(
                String.format("%08x%08x", p, i),
                String.format("%016x", 0xa000 + p),
                "SPAN_KIND_INTERNAL",
                null));
      }
      assembler.add(orphans, "", new DocumentBatch());
    }
    DocumentBatch oldest = new DocumentBatch();
    assembler.add(
        List.of(span(String.format("%016x", 0xa000), "", "SPAN_KIND_INTERNAL", "shop")),
        "",
        oldest);
    assertThat(sources(oldest)).hasSize(1);
    DocumentBatch newest = new DocumentBatch();
    assembler.add(
        List.of(span(String.format("%016x", 0xa000 + 10), "", "SPAN_KIND_INTERNAL", "shop")),
        "",
        newest);
    assertThat(sources(newest)).hasSize(1_001);
  }

  static List<String> edges(DocumentBatch batch) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode s : sources(batch)) {
      if (s.has("hashId") && s.path("destination").isObject()) {
        out.add(
            s.path("serviceName").asText()
                + " -> "
                + s.path("destination").path("domain").asText()
                + " "
                + s.path("destination").path("resource").asText());
      }
    }
    return out;
  }

  @Test
  void aDatabaseCallIsAnEdgeToTheDatabaseNode() throws Exception {
    TraceAssembler assembler = new TraceAssembler(100);
    ObjectNode query =
        clientCall(
            "00000000000000c1",
            "00000000000000a1",
            "stock",
            Map.of("db.system", "h2", "db.statement", "select quantity from stock where sku = ?"));
    ObjectNode http = span("00000000000000c2", "00000000000000a1", "SPAN_KIND_CLIENT", null);
    DocumentBatch batch = new DocumentBatch();

    assembler.add(
        List.of(query, http, span("00000000000000a1", "", "SPAN_KIND_SERVER", "inventory")),
        "",
        batch);

    // the HTTP call without a traced server under it is no edge; the query is one, by its verb
    assertThat(edges(batch)).containsExactly("inventory -> stock SELECT");
  }

  @Test
  void aMessageThroughAQueueIsTwoEdgesProducerToQueueToConsumer() throws Exception {
    TraceAssembler assembler = new TraceAssembler(100);
    ObjectNode send =
        clientCall(
            "00000000000000c1", "00000000000000a1", "SQS", Map.of("aws.operation", "SendMessage"));
    DocumentBatch batch = new DocumentBatch();

    // the consumer's segment arrives first (its producer's spans are still in flight)
    assembler.add(
        List.of(span("00000000000000b1", "00000000000000c1", "SPAN_KIND_SERVER", "shipping")),
        "",
        batch);
    assembler.add(
        List.of(send, span("00000000000000a1", "", "SPAN_KIND_SERVER", "orders")), "", batch);

    assertThat(edges(batch))
        .containsExactlyInAnyOrder(
            "orders -> SQS SendMessage", "SQS -> shipping op-00000000000000b1");
  }
}
