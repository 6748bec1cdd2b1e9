package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server spans on real Tomcat: 11 with a jakarta.servlet servlet, 9 with a javax.servlet one. */
class ServletIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"jakarta", "javax"})
  void servletRequestsAreSpansNamedByTheirMappingWithTraceIdsInLogs(String flavour)
      throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app = tomcat(flavour, daemon).start(dir, flavour)) {
      int port = app.awaitPort();
      String root = UdpDaemon.traceRoot("aabbccddeeff001122334455");
      String traceId = root.substring(2, 10) + root.substring(11);

      HttpResponse<String> ok =
          get(port, "/orders/42", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
      HttpResponse<String> missing =
          get(port, "/orders/missing", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
      HttpResponse<String> boom =
          get(port, "/orders/boom", "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(boom.statusCode()).isEqualTo(500);
      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 3);
      assertThat(daemon.documentsOfTrace(root))
          .hasSize(3)
          .allSatisfy(
              segment -> {
                assertThat(segment.get("name").asText()).isEqualTo("orders-" + flavour);
                assertThat(segment.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
                assertThat(segment.at("/annotations/http_route").asText()).isEqualTo("/orders/*");
                assertThat(segment.at("/http/request/method").asText()).isEqualTo("GET");
              });
      assertThat(
              daemon.documentsOfTrace(root).stream()
                  .map(s -> s.at("/http/response/status").asInt()))
          .containsExactlyInAnyOrder(200, 404, 500);
      JsonNode failed =
          daemon.documentsOfTrace(root).stream()
              .filter(s -> s.at("/http/response/status").asInt() == 500)
              .findFirst()
              .orElseThrow();
      assertThat(failed.get("fault").asBoolean()).isTrue();
      assertThat(failed.at("/cause/exceptions/0/message").asText()).isEqualTo("boom");
      app.awaitLogLines(
          lines ->
              lines.anyMatch(
                  l ->
                      l.contains(flavour + " servlet handling /orders/42")
                          && l.contains("trace_id=" + traceId)));
    }
  }

  private static HttpResponse<String> get(int port, String path, String xray) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("X-Amzn-Trace-Id", xray)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ForkedApp.Builder tomcat(String flavour, UdpDaemon daemon) {
    ForkedApp.Builder builder =
        ForkedApp.builder("dev.trailmark.agent.testapp.TomcatApp")
            .property(
                "app.servlet",
                "dev.trailmark.agent.testapp."
                    + (flavour.equals("jakarta") ? "JakartaOrdersServlet" : "JavaxOrdersServlet"))
            .tracedService("orders-" + flavour, daemon);
    if (flavour.equals("javax")) {
      File tomcat9 = new File(System.getProperty("trailmark.tomcat9.dir", "target/tomcat9"));
      String jars =
          Arrays.stream(tomcat9.listFiles((d, n) -> n.endsWith(".jar")))
              .map(File::getAbsolutePath)
              .collect(Collectors.joining(File.pathSeparator));
      builder.classpath(
          ForkedApp.applicationClasspath("tomcat-embed-core", "jakarta.")
              + File.pathSeparator
              + jars);
    } else {
      builder.classpath(ForkedApp.applicationClasspath("javax.servlet-api"));
    }
    return builder;
  }
}
