package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's RED and JVM metrics and its spans reach the real local collector (PutMetricData over
 * SigV4, X-Ray UDP) and land in OpenSearch; with the EMF exporter they are CloudWatch EMF lines.
 */
@ExtendWith(OpenSearchExtension.class)
class MetricsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void redMetricsAndSpansReachTheLocalCollector(OpenSearchInstance os) throws Exception {
    try (LocalCollector collector = LocalCollector.builder()
        .openSearch(os.baseUri()).indexPrefix(os.indexPrefix())
        .httpPort(0).xrayUdpPort(0).stateDir(dir.resolve("collector"))
        .build().start();
        ForkedApp downstream = metered(collector, "metered-downstream", "").start(dir, "downstream")) {
      int downstreamPort = downstream.awaitPort();
      try (ForkedApp app = metered(collector, "metered", "http://127.0.0.1:" + downstreamPort + "/hop")
          .start(dir, "metered")) {
        assertMetricsAndSpans(os, collector, app);
      }
    }
  }

  private static ForkedApp.Builder metered(LocalCollector collector, String name, String next) {
    return ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
        .property("app.name", name)
        .property("app.next", next)
        .env("OTEL_SERVICE_NAME", name)
        .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
        .env("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:" + collector.xrayUdpPort())
        .env("TRAILMARK_METRICS_EXPORTER", "collector")
        .env("TRAILMARK_METRICS_ENDPOINT", collector.httpEndpoint().toString())
        .env("TRAILMARK_METRICS_STEP_MILLIS", "1000");
  }

  private void assertMetricsAndSpans(OpenSearchInstance os, LocalCollector collector, ForkedApp app) throws Exception {
    {
      int port = app.awaitPort();
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        // With the metrics publisher's own HTTP client in the process, outbound calls still carry the trace.
        assertThat(response.body()).as(app.output()).containsPattern("service=metered-downstream\nxray=Root=1-");
      }
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fail")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);

      String metrics = os.indexPrefix() + "metrics-*";
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        os.refresh(metrics);
        JsonNode ok = search(os, metrics, "http.server.requests.count", "/hop", "SUCCESS");
        assertThat(ok.at("/hits/hits")).as(app.output()).isNotEmpty();
        double total = 0;
        for (JsonNode hit : ok.at("/hits/hits")) {
          total += hit.at("/_source/value").asDouble();
          assertThat(hit.at("/_source/dimensions/status").asText()).isEqualTo("2xx");
          assertThat(hit.at("/_source/dimensions/method").asText()).isEqualTo("GET");
          assertThat(hit.at("/_source/unit").asText()).isEqualTo("Count");
          assertThat(hit.at("/_source/namespace").asText()).isEqualTo("Trailmark");
        }
        assertThat(total).isEqualTo(5);
        JsonNode failed = search(os, metrics, "http.server.requests.count", "/fail", "SERVER_ERROR");
        assertThat(failed.at("/hits/hits")).isNotEmpty();
        assertThat(search(os, metrics, "http.server.requests.max", "/hop", "SUCCESS").at("/hits/hits")).isNotEmpty();
        assertThat(count(os, metrics, "jvm.memory.used")).isPositive();
        assertThat(count(os, metrics, "trailmark.spans.exported.count")).as("the agent's own health").isPositive();
        assertThat(count(os, metrics, "trailmark.spans.dropped.count")).isPositive();
      });
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        os.refresh(os.indexPrefix() + "otel-v1-apm-span-*");
        assertThat(os.count(os.indexPrefix() + "otel-v1-apm-span-*")).isGreaterThanOrEqualTo(6);
      });
      assertThat(app.output()).doesNotContain("PutMetricData to");
    }
  }

  @Test
  void emfExporterWritesEmbeddedMetricFormatLines() throws Exception {
    try (ForkedApp app = ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
        .property("app.name", "emf")
        .env("OTEL_SERVICE_NAME", "emf")
        .env("TRAILMARK_METRICS_EXPORTER", "emf")
        .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
        .start(dir, "emf")) {
      int port = app.awaitPort();
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop")).build(),
          HttpResponse.BodyHandlers.ofString());
      // The step the request fell in is published when it closes; earlier steps of the meter report 0.
      String countOne = "\"http.server.requests.count\":1.0";
      await().atMost(Duration.ofSeconds(30)).until(() -> app.output().lines()
          .anyMatch(l -> l.startsWith("{\"_aws\"") && l.contains("\"route\":\"/hop\"") && l.contains(countOne)));
      String line = app.output().lines()
          .filter(l -> l.startsWith("{\"_aws\"") && l.contains("\"route\":\"/hop\"") && l.contains(countOne))
          .findFirst().orElseThrow();
      JsonNode emf = JSON.readTree(line);
      assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Trailmark");
      assertThat(emf.at("/_aws/Timestamp").asLong()).isPositive();
      JsonNode dimensions = emf.at("/_aws/CloudWatchMetrics/0/Dimensions/0");
      assertThat(dimensions.toString()).contains("\"service\"", "\"method\"", "\"route\"", "\"status\"", "\"outcome\"");
      for (JsonNode d : dimensions) {
        assertThat(emf.has(d.asText())).as("dimension %s has a value", d.asText()).isTrue();
      }
      for (JsonNode m : emf.at("/_aws/CloudWatchMetrics/0/Metrics")) {
        assertThat(emf.get(m.get("Name").asText()).isNumber()).as(m.toString()).isTrue();
      }
      assertThat(emf.get("http.server.requests.count").asDouble()).isEqualTo(1.0);
      assertThat(emf.get("outcome").asText()).isEqualTo("SUCCESS");
    }
  }

  private static JsonNode search(OpenSearchInstance os, String index, String name, String route, String outcome)
      throws Exception {
    String query = "{\"size\":100,\"query\":{\"bool\":{\"filter\":["
        + "{\"term\":{\"name\":\"" + name + "\"}},"
        + "{\"term\":{\"dimensions.route\":\"" + route + "\"}},"
        + "{\"term\":{\"dimensions.outcome\":\"" + outcome + "\"}},"
        + "{\"term\":{\"dimensions.service\":\"metered\"}}]}}}";
    return JSON.readTree(os.post("/" + index + "/_search", query));
  }

  private static long count(OpenSearchInstance os, String index, String name) throws Exception {
    return JSON.readTree(os.post("/" + index + "/_count", "{\"query\":{\"term\":{\"name\":\"" + name + "\"}}}"))
        .get("count").asLong();
  }
}
