package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
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
 * OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set: the OpenTelemetry SDK's exporter inside
 * the agent sends to the real local collector's OTLP receiver, which indexes the spans into
 * OpenSearch.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class OtlpExportIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void sampledSpansArriveThroughOtlpWithTheirResourceAndAttributes(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    try (ForkedApp app =
        ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
            .property("app.name", "otlp")
            .env("OTEL_SERVICE_NAME", "otlp-svc")
            .env("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
            .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
            .env("OTEL_TRACES_EXPORTER", "otlp")
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.httpEndpoint().toString())
            .start(dir, "otlp")) {
      int port = app.awaitPort();
      String traceId = "0af7651916cd43dd8448eb211c80319c";
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                      .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);

      String spans = os.indexPrefix() + "otel-v1-apm-span-*";
      JsonNode span =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(
                  () -> { // a new index answers 503 until its shard starts
                    os.refresh(spans);
                    JsonNode hits =
                        JSON.readTree(
                                os.post(
                                    "/" + spans + "/_search",
                                    "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"traceId\":\""
                                        + traceId
                                        + "\"}},"
                                        + "{\"term\":{\"kind\":\"SPAN_KIND_SERVER\"}}]}}}"))
                            .at("/hits/hits");
                    return hits.size() == 1 ? hits.get(0).get("_source") : null;
                  },
                  s -> s != null);

      assertThat(span.get("parentSpanId").asText()).isEqualTo("b7ad6b7169203331");
      assertThat(span.get("spanId").asText()).matches("[0-9a-f]{16}");
      assertThat(span.get("name").asText()).isEqualTo("GET /hop");
      assertThat(span.get("serviceName").asText()).isEqualTo("otlp-svc");
      assertThat(span.get("resource.attributes.deployment@environment").asText()).isEqualTo("test");
      assertThat(span.get("span.attributes.http@route").asText()).isEqualTo("/hop");
      assertThat(span.get("span.attributes.http@response@status_code").asLong()).isEqualTo(200);
      assertThat(span.at("/status/code").asInt()).isZero();
      assertThat(app.output()).doesNotContain("Failed to export");
    }
  }
}
