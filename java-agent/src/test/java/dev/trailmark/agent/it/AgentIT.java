package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent jar on three forked services, A → B → C (A calls B with HttpClient.send, B calls C
 * with sendAsync), each logging on its request thread, a pool thread and a CompletableFuture stage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern LOG_TRACE =
      Pattern.compile("trace_id=(\\S*) span_id=(\\S*) trace_flags=(\\S*) xray=(\\S*)");

  @TempDir static Path dir;
  private UdpDaemon daemon;
  private final List<ForkedApp> apps = new ArrayList<>();
  private int portA;

  @BeforeAll
  void startChain() throws Exception {
    daemon = new UdpDaemon();
    portA = startChain(ForkedApp.JAVA_17, "j17");
  }

  private int startChain(String java, String tag) throws Exception {
    ForkedApp c = service(java, "c-" + tag, null, "jdk").start(dir, "c-" + tag);
    apps.add(c);
    int portC = c.awaitPort();
    ForkedApp b =
        service(java, "b-" + tag, "http://127.0.0.1:" + portC + "/hop", "jdk-async")
            .start(dir, "b-" + tag);
    apps.add(b);
    int portB = b.awaitPort();
    ForkedApp a =
        service(java, "a-" + tag, "http://127.0.0.1:" + portB + "/hop", "jdk")
            .start(dir, "a-" + tag);
    apps.add(a);
    return a.awaitPort();
  }

  private ForkedApp.Builder service(String java, String name, String next, String client) {
    return ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
        .java(java)
        .property("app.name", name)
        .property("app.next", next == null ? "" : next)
        .property("app.client", client)
        .tracedService(name, daemon);
  }

  @AfterAll
  void stop() {
    apps.forEach(ForkedApp::close);
    daemon.close();
  }

  private static List<Map<String, String>> hop(int port, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"));
    headers.forEach(request::header);
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    // One block per service: service=, xray=, traceparent=, tracestate= as each one received them.
    List<Map<String, String>> services = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      int eq = line.indexOf('=');
      String key = line.substring(0, eq);
      if (key.equals("service")) {
        services.add(new LinkedHashMap<>());
      }
      services.get(services.size() - 1).put(key, line.substring(eq + 1));
    }
    return services;
  }

  private static String field(String header, String name) {
    for (String part : header.split(";")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** Asserts every service logged its request, pool and async lines under {@code traceId}. */
  private void assertLogsCarry(String traceId, String tag) {
    for (String service : List.of("a-", "b-", "c-")) {
      ForkedApp app =
          apps.stream()
              .filter(a -> a.output().contains("started " + service + tag))
              .findFirst()
              .orElseThrow();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                List<String> lines = new ArrayList<>();
                for (String line : app.logLines()) {
                  if (line.contains("trace_id=" + traceId)) {
                    lines.add(line);
                  }
                }
                assertThat(lines)
                    .as(service + tag + " log lines of trace " + traceId + " in\n" + app.output())
                    .anyMatch(l -> l.contains("handling /hop"))
                    .anyMatch(l -> l.contains("pool work") && l.contains("[pool-"))
                    .anyMatch(l -> l.contains("async work"));
                for (String line : lines) {
                  Matcher m = LOG_TRACE.matcher(line);
                  assertThat(m.find()).isTrue();
                  assertThat(m.group(2)).matches("[0-9a-f]{16}");
                  assertThat(m.group(3)).isEqualTo("01");
                  assertThat(m.group(4))
                      .isEqualTo(
                          "1-"
                              + traceId.substring(0, 8)
                              + "-"
                              + traceId.substring(8)
                              + "@"
                              + m.group(2));
                }
              });
    }
  }

  @Test
  void albRootOnlyHeaderIsOneTraceThroughAllThreeServicesTheirLogsAndSegments() throws Exception {
    assertChain(portA, "j17");
  }

  @Test
  void sameChainOnANewerJdk() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(NewerJdk.java().isPresent(), NewerJdk::noneFound);
    int port = startChain(NewerJdk.java().get().toString(), "j25");
    assertChain(port, "j25");
  }

  private void assertChain(int port, String tag) throws Exception {
    String root = UdpDaemon.traceRoot("abcdef0123456789" + tag.replace("j", "000000"));
    String traceId = root.substring(2, 10) + root.substring(11);

    List<Map<String, String>> services =
        hop(
            port,
            Map.of("X-Amzn-Trace-Id", "Self=1-67891234-12456789abcdef012345678;Root=" + root));

    assertThat(services)
        .extracting(s -> s.get("service"))
        .containsExactly("a-" + tag, "b-" + tag, "c-" + tag);
    List<String> parents = new ArrayList<>();
    for (Map<String, String> downstream : services.subList(1, 3)) {
      String xray = downstream.get("xray");
      assertThat(field(xray, "Root")).isEqualTo(root);
      assertThat(field(xray, "Sampled")).isEqualTo("1");
      assertThat(xray).doesNotContain("Self=");
      String parent = field(xray, "Parent");
      assertThat(parent).matches("[0-9a-f]{16}");
      assertThat(downstream.get("traceparent")).isEqualTo("00-" + traceId + "-" + parent + "-01");
      parents.add(parent);
    }
    assertLogsCarry(traceId, tag);

    // Segments: three services, two outbound calls, linked child to parent.
    await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 5);
    assertThat(daemon.errors()).isEmpty();
    List<JsonNode> docs = daemon.documentsOfTrace(root);
    assertThat(docs).hasSize(5);
    Map<String, JsonNode> segments = new LinkedHashMap<>();
    Map<String, JsonNode> subsegments = new LinkedHashMap<>();
    for (JsonNode doc : docs) {
      assertThat(doc.get("id").asText()).matches("[0-9a-f]{16}");
      assertThat(doc.get("end_time").asDouble())
          .isGreaterThanOrEqualTo(doc.get("start_time").asDouble());
      assertThat(doc.get("start_time").asDouble()).isGreaterThan(1.7e9);
      if (doc.has("type")) {
        assertThat(doc.get("type").asText()).isEqualTo("subsegment");
        subsegments.put(doc.get("id").asText(), doc);
      } else {
        segments.put(doc.get("name").asText(), doc);
      }
    }
    assertThat(segments.keySet()).containsExactlyInAnyOrder("a-" + tag, "b-" + tag, "c-" + tag);
    assertThat(subsegments.keySet()).containsExactlyInAnyOrderElementsOf(parents);
    JsonNode a = segments.get("a-" + tag);
    JsonNode b = segments.get("b-" + tag);
    JsonNode c = segments.get("c-" + tag);
    assertThat(a.has("parent_id"))
        .as("ALB sent Root only: A is the trace's first segment")
        .isFalse();
    assertThat(subsegments.get(parents.get(0)).get("parent_id").asText())
        .isEqualTo(a.get("id").asText());
    assertThat(b.get("parent_id").asText()).isEqualTo(parents.get(0));
    assertThat(subsegments.get(parents.get(1)).get("parent_id").asText())
        .isEqualTo(b.get("id").asText());
    assertThat(c.get("parent_id").asText()).isEqualTo(parents.get(1));
    assertThat(a.at("/http/response/status").asInt()).isEqualTo(200);
    assertThat(a.at("/annotations/http_route").asText()).isEqualTo("/hop");
  }

  @Test
  void w3cOnlyCallerJoinsAndItsTraceStateTravels() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    List<Map<String, String>> services =
        hop(
            portA,
            Map.of(
                "traceparent",
                "00-" + traceId + "-00f067aa0ba902b7-01",
                "tracestate",
                "congo=t61rcWkgMzE"));

    for (Map<String, String> downstream : services.subList(1, 3)) {
      assertThat(downstream.get("traceparent")).startsWith("00-" + traceId + "-").endsWith("-01");
      assertThat(downstream.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
      assertThat(field(downstream.get("xray"), "Root"))
          .isEqualTo("1-4bf92f35-77b34da6a3ce929d0e0e4736");
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> daemon.documentsOfTrace("1-4bf92f35-77b34da6a3ce929d0e0e4736").size() >= 5);
    JsonNode a =
        daemon.documentsOfTrace("1-4bf92f35-77b34da6a3ce929d0e0e4736").stream()
            .filter(d -> d.get("name").asText().startsWith("a-"))
            .findFirst()
            .orElseThrow();
    assertThat(a.get("parent_id").asText()).isEqualTo("00f067aa0ba902b7");
  }

  @Test
  void malformedHeadersStartANewTraceAndAreNeverEchoed() throws Exception {
    String bad = "Root=1-5759e988-bd862e3fe1be46a99427279Z;Parent=53995c3f42cd8ad8;Sampled=1";
    String badParent = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-zz";

    List<Map<String, String>> services =
        hop(
            portA,
            Map.of("X-Amzn-Trace-Id", bad, "traceparent", badParent, "tracestate", "evil=1"));

    String root = field(services.get(1).get("xray"), "Root");
    assertThat(root).matches("1-[0-9a-f]{8}-[0-9a-f]{24}");
    long epoch = Long.parseLong(root.substring(2, 10), 16);
    assertThat(epoch)
        .as("a new, time-prefixed trace")
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    for (Map<String, String> downstream : services.subList(1, 3)) {
      assertThat(String.join("|", downstream.values()))
          .doesNotContain("5759e988", "53995c3f42cd8ad8", "4bf92f35", "evil");
      assertThat(field(downstream.get("xray"), "Root")).isEqualTo(root);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 5);
    JsonNode a =
        daemon.documentsOfTrace(root).stream()
            .filter(d -> d.get("name").asText().startsWith("a-"))
            .findFirst()
            .orElseThrow();
    assertThat(a.has("parent_id")).isFalse();
  }

  @Test
  void anAgentThatCannotStartPrintsOneLineAndTheApplicationRuns() throws Exception {
    try (ForkedApp app =
        ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
            .property("app.name", "broken")
            .env("OTEL_TRACES_SAMPLER", "sometimes")
            .start(dir, "broken")) {
      int port = app.awaitPort();
      List<Map<String, String>> services = hop(port, Map.of());
      assertThat(services).hasSize(1);
      List<String> agentLines =
          app.output().lines().filter(l -> l.contains("[trailmark-agent]")).toList();
      assertThat(agentLines).hasSize(1);
      assertThat(agentLines.get(0)).contains("not started").contains("OTEL_TRACES_SAMPLER");
    }
  }

  @Test
  void noAgentClassIsVisibleToTheApplicationBeyondTheBootstrapBridge() throws Exception {
    try (ForkedApp app =
        ForkedApp.builder("dev.trailmark.agent.testapp.VisibilityApp")
            .arg("dev.trailmark.agent.internal.AgentInstaller")
            .arg("dev.trailmark.agent.internal.trace.Tracer")
            .arg("dev.trailmark.agent.shaded.net.bytebuddy.ByteBuddy")
            .arg("net.bytebuddy.ByteBuddy")
            .arg("dev.trailmark.agent.bootstrap.Bridge")
            .start(dir, "visibility")) {
      app.awaitPort();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> app.output().contains("CLASS dev.trailmark.agent.bootstrap.Bridge"));
      String out = app.output();
      assertThat(out)
          .contains("CLASS dev.trailmark.agent.internal.AgentInstaller HIDDEN\n")
          .contains("CLASS dev.trailmark.agent.internal.trace.Tracer HIDDEN\n")
          .contains("CLASS dev.trailmark.agent.shaded.net.bytebuddy.ByteBuddy HIDDEN\n")
          .contains("CLASS net.bytebuddy.ByteBuddy HIDDEN\n")
          .contains("CLASS dev.trailmark.agent.bootstrap.Bridge VISIBLE");
    }
  }

  @Test
  void debugSwitchPrintsWhatWasInstrumented() throws Exception {
    try (ForkedApp app =
        service(ForkedApp.JAVA_17, "debug", null, "jdk")
            .env("TRAILMARK_DEBUG", "true")
            .start(dir, "debug")) {
      int port = app.awaitPort();
      hop(port, Map.of());
      String out = app.output();
      assertThat(out)
          .contains(
              "[trailmark-agent] instrumented jdk-httpserver: com.sun.net.httpserver.Filter$Chain.doFilter(")
          .contains(
              "[trailmark-agent] instrumented jdk-httpclient: jdk.internal.net.http.HttpClientFacade.send(")
          .contains(
              "[trailmark-agent] instrumented jdk-httpclient: jdk.internal.net.http.HttpClientFacade.sendAsync(")
          .contains(
              "[trailmark-agent] instrumented logback-mdc: ch.qos.logback.classic.spi.LoggingEvent.<init>(")
          .contains(
              "[trailmark-agent] instrumented executors: java.util.concurrent.ThreadPoolExecutor.execute(")
          .contains(
              "[trailmark-agent] instrumented executors: java.util.concurrent.ForkJoinPool.execute(");
    }
    assertThat(Files.exists(dir)).isTrue();
  }
}
