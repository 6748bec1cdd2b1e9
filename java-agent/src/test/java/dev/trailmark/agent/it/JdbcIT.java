package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC through the real drivers in a forked JVM with the agent: a real PostgreSQL server and H2 in
 * memory. Each statement of a request is one remote subsegment named after the database (its node
 * in the service map) with X-Ray's sql block, in the request's trace; no literal leaves the
 * process; start-up work and connection checks are not spans.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class JdbcIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void postgresqlStatementsAreDatabaseSpansInTheRequestsTrace() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      int port = postgres.getPort();
      List<JsonNode> calls = run("postgres", url.substring(0, url.indexOf('?')), "postgres", null);
      for (JsonNode call : calls) {
        assertThat(call.get("name").asText()).isEqualTo("postgres@localhost:" + port);
        assertThat(call.at("/sql/url").asText())
            .isEqualTo("jdbc:postgresql://localhost:" + port + "/postgres");
        assertThat(call.at("/sql/database_type").asText()).isEqualTo("PostgreSQL");
        assertThat(call.at("/sql/user").asText()).isEqualTo("postgres");
        assertThat(call.at("/sql/driver_version").asText()).startsWith("PostgreSQL JDBC Driver");
        assertThat(call.at("/sql/database_version").asText()).isNotEmpty();
      }
    }
  }

  @Test
  void h2StatementsAreDatabaseSpansInTheRequestsTraceAlsoThroughOtlp(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    List<JsonNode> calls =
        run("h2", "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1", "sa", collector.httpEndpoint().toString());
    for (JsonNode call : calls) {
      assertThat(call.get("name").asText()).as("an embedded database: no host").isEqualTo("shop");
      assertThat(call.at("/sql/url").asText()).isEqualTo("jdbc:h2:mem:shop");
      assertThat(call.at("/sql/database_type").asText()).isEqualTo("H2");
      assertThat(call.at("/sql/user").asText()).isEqualToIgnoringCase("sa");
    }
    // The same spans through OTLP, with OpenTelemetry's database attributes, as OpenSearch stores
    // them.
    String traceId = calls.get(0).get("trace_id").asText().replace("-", "").substring(1);
    String spans = os.indexPrefix() + "otel-v1-apm-span-*";
    JsonNode select =
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  os.refresh(spans);
                  JsonNode hits =
                      JSON.readTree(
                              os.post(
                                  "/" + spans + "/_search",
                                  "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"traceId\":\""
                                      + traceId
                                      + "\"}},"
                                      + "{\"term\":{\"name\":\"SELECT shop\"}}]}}}"))
                          .at("/hits/hits");
                  return hits.size() == 1 ? hits.get(0).get("_source") : null;
                },
                s -> s != null);
    assertThat(select.get("kind").asText()).isEqualTo("SPAN_KIND_CLIENT");
    assertThat(select.get("span.attributes.db@system").asText()).isEqualTo("h2");
    assertThat(select.get("span.attributes.db@name").asText()).isEqualTo("shop");
    assertThat(select.get("span.attributes.db@operation").asText()).isEqualTo("SELECT");
    assertThat(select.get("span.attributes.db@statement").asText())
        .isEqualTo("SELECT item FROM orders WHERE id = ? AND item <> ?");
  }

  /**
   * Runs JdbcApp against {@code url}, checks what is common to every database, returns the
   * statements' subsegments.
   */
  private List<JsonNode> run(String name, String url, String user, String otlpEndpoint)
      throws Exception {
    ForkedApp.Builder builder = ForkedApp.builder("dev.trailmark.agent.testapp.JdbcApp");
    if (otlpEndpoint != null) {
      builder
          .env("OTEL_TRACES_EXPORTER", "xray,otlp")
          .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
    }
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            builder
                .property("app.jdbc.url", url)
                .property("app.jdbc.user", user)
                .tracedService("orders", daemon)
                .start(dir, name)) {
      int port = app.awaitPort();
      String root = UdpDaemon.traceRoot("d1d2d3d4d5d6d7d8d9dadbdc");
      HttpResponse<String> response =
          JettyIT.get(
              port,
              "/db",
              "X-Amzn-Trace-Id",
              "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
      assertThat(response.statusCode()).as(app.output()).isEqualTo(200);
      assertThat(response.body())
          .contains(
              "inserted=1",
              "item=secret-item",
              "batched=3",
              "plain-batched=2",
              "valid=true",
              "refused=");

      // The segment, DELETE, INSERT, SELECT, the two batches and the refused statement.
      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 7);
      Thread.sleep(
          500); // anything more (a span per connection check, or two per call) would arrive with
      // them
      List<JsonNode> docs = daemon.documentsOfTrace(root);
      assertThat(daemon.documents()).as("start-up DDL made no trace").hasSameSizeAs(docs);
      JsonNode segment = docs.stream().filter(d -> !d.has("type")).findFirst().orElseThrow();
      assertThat(segment.get("name").asText()).isEqualTo("orders");
      List<JsonNode> calls = docs.stream().filter(d -> d.has("type")).collect(Collectors.toList());
      assertThat(calls).as("one subsegment per statement, none for isValid: %s", docs).hasSize(6);
      for (JsonNode call : calls) {
        assertThat(call.get("namespace").asText()).isEqualTo("remote");
        assertThat(call.get("parent_id").asText()).isEqualTo(segment.get("id").asText());
        assertThat(call.has("http")).isFalse();
      }
      assertThat(calls)
          .extracting(c -> c.at("/sql/sanitized_query").asText())
          .containsExactlyInAnyOrder(
              "DELETE FROM orders WHERE id >= ?",
              "INSERT INTO orders (id, item) VALUES (?, ?)",
              "SELECT item FROM orders WHERE id = ? AND item <> ?",
              "INSERT INTO orders (id, item) VALUES (?, ?)",
              "UPDATE orders SET item = ? WHERE id = ?; DELETE FROM orders WHERE id = ?",
              "SELEC oops FROM nowhere");
      assertThat(calls)
          .extracting(c -> c.at("/sql/preparation").asText(""))
          .containsExactlyInAnyOrder("", "statement", "", "statement", "", "");
      assertThat(docs.toString()).doesNotContain("secret-item").doesNotContain("hidden-literal");
      JsonNode refused =
          calls.stream()
              .filter(c -> c.at("/sql/sanitized_query").asText().startsWith("SELEC "))
              .findFirst()
              .orElseThrow();
      assertThat(refused.get("fault").asBoolean()).isTrue();
      assertThat(refused.at("/cause/exceptions/0/type").asText()).contains("SQL");
      assertThat(calls.stream().filter(c -> c.has("fault"))).hasSize(1);
      assertThat(app.output()).doesNotContain("[trailmark-agent]");
      return calls;
    }
  }
}
