package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server spans on real Jetty 12 (ee10) serving a plain jakarta servlet under {@code /orders/*}. */
class JettyIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void jettyRequestsContinueTheCallersTraceAndAreSegmentsNamedByTheServletMapping()
      throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.JettyApp")
                .classpath(
                    ForkedApp.applicationClasspath(
                        "tomcat-embed-core",
                        "tomcat-annotations-api",
                        "javax.servlet-api",
                        "springframework"))
                .property("app.servlet", "dev.trailmark.agent.testapp.JakartaOrdersServlet")
                .tracedService("orders-jetty", daemon)
                .env("TRAILMARK_METRICS_EXPORTER", "emf")
                .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
                .start(dir, "jetty")) {
      int port = app.awaitPort();
      String root = UdpDaemon.traceRoot("aabbccddeeff001122334466");
      String xrayTraceId = root.substring(2, 10) + root.substring(11);
      String xray = "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1";
      String w3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4766";
      String w3cRoot = "1-4bf92f35-77b34da6a3ce929d0e0e4766";

      HttpResponse<String> ok = get(port, "/orders/42", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> missing = get(port, "/orders/missing", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> boom = get(port, "/orders/boom", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> w3c =
          get(port, "/orders/7", "traceparent", "00-" + w3cTraceId + "-00f067aa0ba902b7-01");

      assertThat(ok.statusCode()).as(app.output()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("xray=" + xray + "\n");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(w3c.statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  daemon.documentsOfTrace(root).size() >= 3
                      && !daemon.documentsOfTrace(w3cRoot).isEmpty());
      assertThat(daemon.errors()).isEmpty();
      List<JsonNode> segments = daemon.documentsOfTrace(root);
      assertThat(segments)
          .as("one segment per request, no more")
          .hasSize(3)
          .allSatisfy(
              segment -> {
                assertThat(segment.get("name").asText()).isEqualTo("orders-jetty");
                assertThat(segment.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
                assertThat(segment.at("/annotations/http_route").asText()).isEqualTo("/orders/*");
                assertThat(segment.at("/http/request/method").asText()).isEqualTo("GET");
                assertThat(segment.get("start_time").asDouble())
                    .isLessThanOrEqualTo(segment.get("end_time").asDouble());
              });
      JsonNode okSegment = status(segments, 200);
      assertThat(okSegment.at("/http/request/url").asText())
          .isEqualTo("http://127.0.0.1:" + port + "/orders/42");
      assertThat(okSegment.has("fault")).isFalse();
      assertThat(okSegment.has("error")).isFalse();
      assertThat(status(segments, 404).get("error").asBoolean()).isTrue();
      JsonNode failed = status(segments, 500);
      assertThat(failed.get("fault").asBoolean()).isTrue();
      assertThat(failed.at("/cause/exceptions/0/type").asText())
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(failed.at("/cause/exceptions/0/message").asText()).isEqualTo("boom");

      // A W3C-only caller: its trace (as an X-Ray trace id) and its span as the segment's parent.
      List<JsonNode> w3cSegments = daemon.documentsOfTrace(w3cRoot);
      assertThat(w3cSegments).hasSize(1);
      assertThat(w3cSegments.get(0).get("parent_id").asText()).isEqualTo("00f067aa0ba902b7");
      assertThat(w3cSegments.get(0).at("/annotations/http_route").asText()).isEqualTo("/orders/*");

      // Logs written inside the servlet carry the trace and the server span's id.
      String okSpan = okSegment.get("id").asText();
      String w3cSpan = w3cSegments.get(0).get("id").asText();
      app.awaitLogLines(
          lines ->
              lines
                  .anyMatch(
                      l ->
                          l.contains("jakarta servlet handling /orders/42")
                              && l.contains("trace_id=" + xrayTraceId)
                              && l.contains("span_id=" + okSpan)
                              && l.contains("xray=" + root + "@" + okSpan))
                  .anyMatch(
                      l ->
                          l.contains("jakarta servlet handling /orders/7")
                              && l.contains("trace_id=" + w3cTraceId)
                              && l.contains("span_id=" + w3cSpan)
                              && l.contains("trace_flags=01")));

      // RED metrics are tagged with the mapping too, never the raw path.
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(emfLines(app))
                      .anyMatch(
                          l ->
                              l.contains("\"route\":\"/orders/*\"")
                                  && l.contains("\"status\":\"2xx\"")
                                  && l.contains("\"service\":\"orders-jetty\""))
                      .anyMatch(
                          l ->
                              l.contains("\"route\":\"/orders/*\"")
                                  && l.contains("\"status\":\"5xx\"")));
      assertThat(emfLines(app))
          .noneMatch(l -> l.contains("/orders/42") || l.contains("/orders/boom"));
    }
  }

  static List<String> emfLines(ForkedApp app) {
    return app.output().lines().filter(l -> l.startsWith("{\"_aws\"")).toList();
  }

  static JsonNode status(List<JsonNode> segments, int status) {
    return segments.stream()
        .filter(s -> s.at("/http/response/status").asInt() == status)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no segment with status " + status + " in " + segments));
  }

  /** GETs {@code path} from the forked app on {@code port}. */
  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code path} from the forked app on {@code port} with one request header. */
  static HttpResponse<String> get(int port, String path, String header, String value)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header(header, value)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
