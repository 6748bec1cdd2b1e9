package dev.trailmark.agent.it;

import static dev.trailmark.agent.it.JettyIT.emfLines;
import static dev.trailmark.agent.it.JettyIT.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spring MVC ({@code DispatcherServlet}, {@code @GetMapping("/orders/{id}")}): 6.2 on real Tomcat
 * 11 and Jetty 12 (jakarta.servlet), 5.3 on Tomcat 9 (javax.servlet); set up as Spring Boot sets it
 * up (dispatcher at {@code /}, a global error page at {@code /error}), plus a second dispatcher
 * under {@code /api/*}: server spans are named by the controller's route template, never the raw
 * path.
 */
class SpringMvcIT {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"tomcat", "jetty", "tomcat9"})
  void springRequestsAreSegmentsNamedByTheMatchedRouteTemplate(String container) throws Exception {
    String service = "orders-spring-" + container;
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.SpringApp")
                .classpath(classpath(container))
                .property("app.container", container.equals("jetty") ? "jetty" : "tomcat")
                .property(
                    "app.filter",
                    "dev.trailmark.agent.testapp."
                        + (container.equals("tomcat9") ? "JavaxGuardFilter" : "JakartaGuardFilter"))
                .tracedService(service, daemon)
                .env("TRAILMARK_METRICS_EXPORTER", "emf")
                .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
                .start(dir, container)) {
      int port = app.awaitPort();
      String tag = container.equals("jetty") ? "77" : container.equals("tomcat") ? "88" : "99";
      String root = UdpDaemon.traceRoot("aabbccddeeff0011223344" + tag);
      String xrayTraceId = root.substring(2, 10) + root.substring(11);
      String xray = "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1";
      String w3cTraceId = "4bf92f3577b34da6a3ce929d0e0e47" + tag;
      String w3cRoot = "1-" + w3cTraceId.substring(0, 8) + "-" + w3cTraceId.substring(8);

      HttpResponse<String> ok = get(port, "/orders/42", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> missing = get(port, "/orders/missing", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> boom = get(port, "/orders/boom", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> api = get(port, "/api/orders/43", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> secret = get(port, "/orders/secret", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> unmapped = get(port, "/no/such/page", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> slow = get(port, "/slow-orders/9", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> slowBoom = get(port, "/slow-orders/boom", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> w3c =
          get(port, "/orders/7", "traceparent", "00-" + w3cTraceId + "-00f067aa0ba902b7-01");

      assertThat(ok.statusCode()).as(app.output()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("order=42\nxray=" + xray + "\ntraceparent=null\n");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(boom.body()).as("the container's error page served it").isEqualTo("error page\n");
      assertThat(api.statusCode()).isEqualTo(200);
      assertThat(secret.statusCode()).as("turned away by the filter").isEqualTo(401);
      assertThat(unmapped.statusCode()).isEqualTo(404);
      assertThat(slow.statusCode()).isEqualTo(200);
      assertThat(slow.body()).isEqualTo("slow order=9\n");
      assertThat(slowBoom.statusCode()).isEqualTo(500);
      assertThat(w3c.statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  daemon.documentsOfTrace(root).size() >= 8
                      && !daemon.documentsOfTrace(w3cRoot).isEmpty());
      assertThat(daemon.errors()).isEmpty();
      List<JsonNode> segments = daemon.documentsOfTrace(root);
      assertThat(segments)
          .as("one segment per request: the error page's dispatch is not another")
          .hasSize(8)
          .allSatisfy(
              segment -> {
                assertThat(segment.get("name").asText()).isEqualTo(service);
                assertThat(segment.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
                assertThat(segment.at("/http/request/method").asText()).isEqualTo("GET");
              });
      JsonNode okSegment = url(segments, port, "/orders/42");
      assertThat(okSegment.at("/annotations/http_route").asText()).isEqualTo("/orders/{id}");
      assertThat(okSegment.at("/http/response/status").asInt()).isEqualTo(200);
      JsonNode missingSegment = url(segments, port, "/orders/missing");
      assertThat(missingSegment.at("/annotations/http_route").asText()).isEqualTo("/orders/{id}");
      assertThat(missingSegment.at("/http/response/status").asInt()).isEqualTo(404);
      assertThat(missingSegment.get("error").asBoolean()).isTrue();
      JsonNode failed = url(segments, port, "/orders/boom");
      assertThat(failed.at("/annotations/http_route").asText()).isEqualTo("/orders/{id}");
      assertThat(failed.at("/http/response/status").asInt()).isEqualTo(500);
      assertThat(failed.get("fault").asBoolean()).isTrue();
      assertThat(failed.at("/cause/exceptions/0/type").asText())
          .as("the controller's exception, not the container's wrapper")
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(failed.at("/cause/exceptions/0/message").asText()).isEqualTo("boom");
      assertThat(url(segments, port, "/api/orders/43").at("/annotations/http_route").asText())
          .as("the dispatcher's servlet path prefix is part of the route")
          .isEqualTo("/api/orders/{id}");

      JsonNode rejected = url(segments, port, "/orders/secret");
      assertThat(rejected.at("/http/response/status").asInt()).isEqualTo(401);
      assertThat(rejected.get("error").asBoolean()).isTrue();
      assertThat(rejected.at("/annotations/http_route").isMissingNode())
          .as("no servlet saw it: no template is known, and the raw path is never one")
          .isTrue();
      JsonNode notFound = url(segments, port, "/no/such/page");
      assertThat(notFound.at("/http/response/status").asInt()).isEqualTo(404);
      assertThat(notFound.at("/annotations/http_route").isMissingNode())
          .as("no handler matched")
          .isTrue();

      // Asynchronous handlers: the segment lasts until the answer, with its status and its failure.
      JsonNode slowSegment = url(segments, port, "/slow-orders/9");
      assertThat(slowSegment.at("/annotations/http_route").asText()).isEqualTo("/slow-orders/{id}");
      assertThat(slowSegment.at("/http/response/status").asInt()).isEqualTo(200);
      assertThat(slowSegment.get("end_time").asDouble() - slowSegment.get("start_time").asDouble())
          .as("the worker's 200 ms are part of the request")
          .isGreaterThanOrEqualTo(0.2);
      JsonNode slowFailed = url(segments, port, "/slow-orders/boom");
      assertThat(slowFailed.at("/annotations/http_route").asText()).isEqualTo("/slow-orders/{id}");
      assertThat(slowFailed.at("/http/response/status").asInt()).isEqualTo(500);
      assertThat(slowFailed.get("fault").asBoolean()).isTrue();
      assertThat(slowFailed.at("/cause/exceptions/0/type").asText())
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(slowFailed.at("/cause/exceptions/0/message").asText()).isEqualTo("slow boom");

      List<JsonNode> w3cSegments = daemon.documentsOfTrace(w3cRoot);
      assertThat(w3cSegments).hasSize(1);
      assertThat(w3cSegments.get(0).get("parent_id").asText()).isEqualTo("00f067aa0ba902b7");
      assertThat(w3cSegments.get(0).at("/annotations/http_route").asText())
          .isEqualTo("/orders/{id}");

      String okSpan = okSegment.get("id").asText();
      String w3cSpan = w3cSegments.get(0).get("id").asText();
      app.awaitLogLines(
          lines ->
              lines
                  .anyMatch(
                      ForkedApp.logged("spring controller handling order 42", xrayTraceId, okSpan))
                  .as("filters run inside the request's span")
                  .anyMatch(ForkedApp.logged("guard filter passed /orders/42", xrayTraceId, okSpan))
                  .anyMatch(
                      ForkedApp.logged(
                          "guard filter rejected /orders/secret",
                          xrayTraceId,
                          rejected.get("id").asText()))
                  .as("the async worker logs inside the request's span")
                  .anyMatch(
                      ForkedApp.logged(
                          "spring worker finished slow order 9",
                          xrayTraceId,
                          slowSegment.get("id").asText()))
                  .anyMatch(
                      ForkedApp.logged("spring controller handling order 7", w3cTraceId, w3cSpan)));

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(emfLines(app))
                      .anyMatch(
                          l ->
                              l.contains("\"route\":\"/orders/{id}\"")
                                  && l.contains("\"status\":\"2xx\"")
                                  && l.contains("\"service\":\"" + service + "\""))
                      .anyMatch(
                          l ->
                              l.contains("\"route\":\"/orders/{id}\"")
                                  && l.contains("\"status\":\"5xx\""))
                      .anyMatch(l -> l.contains("\"route\":\"/api/orders/{id}\""))
                      .anyMatch(
                          l ->
                              l.contains("\"route\":\"/slow-orders/{id}\"")
                                  && l.contains("\"status\":\"5xx\"")));
      assertThat(emfLines(app))
          .noneMatch(
              l ->
                  l.contains("/orders/42")
                      || l.contains("/orders/secret")
                      || l.contains("/no/such")
                      || l.contains("/error"));
    }
  }

  private static String classpath(String container) {
    switch (container) {
      case "jetty": // Jetty's jakarta.servlet-api 6.0, not Tomcat's bundled copy of the API
        return ForkedApp.applicationClasspath("tomcat", "javax.servlet-api");
      case "tomcat":
        return ForkedApp.applicationClasspath("jetty", "jakarta.servlet-api", "javax.servlet-api");
      default: // Tomcat 9 and Spring 5 in place of Tomcat 11 and Spring 6
        return String.join(
            File.pathSeparator,
            ForkedApp.applicationClasspath("tomcat", "jetty", "jakarta.", "springframework"),
            jars("trailmark.tomcat9.dir", "target/tomcat9"),
            jars("trailmark.spring5.dir", "target/spring5"));
    }
  }

  private static String jars(String property, String fallback) {
    File dir = new File(System.getProperty(property, fallback));
    return Arrays.stream(dir.listFiles((d, n) -> n.endsWith(".jar")))
        .map(File::getAbsolutePath)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static JsonNode url(List<JsonNode> segments, int port, String path) {
    return segments.stream()
        .filter(s -> s.at("/http/request/url").asText().equals("http://127.0.0.1:" + port + path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no segment for " + path + " in " + segments));
  }
}
