package dev.trailmark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thin slice end to end: three demo service JVMs log through Logback and the CloudWatch Logs
 * appender into the local collector, which indexes into a real OpenSearch; every line logged
 * arrives.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class ThinSliceIT {
  private static final int REQUESTS = 60;

  /**
   * The services run on the module's runtime classpath, as ./trailmark demo runs them (not the
   * test's).
   */
  static final String RUNTIME_CLASSPATH =
      "target/classes" + java.io.File.pathSeparator + "target/lib/*";

  private static final Pattern REQUEST = Pattern.compile("request=(run\\w+)-(\\d+)");

  @Test
  void everyLineTheServicesLogIsSearchableWithTheLogSchema(
      OpenSearchInstance os, LocalCollector collector, @TempDir Path tmp) throws Exception {
    Instant since = Instant.now().minusSeconds(1);
    String token = "runthin" + Long.toHexString(System.nanoTime());
    try (DemoStack services =
        DemoStack.start(
            new DemoStack.Options(
                collector.httpEndpoint(),
                collector.xrayUdpPort(),
                null,
                tmp.resolve("services"),
                RUNTIME_CLASSPATH,
                Path.of(System.getProperty("java.home"))))) {
      Map<Integer, Integer> statuses = LoadDriver.run(services.frontend(), token, REQUESTS, 4);
      // One sku in ten is out of stock: inventory 404 → orders 409 → frontend 409.
      assertThat(statuses).isEqualTo(Map.of(201, 54, 409, 6));
    } // stopping the services lets shipping drain the queue, then flushes their appenders
    // frontend, orders and inventory log one line per checkout, shipping one per placed order
    int lines = 3 * REQUESTS + 54;

    DemoReport report = new DemoReport(os.baseUri(), os.indexPrefix(), since);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> report.logs(token).size() >= lines);
    List<JsonNode> docs = report.logs(token);
    assertThat(docs).hasSize(lines);

    Map<String, Integer> perServiceAndLevel = new TreeMap<>();
    Map<Integer, Integer> linesPerRequest = new TreeMap<>();
    for (JsonNode doc : docs) {
      perServiceAndLevel.merge(
          DemoReport.text(doc, "resource", "service", "name")
              + "/"
              + DemoReport.text(doc, "severity", "text"),
          1,
          Integer::sum);
      Matcher m = REQUEST.matcher(doc.path("body").asText());
      assertThat(m.find()).as("body names its request: %s", doc).isTrue();
      assertThat(m.group(1)).isEqualTo(token);
      linesPerRequest.merge(Integer.parseInt(m.group(2)), 1, Integer::sum);

      assertThat(doc.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*");
      assertThat(DemoReport.text(doc, "instrumentationScope", "name"))
          .isEqualTo(DemoService.class.getName());
      assertThat(DemoReport.text(doc, "severity", "number")).matches("9|13");
    }
    assertThat(perServiceAndLevel)
        .isEqualTo(
            Map.of(
                "frontend/INFO",
                60,
                "orders/INFO",
                54,
                "orders/WARN",
                6,
                "inventory/INFO",
                54,
                "inventory/WARN",
                6,
                "shipping/INFO",
                54));
    assertThat(linesPerRequest)
        .hasSize(REQUESTS)
        .allSatisfy(
            (request, count) ->
                assertThat(count)
                    .as("lines of request %d (out of stock: no shipment)", request)
                    .isEqualTo(LoadDriver.sku(request).equals(DemoService.OUT_OF_STOCK) ? 3 : 4));
  }
}
