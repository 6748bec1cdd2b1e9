package dev.trailmark.collector.internal.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDocumentsTest {

  static ObjectNode segment(String route) throws Exception {
    return (ObjectNode)
        Json.MAPPER.readTree(
            "{\"name\":\"orders\",\"id\":\"a001795fb132e421\","
                + "\"trace_id\":\"1-6b080eb9-767a821d8b77518d71e0efff\",\"start_time\":1764150000.5,\"end_time\":1764150000.75,"
                + "\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"http://127.0.0.1:39201/orders/42?x=1\"},"
                + "\"response\":{\"status\":200}}"
                + (route == null ? "" : ",\"annotations\":{\"http_route\":\"" + route + "\"}")
                + ",\"subsegments\":[{\"id\":\"a755c4432ddeba4a\",\"name\":\"inventory\",\"namespace\":\"remote\","
                + "\"start_time\":1764150000.6,\"end_time\":1764150000.7}]}");
  }

  @Test
  void aSegmentAndItsSubsegmentsBecomeServerAndClientSpans() throws Exception {
    List<ObjectNode> spans = SpanDocuments.fromXRay(segment("/orders/{id}"));
    assertThat(spans).hasSize(2);
    ObjectNode server = spans.get(0);
    assertThat(server.path("traceId").asText()).isEqualTo("6b080eb9767a821d8b77518d71e0efff");
    assertThat(server.path("name").asText()).isEqualTo("GET /orders/{id}");
    assertThat(server.path("kind").asText()).isEqualTo("SPAN_KIND_SERVER");
    assertThat(server.path("startTime").asText()).isEqualTo("2025-11-26T09:40:00.500Z");
    assertThat(server.path("durationInNanos").asLong()).isEqualTo(250_000_000L);
    ObjectNode client = spans.get(1);
    assertThat(client.path("parentSpanId").asText()).isEqualTo("a001795fb132e421");
    assertThat(client.path("kind").asText()).isEqualTo("SPAN_KIND_CLIENT");
    assertThat(client.path("serviceName").asText()).isEqualTo("orders");
  }

  @Test
  void anSqlSubsegmentIsADatabaseCallWithOpenTelemetrysAttributes() throws Exception {
    ObjectNode segment = segment(null);
    ObjectNode query = (ObjectNode) segment.path("subsegments").get(0);
    query.put("name", "stock");
    query
        .putObject("sql")
        .put("url", "jdbc:h2:mem:stock")
        .put("database_type", "H2")
        .put("user", "sa")
        .put("sanitized_query", "SELECT quantity FROM stock WHERE sku = ?");

    ObjectNode client = SpanDocuments.fromXRay(segment).get(1);

    assertThat(client.path("kind").asText()).isEqualTo("SPAN_KIND_CLIENT");
    assertThat(client.path("span.attributes.peer@service").asText()).isEqualTo("stock");
    assertThat(client.path("span.attributes.db@system").asText()).isEqualTo("h2");
    assertThat(client.path("span.attributes.db@user").asText()).isEqualTo("sa");
    assertThat(client.path("span.attributes.db@statement").asText())
        .isEqualTo("SELECT quantity FROM stock WHERE sku = ?");
  }

  @Test
  void aContextRootRouteGivesWayToThePath() throws Exception {
    assertThat(SpanDocuments.fromXRay(segment("/")).get(0).path("name").asText())
        .isEqualTo("GET /orders/42");
    assertThat(SpanDocuments.fromXRay(segment(null)).get(0).path("name").asText())
        .isEqualTo("GET /orders/42");
  }

  @Test
  void invalidDocumentsAreRefused() throws Exception {
    assertThatThrownBy(
            () -> SpanDocuments.fromXRay(Json.MAPPER.readTree("{\"id\":\"a001795fb132e421\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trace_id");
    assertThatThrownBy(
            () ->
                SpanDocuments.fromXRay(
                    Json.MAPPER.readTree(
                        "{\"id\":\"zz\",\"trace_id\":"
                            + "\"1-6b080eb9-767a821d8b77518d71e0efff\",\"start_time\":1}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id");
    assertThat(
            SpanDocuments.fromXRay(
                Json.MAPPER.readTree(
                    "{\"id\":\"a001795fb132e421\",\"trace_id\":"
                        + "\"1-6b080eb9-767a821d8b77518d71e0efff\",\"start_time\":1,\"in_progress\":true}")))
        .isEmpty();
  }
}
