package dev.trailmark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole platform at once, as {@code ./trailmark demo} runs it: the real agent jar on four
 * service JVMs, the log shipper's appenders and the collector into OpenSearch. One request is one
 * trace id in the logs of every service it crossed, and its spans and service-map edges are stored:
 * the database inventory queries and the SQS queue shipping consumes are nodes of the map and hops
 * of the same trace.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class TracedDemoIT {
  private static final int REQUESTS = 30;
  private static final Pattern REQUEST = Pattern.compile("request=\\w+-(\\d+)");

  @Test
  void oneRequestIsOneTraceIdInEveryServicesLogs(
      OpenSearchInstance os, LocalCollector collector, @TempDir Path tmp) throws Exception {
    Path agent =
        Path.of(
            System.getProperty("trailmark.agent.jar", "../java-agent/target/trailmark-agent.jar"));
    assertThat(agent).as("the agent jar, built before the demo module").isRegularFile();
    Instant since = Instant.now().minusSeconds(1);
    String token = "runtraced" + Long.toHexString(System.nanoTime());
    try (DemoStack services =
        DemoStack.start(
            new DemoStack.Options(
                collector.httpEndpoint(),
                collector.xrayUdpPort(),
                agent,
                tmp.resolve("services"),
                ThinSliceIT.RUNTIME_CLASSPATH,
                Path.of(System.getProperty("java.home"))))) {
      assertThat(LoadDriver.run(services.frontend(), token, REQUESTS, 2))
          .isEqualTo(Map.of(201, 27, 409, 3));
    }
    int lines = 3 * REQUESTS + 27; // and shipping's line for each placed order

    DemoReport report = new DemoReport(os.baseUri(), os.indexPrefix(), since);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> report.logs(token).size() >= lines);
    List<JsonNode> docs = report.logs(token);
    assertThat(docs).hasSize(lines);

    Map<Integer, Set<String>> traceIdsPerRequest = new HashMap<>();
    Map<Integer, Set<String>> servicesPerRequest = new HashMap<>();
    for (JsonNode doc : docs) {
      Matcher m = REQUEST.matcher(doc.path("body").asText());
      assertThat(m.find()).isTrue();
      int request = Integer.parseInt(m.group(1));
      String traceId = doc.path("traceId").asText("");
      assertThat(traceId).as("trace id of %s", doc).matches("[0-9a-f]{32}");
      assertThat(doc.path("spanId").asText("")).matches("[0-9a-f]{16}");
      // The X-Ray form of the same id: 1-<8 hex epoch>-<24 hex>@<span id>.
      assertThat(DemoReport.text(doc, "attributes", "AWS-XRAY-TRACE-ID"))
          .isEqualTo(
              "1-"
                  + traceId.substring(0, 8)
                  + "-"
                  + traceId.substring(8)
                  + "@"
                  + doc.path("spanId").asText());
      traceIdsPerRequest.computeIfAbsent(request, k -> new HashSet<>()).add(traceId);
      servicesPerRequest
          .computeIfAbsent(request, k -> new HashSet<>())
          .add(DemoReport.text(doc, "resource", "service", "name"));
    }
    assertThat(traceIdsPerRequest)
        .hasSize(REQUESTS)
        .allSatisfy(
            (request, ids) -> assertThat(ids).as("trace ids of request %d", request).hasSize(1));
    assertThat(servicesPerRequest)
        .allSatisfy(
            (request, names) -> {
              if (LoadDriver.sku(request).equals(DemoService.OUT_OF_STOCK)) {
                assertThat(names).containsExactlyInAnyOrder("frontend", "orders", "inventory");
              } else { // the message's consumer logs in the producer's trace
                assertThat(names)
                    .containsExactlyInAnyOrder("frontend", "orders", "inventory", "shipping");
              }
            });
    Set<String> distinct = new HashSet<>();
    traceIdsPerRequest.values().forEach(distinct::addAll);
    assertThat(distinct).as("each request its own trace").hasSize(REQUESTS);

    // The first request in a second is always sampled (X-Ray's default rule): spans and edges
    // exist.
    await().atMost(Duration.ofSeconds(60)).until(() -> report.count("otel-v1-apm-span*") > 0);
    String edges = os.get("/" + os.indexPrefix() + "otel-v1-apm-service-map/_search?size=100");
    assertThat(edges)
        .contains("\"serviceName\":\"frontend\"")
        .contains("\"domain\":\"orders\"")
        .contains("\"serviceName\":\"orders\"")
        .contains("\"domain\":\"inventory\"");

    // One sampled checkout: its database query and its message's processing in the same trace.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> report.traceThroughDatabaseAndQueue() != null);
    // A client span exported before its request's segment is stored as service "unknown" until
    // the segment arrives and the collector rewrites it, so the trace is read until it is whole.
    String traceId = report.traceThroughDatabaseAndQueue();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              List<JsonNode> spans = report.traceSpans(traceId);
              Set<String> services = new HashSet<>();
              spans.forEach(span -> services.add(span.path("serviceName").asText()));
              assertThat(services)
                  .as("services of the trace %s", spans)
                  .containsExactlyInAnyOrder("frontend", "orders", "inventory", "shipping");
            });
    List<JsonNode> trace = report.traceSpans(traceId);
    JsonNode query = trace.stream().filter(DemoReport::isDatabaseCall).findFirst().orElseThrow();
    assertThat(query.path("serviceName").asText()).isEqualTo("inventory");
    assertThat(query.path("kind").asText()).isEqualTo("SPAN_KIND_CLIENT");
    assertThat(query.path("name").asText()).as("the database node").isEqualTo("stock");
    assertThat(DemoReport.text(query, "span", "attributes", "db@system")).isEqualTo("h2");
    assertThat(DemoReport.text(query, "span", "attributes", "db@statement"))
        .isEqualTo("SELECT quantity FROM stock WHERE sku = ?");
    JsonNode consumed =
        trace.stream()
            .filter(s -> DemoReport.isConsumedMessage(s, trace))
            .findFirst()
            .orElseThrow();
    assertThat(consumed.path("serviceName").asText()).isEqualTo("shipping");
    JsonNode send =
        trace.stream()
            .filter(s -> s.path("spanId").asText().equals(consumed.path("parentSpanId").asText()))
            .findFirst()
            .orElseThrow();
    assertThat(send.path("serviceName").asText()).isEqualTo("orders");
    assertThat(DemoReport.text(send, "span", "attributes", "aws@queue@url"))
        .endsWith("/" + DemoStack.QUEUE);

    // The map: inventory -> the database, orders -> the queue -> shipping (X-Ray's shape).
    String map = os.get("/" + os.indexPrefix() + "otel-v1-apm-service-map/_search?size=200");
    assertThat(map)
        .contains(
            "{\"serviceName\":\"inventory\",\"kind\":\"SPAN_KIND_CLIENT\",\"destination\":{\"domain\":\"stock\",\"resource\":\"SELECT\"}")
        .contains(
            "{\"serviceName\":\"orders\",\"kind\":\"SPAN_KIND_CLIENT\",\"destination\":{\"domain\":\"SQS\",\"resource\":\"SendMessage\"}")
        .contains(
            "{\"serviceName\":\"SQS\",\"kind\":\"SPAN_KIND_CLIENT\",\"destination\":{\"domain\":\"shipping\"");
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    report.print(
        new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8), token);
    assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("inventory -> stock", "orders -> SQS", "SQS -> shipping")
        .contains("database node 'stock' (h2): SELECT quantity FROM stock WHERE sku = ?")
        .contains("the message, processed by shipping");
    assertThat(Files.readString(tmp.resolve("services/frontend.out")))
        .doesNotContain("not started");
  }
}
