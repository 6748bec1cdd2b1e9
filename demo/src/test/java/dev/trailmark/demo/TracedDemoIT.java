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
 * The whole platform at once, as {@code ./trailmark demo} runs it: the real agent jar on three
 * service JVMs, the log shipper's appenders and the collector into OpenSearch. One request is one
 * trace id in the logs of every service it crossed, and its spans and service-map edges are stored.
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

    DemoReport report = new DemoReport(os.baseUri(), os.indexPrefix(), since);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> report.logs(token).size() >= 3 * REQUESTS);
    List<JsonNode> docs = report.logs(token);
    assertThat(docs).hasSize(3 * REQUESTS);

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
            (request, names) ->
                assertThat(names).containsExactlyInAnyOrder("frontend", "orders", "inventory"));
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
    assertThat(Files.readString(tmp.resolve("services/frontend.out")))
        .doesNotContain("not started");
  }
}
