package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.firehose.FirehoseClient;

/**
 * Documents OpenSearch refuses after the collector acknowledged them are still stored, through the
 * real AWS SDK: every event acknowledged by PutLogEvents comes back from GetLogEvents as it was
 * sent, exactly once, and the SS4O fields keep their mapping.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class MappingConflictIT {

  private static final String GROUP = "/it/conflicts";

  @Test
  void everyAcknowledgedEventIsStoredOnceEvenWhenOpenSearchRefusesItsMapping(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    StringBuilder manyFields = new StringBuilder("{\"wide\":true");
    for (int i = 0; i < 2100; i++) {
      manyFields.append(",\"f").append(i).append("\":").append(i);
    }
    manyFields.append('}');
    List<String> messages =
        List.of(
            "{\"count\":1}",
            "{\"count\":{\"a\":1}}",
            "{\"@timestamp\":\"not-a-date\",\"msg\":\"bad time\"}",
            "{\"severity\":\"ERROR\",\"msg\":\"flat severity\"}",
            manyFields.toString(),
            "{\"traceId\":{\"not\":\"an id\"}}",
            "{\"body\":{\"nested\":true}}",
            "a plain text line");
    long base = System.currentTimeMillis() - 60_000;
    try (CloudWatchLogsClient logs = Clients.logs(collector.httpEndpoint())) {
      logs.createLogGroup(b -> b.logGroupName(GROUP));
      logs.createLogStream(b -> b.logGroupName(GROUP).logStreamName("s"));
      for (int i = 0; i < messages.size(); i++) {
        String message = messages.get(i);
        long ts = base + i;
        // One call each, so that the first "count" sets the mapping the second one conflicts with.
        logs.putLogEvents(
            b ->
                b.logGroupName(GROUP)
                    .logStreamName("s")
                    .logEvents(e -> e.timestamp(ts).message(message)));
        if (i == 0) {
          await().atMost(Duration.ofSeconds(30)).until(() -> collector.backlogBytes() == 0);
        }
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> collector.backlogBytes() == 0);

      List<OutputLogEvent> events = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                events.clear();
                events.addAll(
                    logs.getLogEvents(
                            b -> b.logGroupName(GROUP).logStreamName("s").startFromHead(true))
                        .events());
                return events.size() == messages.size();
              });
      for (int i = 0; i < messages.size(); i++) {
        OutputLogEvent e = events.get(i);
        assertThat(e.timestamp()).as("event %d keeps its time", i).isEqualTo(base + i);
        assertThat(withoutAddedTimestamp(e.message(), messages.get(i)))
            .as("event %d", i)
            .isEqualTo(parsedOrText(messages.get(i)));
      }
    }

    String pattern = os.indexPrefix() + "logs-it-conflicts-*";
    os.refresh(pattern);
    assertThat(os.count(pattern)).as("each event stored exactly once").isEqualTo(messages.size());
    JsonNode rejected =
        Json.MAPPER
            .readTree(
                os.post(
                    "/" + pattern + "/_search?size=20",
                    "{\"query\":{\"exists\":{\"field\":\"trailmark.rejected.type\"}}}"))
            .path("hits")
            .path("hits");
    assertThat(rejected.size()).isEqualTo(6);
    for (JsonNode hit : rejected) {
      assertThat(hit.path("_source").path("trailmark").path("rejected").path("reason").asText())
          .isNotBlank();
    }
    // The SS4O fields still have their mapping: user fields could not change it.
    JsonNode mapping =
        Json.MAPPER
            .readTree(os.get("/" + pattern + "/_mapping"))
            .elements()
            .next()
            .path("mappings")
            .path("properties");
    assertThat(mapping.path("@timestamp").path("type").asText()).isEqualTo("date");
    assertThat(mapping.path("severity").path("properties").path("text").path("type").asText())
        .isEqualTo("keyword");
    assertThat(mapping.path("traceId").path("type").asText()).isEqualTo("keyword");
    assertThat(mapping.path("body").path("type").asText()).isEqualTo("text");

    ObjectNode status = collector.status();
    assertThat(status.path("rejectedByOpenSearch").asLong()).isGreaterThanOrEqualTo(6);
    assertThat(status.path("storedAsText").asLong()).isGreaterThanOrEqualTo(6);
    assertThat(status.path("setAside").asLong()).isZero();
  }

  @Test
  void aFirehoseLineWithAnUnparsableTimestampIsStored(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    try (FirehoseClient firehose =
        FirehoseClient.builder()
            .endpointOverride(collector.httpEndpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      firehose.putRecord(
          b ->
              b.deliveryStreamName("trailmark-access-logs")
                  .record(
                      r ->
                          r.data(
                              SdkBytes.fromUtf8String(
                                  "{\"@timestamp\":\"yesterday\",\"path\":\"/a\"}\n{\"path\":\"/b\"}\n"))));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> collector.backlogBytes() == 0);
    String pattern = os.indexPrefix() + "logs-access-*";
    os.refresh(pattern);
    assertThat(os.count(pattern)).isEqualTo(2);
    JsonNode hits =
        Json.MAPPER
            .readTree(
                os.post(
                    "/" + pattern + "/_search",
                    "{\"query\":{\"exists\":{\"field\":\"trailmark.rejected.type\"}}}"))
            .path("hits")
            .path("hits");
    assertThat(hits.size()).isEqualTo(1);
    assertThat(hits.get(0).path("_source").path("body").asText())
        .contains("yesterday")
        .contains("/a");
  }

  private static JsonNode parsedOrText(String message) throws Exception {
    return message.startsWith("{")
        ? Json.MAPPER.readTree(message)
        : Json.MAPPER.getNodeFactory().textNode(message);
  }

  /**
   * GetLogEvents gives a JSON message back with the {@code @timestamp} the collector added; compare
   * without it.
   */
  private static JsonNode withoutAddedTimestamp(String returned, String sent) throws Exception {
    if (!sent.startsWith("{")) {
      return Json.MAPPER.getNodeFactory().textNode(returned);
    }
    ObjectNode node = (ObjectNode) Json.MAPPER.readTree(returned);
    if (!sent.contains("\"@timestamp\"")) {
      node.remove("@timestamp");
    }
    return node;
  }
}
