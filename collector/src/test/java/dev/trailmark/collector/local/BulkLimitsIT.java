package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * OpenSearch answering 413 or answering slowly is not OpenSearch being down: requests are split, a
 * document too large for OpenSearch in any form is set aside (and shown in the status), and nothing
 * behind it waits.
 */
@ExtendWith(OpenSearchExtension.class)
class BulkLimitsIT {

  @TempDir Path state;

  @Test
  void a413SplitsTheRequestAndADocumentTooLargeInEveryFormIsSetAsideWithoutBlockingTheOthers(
      OpenSearchInstance os) throws Exception {
    try (LimitingProxy proxy = new LimitingProxy(os.baseUri());
        LocalCollector collector =
            LocalCollector.builder()
                .openSearch(proxy.uri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(-1)
                .stateDir(state)
                .build()
                .start();
        CloudWatchLogsClient logs = Clients.logs(collector.httpEndpoint())) {
      proxy.maxBulkBytes(150_000);
      logs.createLogGroup(b -> b.logGroupName("/it/limits"));
      logs.createLogStream(b -> b.logGroupName("/it/limits").logStreamName("s"));
      long now = System.currentTimeMillis();
      List<InputLogEvent> events = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        events.add(
            InputLogEvent.builder()
                .timestamp(now)
                .message("event-" + i + " " + "x".repeat(400))
                .build());
      }
      logs.putLogEvents(b -> b.logGroupName("/it/limits").logStreamName("s").logEvents(events));
      String huge = "huge " + "y".repeat(200_000);
      logs.putLogEvents(
          b ->
              b.logGroupName("/it/limits")
                  .logStreamName("s")
                  .logEvents(e -> e.timestamp(now).message(huge)));
      logs.putLogEvents(
          b ->
              b.logGroupName("/it/limits")
                  .logStreamName("s")
                  .logEvents(e -> e.timestamp(now).message("after the huge one")));

      await().atMost(Duration.ofSeconds(60)).until(() -> collector.backlogBytes() == 0);
      String pattern = os.indexPrefix() + "logs-it-limits-*";
      os.refresh(pattern);
      assertThat(os.count(pattern)).isEqualTo(1001);
      assertThat(proxy.tooLarge.get()).isGreaterThan(1);
      ObjectNode status = collector.status();
      assertThat(status.path("openSearchAvailable").asBoolean()).isTrue();
      assertThat(status.path("setAside").asLong()).isEqualTo(1);
      Path file = Path.of(status.path("setAsideFile").asText());
      List<String> lines = Files.readAllLines(file);
      assertThat(lines).hasSize(1);
      JsonNode kept = Json.MAPPER.readTree(lines.get(0));
      assertThat(kept.path("reason").asText()).contains("413");
      assertThat(kept.path("document").asText()).contains(huge);
      // The collector still takes new events.
      logs.putLogEvents(
          b ->
              b.logGroupName("/it/limits")
                  .logStreamName("s")
                  .logEvents(e -> e.timestamp(now).message("still answering")));
    }
  }

  @Test
  void aSlowBulkRequestIsNotAnOutage(OpenSearchInstance os) throws Exception {
    try (LimitingProxy proxy = new LimitingProxy(os.baseUri());
        OpenSearchSink sink =
            OpenSearchSink.builder()
                .openSearch(proxy.uri())
                .indexPrefix(os.indexPrefix())
                .walDir(state.resolve("wal"))
                .requestTimeout(Duration.ofSeconds(1))
                .build()
                .start()) {
      proxy.slowBulks(2, 2_500);
      String index = os.indexPrefix() + "slow";
      DocumentBatch first = new DocumentBatch();
      first.add(index, "a", Json.object().put("n", 1));
      sink.write(first);
      long until = System.currentTimeMillis() + 6_000;
      int written = 1;
      while (System.currentTimeMillis() < until) {
        assertThat(sink.available()).as("OpenSearch answers; only a bulk request is slow").isTrue();
        DocumentBatch more = new DocumentBatch();
        more.add(index, "m" + written, Json.object().put("n", written));
        sink.write(more); // throws SinkBusyException(UNAVAILABLE) if slow were taken for down
        written++;
        Thread.sleep(200);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.backlogBytes() == 0);
      os.refresh(index);
      assertThat(os.count(index)).isEqualTo(written);
    }
  }
}
