package dev.trailmark.shipper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.shipper.DeliveryStats;
import dev.trailmark.shipper.logback.CloudWatchLogsAppender;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Logback events through CloudWatchLogsAppender, the real SDK and the local collector into a real
 * OpenSearch.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class CloudWatchLogsAppenderIT {
  static final String XML =
      """
      <configuration>
        <appender name="cwl" class="dev.trailmark.shipper.logback.CloudWatchLogsAppender">
          <logGroupName>${group}</logGroupName>
          <logStreamName>{host}-{pid}</logStreamName>
          <endpoint>${endpoint}</endpoint>
          <region>us-east-1</region>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <overflowPolicy>block</overflowPolicy>
          <maxBufferBytes>${buffer}</maxBufferBytes>
          <shutdownTimeoutMillis>30000</shutdownTimeoutMillis>
          <registerShutdownHook>false</registerShutdownHook>
          <encoder class="dev.trailmark.shipper.logback.TrailmarkJsonEncoder">
            <serviceName>orders</serviceName>
          </encoder>
        </appender>
        <root level="INFO"><appender-ref ref="cwl"/></root>
      </configuration>
      """;

  static LocalCollector collector;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) {
    os = instance;
    collector = localCollector;
  }

  private LoggerContext logback(String group, long buffer) throws Exception {
    return Collected.logback(
        XML,
        Map.of(
            "group",
            group,
            "endpoint",
            collector.httpEndpoint().toString(),
            "buffer",
            Long.toString(buffer)));
  }

  @Test
  void everyEventArrivesAsAnSs4oDocumentWithTraceIdsAndExceptions() throws Exception {
    LoggerContext ctx = logback("/trailmark/it-fields", 16L * 1024 * 1024);
    Logger log = ctx.getLogger("com.example.Checkout");
    ctx.getMDCAdapter().put("trace_id", "0af7651916cd43dd8448eb211c80319c");
    ctx.getMDCAdapter().put("span_id", "b7ad6b7169203331");
    for (int i = 0; i < 500; i++) {
      log.atInfo().addKeyValue("order", i).log("order {} placed", i);
    }
    log.error(
        "payment failed",
        new IllegalStateException("card declined", new RuntimeException("gateway")));
    CloudWatchLogsAppender a = (CloudWatchLogsAppender) ctx.getLogger("ROOT").getAppender("cwl");
    ctx.stop();
    DeliveryStats stats = a.getStats();
    assertThat(stats.sent()).isEqualTo(501);
    assertThat(stats.dropped()).isZero();

    String pattern = os.indexPrefix() + "logs-trailmark-it-fields-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> Collected.count(os, pattern) == 501);
    List<JsonNode> docs = Collected.documents(os, pattern);
    JsonNode error =
        docs.stream()
            .filter(d -> d.at("/severity/text").asText().equals("ERROR"))
            .findFirst()
            .orElseThrow();
    assertThat(error.get("body").asText()).isEqualTo("payment failed");
    assertThat(error.at("/attributes/exception/type").asText())
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(error.at("/attributes/exception/stacktrace").asText())
        .contains("Caused by: java.lang.RuntimeException: gateway");
    assertThat(error.get("traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(error.get("spanId").asText()).isEqualTo("b7ad6b7169203331");
    assertThat(error.at("/resource/service/name").asText()).isEqualTo("orders");
    assertThat(error.at("/instrumentationScope/name").asText()).isEqualTo("com.example.Checkout");
    assertThat(
            error.at("/attributes/aws.cloudwatch.log_group").isMissingNode()
                && error.at("/attributes/aws/cloudwatch/log_group").isMissingNode())
        .as("collector adds the group")
        .isFalse();
    Set<String> bodies = new HashSet<>();
    docs.forEach(d -> bodies.add(d.get("body").asText()));
    assertThat(bodies).hasSize(501).contains("order 0 placed", "order 499 placed");
  }

  @Test
  void aKeyValueThatChangesTypeIsStillStoredWithEveryOtherEvent() throws Exception {
    LoggerContext ctx = logback("/trailmark/it-kv", 16L * 1024 * 1024);
    Logger log = ctx.getLogger("com.example.Orders");
    log.atInfo().addKeyValue("order", 42).log("order as a number");
    String pattern = os.indexPrefix() + "logs-trailmark-it-kv-*";
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Collected.count(os, pattern) == 1); // the mapping is long
    log.atInfo().addKeyValue("order", "A-17").log("order as text");
    log.atInfo().addKeyValue("order", 43).log("order as a number again");
    CloudWatchLogsAppender a = (CloudWatchLogsAppender) ctx.getLogger("ROOT").getAppender("cwl");
    ctx.stop();
    assertThat(a.getStats().sent()).isEqualTo(3);

    await().atMost(Duration.ofSeconds(60)).until(() -> Collected.count(os, pattern) == 3);
    Set<String> bodies = new HashSet<>();
    for (JsonNode d : Collected.documents(os, pattern)) {
      // A document OpenSearch refused is kept as its original text with the reason.
      JsonNode original = d.has("trailmark") ? Collected.JSON.readTree(d.get("body").asText()) : d;
      bodies.add(original.get("body").asText());
      if (d.has("trailmark")) {
        assertThat(original.at("/attributes/order").asText()).isEqualTo("A-17");
        assertThat(d.at("/trailmark/rejected/type").asText()).isEqualTo("mapper_parsing_exception");
      }
    }
    assertThat(bodies)
        .containsExactlyInAnyOrder("order as a number", "order as text", "order as a number again");
  }

  @Test
  void shutdownWithAFullQueueFlushesEverythingWithinTheDeadline() throws Exception {
    // a 256 KiB buffer is full almost at once: the app thread blocks, and stop() must drain the
    // rest
    LoggerContext ctx = logback("/trailmark/it-shutdown", 256 * 1024);
    Logger log = ctx.getLogger("com.example.Batch");
    int n = 8000;
    for (int i = 0; i < n; i++) {
      log.info("row {} of a large import with some padding to make the events bigger than tiny", i);
    }
    CloudWatchLogsAppender a = (CloudWatchLogsAppender) ctx.getLogger("ROOT").getAppender("cwl");
    long t0 = System.nanoTime();
    ctx.stop();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(a.getStats().sent()).isEqualTo(n);
    assertThat(a.getStats().dropped()).isZero();
    String pattern = os.indexPrefix() + "logs-trailmark-it-shutdown-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> Collected.count(os, pattern) == n);
  }
}
