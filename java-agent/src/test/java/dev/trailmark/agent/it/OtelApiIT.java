package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applications that bundle their own OpenTelemetry API, 1.10 (old) and the current 1.x, in a forked
 * JVM with the agent: their spans, {@code Span.current()}, scopes, propagation and baggage are the
 * agent's trace; without the agent the API stays a no-op.
 */
class OtelApiIT {

  private static final String APP = "dev.trailmark.agent.testapp.OtelApiApp";

  @TempDir Path dir;

  /** The application's classpath with OpenTelemetry API 1.10 instead of the current one. */
  private static String oldApiClasspath() {
    File old = new File(System.getProperty("trailmark.otel-api-old.dir", "target/otel-api-old"));
    String jars =
        Arrays.stream(old.listFiles((d, n) -> n.endsWith(".jar")))
            .map(File::getAbsolutePath)
            .collect(Collectors.joining(File.pathSeparator));
    return ForkedApp.applicationClasspath("/io/opentelemetry/opentelemetry-")
        + File.pathSeparator
        + jars;
  }

  @Test
  void anOldApisSpansAreInTheAgentsTrace() throws Exception {
    oneTrace(oldApiClasspath(), "old");
  }

  @Test
  void theCurrentApisSpansAreInTheAgentsTrace() throws Exception {
    oneTrace(ForkedApp.applicationClasspath(), "current");
  }

  /**
   * Agent server span → the application's span (attributes, event, status, exception) → the agent's
   * client span → the next server span: one trace, each the child of the one before.
   */
  private void oneTrace(String classpath, String name) throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder(APP)
                .classpath(classpath)
                .arg("serve")
                .tracedService("orders", daemon)
                .start(dir, name)) {
      int port = app.awaitPort();
      String root = UdpDaemon.traceRoot("a1a2a3a4a5a6a7a8a9aaabac");
      String traceId = root.substring(2).replace("-", "");
      HttpResponse<String> response =
          JettyIT.get(
              port,
              "/work",
              "X-Amzn-Trace-Id",
              "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
      Map<String, String> seen = new LinkedHashMap<>();
      response
          .body()
          .lines()
          .filter(l -> l.contains("="))
          .forEach(l -> seen.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
      assertThat(seen).as(response.body() + app.output()).containsEntry("downstream", "ok");
      // What the application sees through its API is the agent's trace.
      assertThat(seen.get("server.trace")).isEqualTo(traceId);
      assertThat(seen.get("app.trace")).isEqualTo(traceId);
      assertThat(seen.get("inside.current")).isEqualTo(seen.get("app.span"));
      assertThat(seen.get("after.current")).isEqualTo(seen.get("server.span"));
      assertThat(seen.get("inject.traceparent"))
          .isEqualTo("00-" + traceId + "-" + seen.get("app.span") + "-01");
      assertThat(seen.get("inject.baggage")).isEqualTo("tenant=t-42");
      assertThat(seen.get("child.baggage")).isEqualTo("t-42");
      assertThat(seen.get("after.baggage")).isEqualTo("null");
      assertThat(seen.get("pool"))
          .as("a pool task: the baggage, with its own on top, again, and the span it was given")
          .isEqualTo("t-42,t-42/eu,t-42," + seen.get("app.span"));
      assertThat(seen.get("async.baggage")).isEqualTo("t-42");
      assertThat(seen.get("pool.after.baggage"))
          .as("nothing is left on the pool thread")
          .isEqualTo("null");

      // The server segment, the application's span and its child, two @WithSpan methods, the
      // client call, the downstream segment.
      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 7);
      Thread.sleep(300);
      List<JsonNode> docs = daemon.documentsOfTrace(root);
      assertThat(docs).as(docs.toString()).hasSize(7);
      JsonNode work =
          find(docs, d -> !d.has("type") && d.at("/http/request/url").asText().endsWith("/work"));
      assertThat(work.get("id").asText()).isEqualTo(seen.get("server.span"));
      assertThat(work.at("/metadata/default/app.user").asText())
          .as("Span.current().setAttribute in a request lands on its segment")
          .isEqualTo("alice");
      JsonNode compute = find(docs, d -> "compute-prices".equals(d.path("name").asText()));
      assertThat(compute.get("id").asText()).isEqualTo(seen.get("app.span"));
      assertThat(compute.get("type").asText()).isEqualTo("subsegment");
      assertThat(compute.get("parent_id").asText()).isEqualTo(work.get("id").asText());
      assertThat(compute.has("namespace")).as("a local subsegment").isFalse();
      assertThat(compute.at("/metadata/default/app.items").asLong()).isEqualTo(3);
      assertThat(compute.at("/metadata/default/app.currency").asText()).isEqualTo("EUR");
      assertThat(compute.get("fault").asBoolean()).isTrue();
      assertThat(compute.at("/cause/exceptions/0/type").asText())
          .isEqualTo("java.lang.IllegalStateException");
      assertThat(compute.at("/cause/exceptions/0/message").asText()).isEqualTo("price list stale");
      JsonNode lookup = find(docs, d -> "price-lookup".equals(d.path("name").asText()));
      assertThat(lookup.get("id").asText())
          .as("the @WithSpan method's span is current inside it")
          .isEqualTo(seen.get("lookup.current"));
      assertThat(lookup.get("parent_id").asText()).isEqualTo(compute.get("id").asText());
      assertThat(lookup.at("/metadata/default/app.sku").asText()).isEqualTo("sku-7");
      assertThat(lookup.has("fault")).isFalse();
      JsonNode failing = find(docs, d -> "OtelApiApp.failing".equals(d.path("name").asText()));
      assertThat(seen.get("failing"))
          .as("the exception reaches the caller")
          .isEqualTo("no such price");
      assertThat(failing.get("parent_id").asText()).isEqualTo(compute.get("id").asText());
      assertThat(failing.get("namespace").asText()).as("kind = CLIENT").isEqualTo("remote");
      assertThat(failing.get("fault").asBoolean()).isTrue();
      assertThat(failing.at("/cause/exceptions/0/type").asText())
          .isEqualTo("java.lang.IllegalArgumentException");
      JsonNode child = find(docs, d -> "child".equals(d.path("name").asText()));
      assertThat(child.get("parent_id").asText()).isEqualTo(compute.get("id").asText());
      JsonNode call =
          find(docs, d -> "remote".equals(d.path("namespace").asText()) && d.has("http"));
      assertThat(call.get("parent_id").asText())
          .as("the agent's call made inside the application's span is its child")
          .isEqualTo(compute.get("id").asText());
      JsonNode downstream =
          find(
              docs,
              d -> !d.has("type") && d.at("/http/request/url").asText().endsWith("/downstream"));
      assertThat(downstream.get("parent_id").asText()).isEqualTo(call.get("id").asText());
      assertThat(app.output()).doesNotContain("[trailmark-agent]");
    }
  }

  private static JsonNode find(List<JsonNode> docs, java.util.function.Predicate<JsonNode> test) {
    return docs.stream()
        .filter(test)
        .findFirst()
        .orElseThrow(() -> new AssertionError("not found in " + docs));
  }

  /**
   * The same calls answered by the real SDK (no agent) and by the agent's bridge, with the current
   * API and with 1.10: the same answers, check by check.
   */
  @Test
  void theBridgedApiBehavesAsTheSdk() throws Exception {
    List<String> sdk =
        checks(ForkedApp.builder(APP).withoutAgent().arg("conformance").arg("sdk"), "sdk");
    assertThat(sdk)
        .as("the transcript has every check, none failing")
        .hasSize(32)
        .noneMatch(l -> l.endsWith("= false"));
    assertThat(checks(ForkedApp.builder(APP).arg("conformance"), "bridged-current"))
        .containsExactlyElementsOf(sdk);
    assertThat(
            checks(
                ForkedApp.builder(APP).classpath(oldApiClasspath()).arg("conformance"),
                "bridged-old"))
        .containsExactlyElementsOf(sdk);
  }

  private List<String> checks(ForkedApp.Builder builder, String name) throws Exception {
    try (ForkedApp app =
        builder
            .env("OTEL_TRACES_SAMPLER", "always_on")
            .env("OTEL_TRACES_EXPORTER", "none")
            .start(dir, name)) {
      await().atMost(Duration.ofSeconds(30)).until(() -> app.output().contains("DONE"));
      assertThat(app.output()).doesNotContain("[trailmark-agent]").doesNotContain("Exception");
      return app.output().lines().filter(l -> l.startsWith("CHECK ")).collect(Collectors.toList());
    }
  }

  @Test
  void withoutTheAgentTheApiStaysANoop() throws Exception {
    for (String classpath : List.of(ForkedApp.applicationClasspath(), oldApiClasspath())) {
      try (ForkedApp app =
          ForkedApp.builder(APP)
              .withoutAgent()
              .classpath(classpath)
              .arg("noop")
              .start(dir, "noop")) {
        await().atMost(Duration.ofSeconds(30)).until(() -> app.output().contains("NOOP"));
        assertThat(app.output()).contains("NOOP valid=false current=false");
      }
    }
  }

  @Test
  void switchedOffTheApiStaysANoop() throws Exception {
    try (ForkedApp app =
        ForkedApp.builder(APP)
            .env("TRAILMARK_INSTRUMENTATION_OPENTELEMETRY_API_ENABLED", "false")
            .arg("noop")
            .start(dir, "off")) {
      await().atMost(Duration.ofSeconds(30)).until(() -> app.output().contains("NOOP"));
      assertThat(app.output()).contains("NOOP valid=false current=false");
    }
  }
}
