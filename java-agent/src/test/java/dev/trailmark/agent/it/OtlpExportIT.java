package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/HTTP JSON export when OTEL_EXPORTER_OTLP_ENDPOINT is set. No OTLP receiver runs on these machines,
 * so a wire-level stand-in records what arrives and the test checks it against the OTLP JSON encoding.
 */
class OtlpExportIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void sampledSpansArriveAsOtlpJson() throws Exception {
    List<String> posts = Collections.synchronizedList(new ArrayList<>());
    List<String> paths = Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    receiver.createContext("/", exchange -> {
      paths.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Content-Type"));
      posts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    try (ForkedApp app = ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
        .property("app.name", "otlp")
        .env("OTEL_SERVICE_NAME", "otlp-svc")
        .env("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test")
        .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
        .env("OTEL_TRACES_EXPORTER", "otlp")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort())
        .start(dir, "otlp")) {
      int port = app.awaitPort();
      String traceId = "0af7651916cd43dd8448eb211c80319c";
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
              .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(20)).until(() -> !posts.isEmpty());
      assertThat(paths.get(0)).isEqualTo("/v1/traces application/json");
      JsonNode body = JSON.readTree(posts.get(0));
      JsonNode resource = body.at("/resourceSpans/0/resource/attributes");
      assertThat(resource.toString()).contains("{\"key\":\"service.name\",\"value\":{\"stringValue\":\"otlp-svc\"}}")
          .contains("{\"key\":\"deployment.environment\",\"value\":{\"stringValue\":\"test\"}}");
      JsonNode span = body.at("/resourceSpans/0/scopeSpans/0/spans/0");
      assertThat(span.get("traceId").asText()).isEqualTo(traceId);
      assertThat(span.get("parentSpanId").asText()).isEqualTo("b7ad6b7169203331");
      assertThat(span.get("spanId").asText()).matches("[0-9a-f]{16}");
      assertThat(span.get("name").asText()).isEqualTo("GET /hop");
      assertThat(span.get("kind").asInt()).isEqualTo(2);
      assertThat(Long.parseLong(span.get("endTimeUnixNano").asText()))
          .isGreaterThanOrEqualTo(Long.parseLong(span.get("startTimeUnixNano").asText()));
      assertThat(span.get("attributes").toString())
          .contains("{\"key\":\"http.route\",\"value\":{\"stringValue\":\"/hop\"}}")
          .contains("{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"200\"}}");
      assertThat(span.at("/status/code").asInt()).isZero();
    } finally {
      receiver.stop(0);
    }
  }
}
