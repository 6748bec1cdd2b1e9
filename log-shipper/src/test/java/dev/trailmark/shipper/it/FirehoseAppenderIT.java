package dev.trailmark.shipper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.shipper.logback.FirehoseAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access logs through FirehoseAppender (packed newline-delimited records) into the collector's
 * default stream.
 */
@ExtendWith(OpenSearchExtension.class)
class FirehoseAppenderIT {
  static final String XML =
      """
      <configuration>
        <appender name="access" class="dev.trailmark.shipper.logback.FirehoseAppender">
          <deliveryStreamName>trailmark-access-logs</deliveryStreamName>
          <endpoint>${endpoint}</endpoint>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <recordBytes>5120</recordBytes>
          <overflowPolicy>block</overflowPolicy>
          <registerShutdownHook>false</registerShutdownHook>
          <encoder class="dev.trailmark.shipper.logback.TrailmarkJsonEncoder">
            <serviceName>gateway</serviceName>
          </encoder>
        </appender>
        <logger name="access" level="INFO" additivity="false"><appender-ref ref="access"/></logger>
      </configuration>
      """;

  @Test
  void everyAccessLogArrivesAsItsOwnDocument(OpenSearchInstance os, @TempDir Path state)
      throws Exception {
    try (LocalCollector collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state)
            .build()
            .start()) {
      LoggerContext ctx =
          Collected.logback(XML, Map.of("endpoint", collector.httpEndpoint().toString()));
      Logger log = ctx.getLogger("access");
      int n = 3000;
      for (int i = 0; i < n; i++) {
        log.atInfo()
            .addKeyValue("http.response.status_code", 200)
            .addKeyValue("url.path", "/orders/" + i)
            .log("GET /orders/{} 200", i);
      }
      FirehoseAppender a = (FirehoseAppender) ctx.getLogger("access").getAppender("access");
      ctx.stop();
      assertThat(a.getStats().sent()).isEqualTo(n);
      assertThat(a.getStats().dropped()).isZero();
      assertThat(a.getStats().requests())
          .as("events are packed, not one request each")
          .isLessThan(20);

      String pattern = os.indexPrefix() + "logs-access-*";
      await().atMost(Duration.ofSeconds(60)).until(() -> Collected.count(os, pattern) == n);
      List<JsonNode> docs = Collected.documents(os, pattern);
      Set<String> bodies = new HashSet<>();
      for (JsonNode d : docs) {
        bodies.add(d.get("body").asText());
        assertThat(d.at("/resource/service/name").asText()).isEqualTo("gateway");
      }
      assertThat(bodies).hasSize(n).contains("GET /orders/0 200", "GET /orders/2999 200");
    } finally {
      os.delete("/" + os.indexPrefix() + "*");
    }
  }
}
