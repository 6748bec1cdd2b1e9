package dev.trailmark.agent.it;

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
 * Server spans on real Jetty 9.4 and 10 (javax.servlet) and 11 (jakarta.servlet) as a container: a
 * request a filter turns away and a path no servlet maps are spans, one span per request, an
 * asynchronous request ends when it completes.
 */
class JettyClassicIT {

  @TempDir Path dir;

  @ParameterizedTest(name = "Jetty {0}")
  @ValueSource(strings = {"9", "10", "11"})
  void everyRequestJettyHandlesIsOneServerSpanInTheCallersTrace(String jetty) throws Exception {
    String flavour = jetty.equals("11") ? "jakarta" : "javax";
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app = jetty(jetty, flavour, daemon).start(dir, "jetty" + jetty)) {
      int port = app.awaitPort();
      String root =
          UdpDaemon.traceRoot(
              "aabbccddeeff0011223344" + (jetty.length() == 1 ? "0" + jetty : jetty));
      String traceId = root.substring(2, 10) + root.substring(11);
      String xray = "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1";

      HttpResponse<String> ok = JettyIT.get(port, "/orders/42", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> boom = JettyIT.get(port, "/orders/boom", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> secret = JettyIT.get(port, "/orders/secret", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> nowhere = JettyIT.get(port, "/nowhere", "X-Amzn-Trace-Id", xray);
      HttpResponse<String> slow = JettyIT.get(port, "/slow/7", "X-Amzn-Trace-Id", xray);

      assertThat(ok.statusCode()).as(app.output()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("xray=" + xray + "\n");
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(secret.statusCode()).isEqualTo(401);
      assertThat(nowhere.statusCode()).isEqualTo(404);
      assertThat(slow.statusCode()).isEqualTo(202);
      assertThat(slow.body()).isEqualTo("late\n");

      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 5);
      Thread.sleep(500); // a second span of one request would arrive with its first
      assertThat(daemon.errors()).isEmpty();
      List<JsonNode> segments = daemon.documentsOfTrace(root);
      assertThat(segments)
          .as("one segment per request, no more: " + app.output())
          .hasSize(5)
          .allSatisfy(
              segment -> {
                assertThat(segment.get("name").asText()).isEqualTo("orders-jetty" + jetty);
                assertThat(segment.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
                assertThat(segment.at("/http/request/method").asText()).isEqualTo("GET");
              });
      JsonNode okSegment = JettyIT.status(segments, 200);
      assertThat(okSegment.at("/annotations/http_route").asText()).isEqualTo("/orders/*");
      assertThat(okSegment.at("/http/request/url").asText())
          .isEqualTo("http://127.0.0.1:" + port + "/orders/42");
      assertThat(okSegment.has("fault")).isFalse();
      JsonNode failed = JettyIT.status(segments, 500);
      assertThat(failed.at("/annotations/http_route").asText()).isEqualTo("/orders/*");
      assertThat(failed.get("fault").asBoolean()).isTrue();
      assertThat(failed.at("/cause/exceptions/0/type").asText())
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(failed.at("/cause/exceptions/0/message").asText()).isEqualTo("boom");
      // Turned away by the filter: no servlet ran, so no mapping, but a span with its status.
      JsonNode refused = JettyIT.status(segments, 401);
      assertThat(refused.get("error").asBoolean()).isTrue();
      assertThat(refused.at("/http/request/url").asText()).endsWith("/orders/secret");
      JsonNode missing = JettyIT.status(segments, 404);
      assertThat(missing.at("/http/request/url").asText()).endsWith("/nowhere");
      assertThat(missing.at("/annotations/http_route").isMissingNode()).isTrue();
      // The asynchronous request's span lasts until the worker completes it.
      JsonNode late = JettyIT.status(segments, 202);
      assertThat(late.at("/annotations/http_route").asText()).isEqualTo("/slow/*");
      assertThat(late.get("end_time").asDouble() - late.get("start_time").asDouble())
          .isGreaterThanOrEqualTo(0.3);

      String refusedSpan = refused.get("id").asText();
      String okSpan = okSegment.get("id").asText();
      app.awaitLogLines(
          lines ->
              lines
                  .anyMatch(
                      ForkedApp.logged(
                          "guard filter rejected /orders/secret", traceId, refusedSpan))
                  .anyMatch(
                      l ->
                          l.contains(flavour + " servlet handling /orders/42")
                              && l.contains("span_id=" + okSpan))
                  .anyMatch(
                      l ->
                          l.contains("slow " + flavour + " servlet answering /slow/7")
                              && l.contains("span_id=" + late.get("id").asText())));
    }
  }

  private static ForkedApp.Builder jetty(String jetty, String flavour, UdpDaemon daemon) {
    File jars = new File(System.getProperty("trailmark.target.dir", "target"), "jetty" + jetty);
    String classpath =
        Arrays.stream(jars.listFiles((d, n) -> n.endsWith(".jar")))
            .map(File::getAbsolutePath)
            .collect(Collectors.joining(File.pathSeparator));
    return ForkedApp.builder("dev.trailmark.agent.testapp.JettyClassicApp")
        .classpath(
            ForkedApp.applicationClasspath(
                    "/org/eclipse/jetty/",
                    "tomcat-embed-core",
                    "tomcat-annotations-api",
                    "javax.servlet-api",
                    "jakarta.servlet-api",
                    "springframework")
                + File.pathSeparator
                + classpath)
        .property("app.flavour", flavour)
        .tracedService("orders-jetty" + jetty, daemon);
  }
}
