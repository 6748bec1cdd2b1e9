package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's RED and JVM metrics, published by Micrometer's CloudWatch registry through the shaded
 * AWS SDK (PutMetricData, SigV4), and its spans (X-Ray UDP) reach the real local collector and land
 * in OpenSearch; the {@code cloudwatch} exporter takes its credentials from the SDK's default chain
 * (an ECS task role here); with the EMF exporter they are CloudWatch EMF lines.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class MetricsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void redMetricsAndSpansReachTheLocalCollector(OpenSearchInstance os, LocalCollector collector)
      throws Exception {
    try (ForkedApp downstream =
        metered(collector, "metered-downstream", "").start(dir, "downstream")) {
      int downstreamPort = downstream.awaitPort();
      try (ForkedApp app =
          metered(collector, "metered", "http://127.0.0.1:" + downstreamPort + "/hop")
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

  private void assertMetricsAndSpans(OpenSearchInstance os, LocalCollector collector, ForkedApp app)
      throws Exception {
    {
      int port = app.awaitPort();
      String metrics = os.indexPrefix() + "metrics-*";
      // At once: requests that end while the registry and the SDK client are still being built
      // count exactly once.
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        // With the metrics publisher's own HTTP client in the process, outbound calls still carry
        // the trace.
        assertThat(response.body())
            .as(app.output())
            .containsPattern("service=metered-downstream\nxray=Root=1-");
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fail"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(503);

      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
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
                assertThat(total).as("%s\n%s", ok, app.output()).isEqualTo(5);
                JsonNode failed =
                    search(os, metrics, "http.server.requests.count", "/fail", "SERVER_ERROR");
                assertThat(failed.at("/hits/hits")).isNotEmpty();
                assertThat(
                        search(os, metrics, "http.server.requests.max", "/hop", "SUCCESS")
                            .at("/hits/hits"))
                    .isNotEmpty();
                assertThat(
                        search(
                                os,
                                metrics,
                                "http.server.requests.percentile.value",
                                "/hop",
                                "SUCCESS")
                            .at("/hits/hits"))
                    .as("p50/p90/p99 of the histogram")
                    .isNotEmpty();
                assertThat(count(os, metrics, "jvm.memory.used.value")).isPositive();
                assertThat(
                        count(os, metrics, "jvm.gc.pause.count")
                            + count(os, metrics, "jvm.threads.live.value"))
                    .isPositive();
                assertThat(count(os, metrics, "trailmark.spans.exported.count"))
                    .as("the agent's own health")
                    .isPositive();
                assertThat(count(os, metrics, "trailmark.spans.dropped.count")).isPositive();
                assertThat(count(os, metrics, "trailmark.metrics.dropped.count")).isPositive();
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                os.refresh(os.indexPrefix() + "otel-v1-apm-span-*");
                assertThat(os.count(os.indexPrefix() + "otel-v1-apm-span-*"))
                    .isGreaterThanOrEqualTo(6);
              });
      // Nothing of the SDK, Netty or Micrometer in the application's output: no warning, no failed
      // publish.
      assertThat(app.output()).doesNotContain("[trailmark-agent]").doesNotContain("SLF4J");
    }
  }

  @Test
  void cloudwatchExporterSignsWithTheContainerRoleOfTheDefaultCredentialChain(OpenSearchInstance os)
      throws Exception {
    // What ECS gives a task with a role: no keys in the environment, a loopback URI serving
    // temporary credentials.
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer credentials =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    credentials.createContext(
        "/v2/credentials/task",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] body =
              ("{\"AccessKeyId\":\"ASIATASKROLE\",\"SecretAccessKey\":\"task-role-secret\","
                      + "\"Token\":\"task-role-session-token\",\"Expiration\":\""
                      + Instant.now().plus(Duration.ofHours(1))
                      + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    credentials.start();
    try (LocalCollector collector =
            LocalCollector.builder()
                .openSearch(os.baseUri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(0)
                .stateDir(dir.resolve("role-collector"))
                .credentials(
                    "ASIATASKROLE", "task-role-secret") // the only key it accepts: the task role's
                .build()
                .start();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
                .property("app.name", "task-role")
                .env("OTEL_SERVICE_NAME", "task-role")
                .env("OTEL_TRACES_EXPORTER", "none")
                .env("TRAILMARK_METRICS_EXPORTER", "cloudwatch")
                .env("TRAILMARK_METRICS_ENDPOINT", collector.httpEndpoint().toString())
                .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
                .env("AWS_REGION", "us-east-1")
                .env(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    "http://127.0.0.1:"
                        + credentials.getAddress().getPort()
                        + "/v2/credentials/task")
                .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-auth-token")
                // No profile of this machine's user may answer first, nor an instance metadata
                // service.
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString())
                .env("AWS_CONFIG_FILE", dir.resolve("no-config").toString())
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .start(dir, "task-role")) {
      int port = app.awaitPort();
      assertThat(JettyIT.get(port, "/hop").statusCode()).isEqualTo(200);

      String metrics = os.indexPrefix() + "metrics-*";
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                os.refresh(metrics);
                JsonNode hop =
                    JSON.readTree(
                        os.post(
                            "/" + metrics + "/_search",
                            "{\"query\":{\"bool\":{\"filter\":["
                                + "{\"term\":{\"name\":\"http.server.requests.count\"}},"
                                + "{\"term\":{\"dimensions.route\":\"/hop\"}},"
                                + "{\"term\":{\"dimensions.service\":\"task-role\"}}]}}}"));
                assertThat(hop.at("/hits/hits")).as(app.output()).isNotEmpty();
              });
      assertThat(authorizations)
          .as("the SDK's container provider fetched the role's credentials")
          .isNotEmpty()
          .allMatch("task-auth-token"::equals);
      assertThat(app.output()).doesNotContain("[trailmark-agent]");
    } finally {
      credentials.stop(0);
    }
  }

  /**
   * On a newer JDK too (25 here): the shaded Netty must not print the JDK's sun.misc.Unsafe
   * deprecation warning.
   */
  @ParameterizedTest
  @ValueSource(strings = {"build", "newer"})
  void aFailingPublishIsOneAgentLineAndNeverReachesTheApplicationsLogging(String jdk)
      throws Exception {
    if (jdk.equals("newer")) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          NewerJdk.java().isPresent(), NewerJdk::noneFound);
    }
    String java = jdk.equals("newer") ? NewerJdk.java().get().toString() : ForkedApp.JAVA_17;
    assertThat(Path.of(java)).exists();
    int closedPort;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (ForkedApp app =
        ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
            .java(java)
            .property("app.name", "unreachable")
            .property("logback.configurationFile", "debug-logback.xml")
            .env("OTEL_SERVICE_NAME", "unreachable")
            .env("OTEL_TRACES_EXPORTER", "none")
            .env("TRAILMARK_METRICS_EXPORTER", "collector")
            .env("TRAILMARK_METRICS_ENDPOINT", "http://127.0.0.1:" + closedPort)
            .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
            .start(dir, "unreachable-" + jdk)) {
      int port = app.awaitPort();
      assertThat(JettyIT.get(port, "/hop").statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> app.output().contains("[trailmark-agent] "));
      List<String> agentLines =
          app.output().lines().filter(l -> l.contains("[trailmark-agent]")).toList();
      assertThat(agentLines)
          .as(app.output())
          .allMatch(
              l ->
                  l.startsWith("[trailmark-agent] WARN ")
                      || l.startsWith("[trailmark-agent] ERROR "));
      assertThat(String.join("\n", agentLines)).contains("sending metric data");
      assertThat(app.output()).doesNotContain("WARNING").doesNotContain("SLF4J");
      // The application's own DEBUG logging works and holds nothing of the SDK, Netty or
      // Micrometer.
      assertThat(app.logLines())
          .as(app.output())
          .anyMatch(l -> l.contains("dev.trailmark.agent.testapp"))
          .noneMatch(l -> l.contains("amazon") || l.contains("netty") || l.contains("micrometer"));
    }
  }

  @Test
  void emfExporterWritesEmbeddedMetricFormatLines() throws Exception {
    try (ForkedApp app =
        ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
            .property("app.name", "emf")
            .env("OTEL_SERVICE_NAME", "emf")
            .env("TRAILMARK_METRICS_EXPORTER", "emf")
            .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
            .start(dir, "emf")) {
      int port = app.awaitPort();
      JettyIT.get(port, "/hop");
      // The step the request fell in is published when it closes; earlier steps of the meter report
      // 0.
      String countOne = "\"http.server.requests.count\":1.0";
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  app.output()
                      .lines()
                      .anyMatch(
                          l ->
                              l.startsWith("{\"_aws\"")
                                  && l.contains("\"route\":\"/hop\"")
                                  && l.contains(countOne)));
      String line =
          app.output()
              .lines()
              .filter(
                  l ->
                      l.startsWith("{\"_aws\"")
                          && l.contains("\"route\":\"/hop\"")
                          && l.contains(countOne))
              .findFirst()
              .orElseThrow();
      JsonNode emf = JSON.readTree(line);
      assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Trailmark");
      assertThat(emf.at("/_aws/Timestamp").asLong()).isPositive();
      JsonNode dimensions = emf.at("/_aws/CloudWatchMetrics/0/Dimensions/0");
      assertThat(dimensions.toString())
          .contains("\"service\"", "\"method\"", "\"route\"", "\"status\"", "\"outcome\"");
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

  private static JsonNode search(
      OpenSearchInstance os, String index, String name, String route, String outcome)
      throws Exception {
    String query =
        "{\"size\":100,\"query\":{\"bool\":{\"filter\":["
            + "{\"term\":{\"name\":\""
            + name
            + "\"}},"
            + "{\"term\":{\"dimensions.route\":\""
            + route
            + "\"}},"
            + "{\"term\":{\"dimensions.outcome\":\""
            + outcome
            + "\"}},"
            + "{\"term\":{\"dimensions.service\":\"metered\"}}]}}}";
    return JSON.readTree(os.post("/" + index + "/_search", query));
  }

  private static long count(OpenSearchInstance os, String index, String name) throws Exception {
    return JSON.readTree(
            os.post("/" + index + "/_count", "{\"query\":{\"term\":{\"name\":\"" + name + "\"}}}"))
        .get("count")
        .asLong();
  }
}
