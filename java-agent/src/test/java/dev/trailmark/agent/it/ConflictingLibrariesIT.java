package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application with its own, different versions of the agent's kind of libraries keeps working,
 * traced.
 */
class ConflictingLibrariesIT {

  @TempDir Path dir;

  @Test
  void applicationBundlingOtherVersionsOfOtelMicrometerByteBuddyAndJacksonWorksAndIsTraced()
      throws Exception {
    File conflicts = new File(System.getProperty("trailmark.conflicts.dir", "target/conflicts"));
    String jars =
        Arrays.stream(conflicts.listFiles((d, n) -> n.endsWith(".jar")))
            .map(File::getAbsolutePath)
            .collect(Collectors.joining(File.pathSeparator));
    String classpath =
        ForkedApp.applicationClasspath(
                "jackson",
                "micrometer",
                "opentelemetry",
                "HdrHistogram",
                "LatencyUtils",
                "jspecify")
            + File.pathSeparator
            + jars;
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.ConflictApp")
                .classpath(classpath)
                .property("app.name", "conflicted")
                .tracedService("conflicted", daemon)
                .env(
                    "TRAILMARK_METRICS_EXPORTER",
                    "emf") // the agent's own (shaded) Micrometer runs beside the app's
                .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
                .start(dir, "conflicted")) {
      int port = app.awaitPort();
      assertThat(app.output())
          .contains("CONFLICT micrometer=1.17.2 jackson=2.17.2")
          .contains("opentelemetry-api-1.58.0.jar")
          .contains("byte-buddy-1.14.18.jar")
          .contains("generated=dev.trailmark.agent.testapp.Generated json={\"count\":3.0}")
          .doesNotContain("[trailmark-agent] not started")
          .doesNotContain("could not instrument");

      String root = UdpDaemon.traceRoot("c0ffeec0ffeec0ffeec0ffee");
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                      .header("X-Amzn-Trace-Id", "Root=" + root)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() == 1);
      String traceId = root.substring(2, 10) + root.substring(11);
      app.awaitLogLines(
          lines ->
              lines.anyMatch(
                  l -> l.contains("trace_id=" + traceId) && l.contains("handling /hop")));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> app.output().contains("\"route\":\"/hop\""));
    }
  }
}
