package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ServiceUnavailableException;

/**
 * CloudWatch Logs operations from the real AWS SDK v2 client against the local collector and a real
 * OpenSearch.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class CloudWatchLogsIT {

  static LocalCollector collector;
  static CloudWatchLogsClient logs;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
    logs = Clients.logs(collector.httpEndpoint());
  }

  @AfterAll
  static void stop() throws Exception {
    logs.close();
  }

  @Test
  void eventsSentThroughTheSdkAreIndexedAsLogDocuments() throws Exception {
    logs.createLogGroup(r -> r.logGroupName("/trailmark/demo"));
    logs.createLogStream(r -> r.logGroupName("/trailmark/demo").logStreamName("orders-1"));
    long now = System.currentTimeMillis();
    String json =
        "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"severity\":{\"text\":\"INFO\",\"number\":9},"
            + "\"body\":\"order placed\",\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
            + "\"resource\":{\"service\":{\"name\":\"orders\"}},\"attributes\":{\"order.id\":\"42\"}}";
    PutLogEventsResponse put =
        logs.putLogEvents(
            r ->
                r.logGroupName("/trailmark/demo")
                    .logStreamName("orders-1")
                    .logEvents(
                        InputLogEvent.builder().timestamp(now).message(json).build(),
                        InputLogEvent.builder()
                            .timestamp(now + 1)
                            .message("plain text line")
                            .build()));
    assertThat(put.rejectedLogEventsInfo()).isNull();
    assertThat(put.nextSequenceToken()).isNotBlank();

    String index = IndexNames.logs(os.indexPrefix(), "/trailmark/demo", now);
    assertThat(index).isEqualTo(os.indexPrefix() + "logs-trailmark-demo-" + IndexNames.day(now));
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(index) == 2);

    JsonNode hits =
        Json.MAPPER
            .readTree(os.post("/" + index + "/_search", "{\"sort\":[{\"@timestamp\":\"asc\"}]}"))
            .path("hits")
            .path("hits");
    JsonNode structured = hits.get(0).path("_source");
    assertThat(structured.path("@timestamp").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(structured.path("body").asText()).isEqualTo("order placed");
    assertThat(structured.path("severity").path("text").asText()).isEqualTo("INFO");
    assertThat(structured.path("resource").path("service").path("name").asText())
        .isEqualTo("orders");
    assertThat(structured.path("attributes").path("order.id").asText()).isEqualTo("42");
    assertThat(
            structured.path("attributes").path("aws").path("cloudwatch").path("log_group").asText())
        .isEqualTo("/trailmark/demo");
    assertThat(
            structured
                .path("attributes")
                .path("aws")
                .path("cloudwatch")
                .path("log_stream")
                .asText())
        .isEqualTo("orders-1");
    JsonNode plain = hits.get(1).path("_source");
    assertThat(plain.path("body").asText()).isEqualTo("plain text line");
    assertThat(plain.path("@timestamp").asText())
        .isEqualTo(java.time.Instant.ofEpochMilli(now + 1).toString());

    // Explicit mappings from the collector's index template, not dynamic guesses.
    JsonNode mapping =
        Json.MAPPER.readTree(os.get("/" + index + "/_mapping")).path(index).path("mappings");
    assertThat(mapping.path("properties").path("traceId").path("type").asText())
        .isEqualTo("keyword");
    assertThat(mapping.path("properties").path("@timestamp").path("type").asText())
        .isEqualTo("date");
    assertThat(
            mapping
                .path("properties")
                .path("attributes")
                .path("properties")
                .path("aws")
                .path("properties")
                .path("cloudwatch")
                .path("properties")
                .path("log_group")
                .path("type")
                .asText())
        .isEqualTo("keyword");
  }

  @Test
  void anEventDeliveredTwiceByTheShipperIsStoredOnce() throws Exception {
    logs.createLogGroup(r -> r.logGroupName("/trailmark/twice"));
    logs.createLogStream(r -> r.logGroupName("/trailmark/twice").logStreamName("s"));
    long now = System.currentTimeMillis();
    // At-least-once: after a crash the shipper resends what it could not see acknowledged.
    String event =
        "{\"body\":\"charged card\",\"attributes\":{\"log.record.uid\":\"1a2177c8282-9\"}}";
    for (int delivery = 0; delivery < 2; delivery++) {
      logs.putLogEvents(
          r ->
              r.logGroupName("/trailmark/twice")
                  .logStreamName("s")
                  .logEvents(
                      InputLogEvent.builder().timestamp(now).message(event).build(),
                      InputLogEvent.builder()
                          .timestamp(now)
                          .message("{\"body\":\"no stable id\"}")
                          .build()));
    }
    String index = IndexNames.logs(os.indexPrefix(), "/trailmark/twice", now);
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(index) == 3);
    JsonNode hits =
        Json.MAPPER
            .readTree(
                os.post(
                    "/" + index + "/_search",
                    "{\"query\":{\"match_phrase\":{\"body\":\"charged card\"}}}"))
            .path("hits");
    assertThat(hits.path("total").path("value").asInt()).isEqualTo(1);
  }

  @Test
  void groupsAndStreamsAreCreatedDescribedAndDeleted() {
    logs.createLogGroup(r -> r.logGroupName("app/a"));
    logs.createLogGroup(r -> r.logGroupName("app/b"));
    logs.createLogGroup(r -> r.logGroupName("other"));
    assertThatThrownBy(() -> logs.createLogGroup(r -> r.logGroupName("app/a")))
        .isInstanceOf(ResourceAlreadyExistsException.class);
    logs.createLogStream(r -> r.logGroupName("app/a").logStreamName("s1"));
    logs.createLogStream(r -> r.logGroupName("app/a").logStreamName("s2"));
    assertThatThrownBy(() -> logs.createLogStream(r -> r.logGroupName("app/a").logStreamName("s1")))
        .isInstanceOf(ResourceAlreadyExistsException.class);
    assertThatThrownBy(
            () -> logs.createLogStream(r -> r.logGroupName("missing").logStreamName("s1")))
        .isInstanceOf(ResourceNotFoundException.class);

    DescribeLogGroupsResponse page1 =
        logs.describeLogGroups(r -> r.logGroupNamePrefix("app/").limit(1));
    assertThat(page1.logGroups()).extracting(g -> g.logGroupName()).containsExactly("app/a");
    DescribeLogGroupsResponse page2 =
        logs.describeLogGroups(
            r -> r.logGroupNamePrefix("app/").limit(1).nextToken(page1.nextToken()));
    assertThat(page2.logGroups()).extracting(g -> g.logGroupName()).containsExactly("app/b");
    assertThat(page2.nextToken()).isNull();
    assertThat(page1.logGroups().get(0).arn())
        .isEqualTo("arn:aws:logs:us-east-1:000000000000:log-group:app/a:*");

    logs.putRetentionPolicy(r -> r.logGroupName("app/a").retentionInDays(7));
    assertThat(
            logs.describeLogGroups(r -> r.logGroupNamePrefix("app/a"))
                .logGroups()
                .get(0)
                .retentionInDays())
        .isEqualTo(7);
    assertThatThrownBy(
            () -> logs.putRetentionPolicy(r -> r.logGroupName("app/a").retentionInDays(8)))
        .isInstanceOf(InvalidParameterException.class);

    long now = System.currentTimeMillis();
    logs.putLogEvents(
        r ->
            r.logGroupName("app/a")
                .logStreamName("s2")
                .logEvents(InputLogEvent.builder().timestamp(now).message("x").build()));
    DescribeLogStreamsResponse streams =
        logs.describeLogStreams(
            r -> r.logGroupName("app/a").orderBy(OrderBy.LAST_EVENT_TIME).descending(true));
    assertThat(streams.logStreams()).extracting(s -> s.logStreamName()).containsExactly("s2", "s1");
    assertThat(streams.logStreams().get(0).lastEventTimestamp()).isEqualTo(now);
    assertThat(streams.logStreams().get(1).lastEventTimestamp()).isNull();

    logs.deleteLogGroup(r -> r.logGroupName("app/b"));
    assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix("app/")).logGroups())
        .extracting(g -> g.logGroupName())
        .containsExactly("app/a");
    assertThatThrownBy(() -> logs.deleteLogGroup(r -> r.logGroupName("app/b")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void getAndFilterLogEventsReadBackFromOpenSearch() {
    logs.createLogGroup(r -> r.logGroupName("reads"));
    logs.createLogStream(r -> r.logGroupName("reads").logStreamName("a"));
    logs.createLogStream(r -> r.logGroupName("reads").logStreamName("b"));
    long now = System.currentTimeMillis();
    List<InputLogEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(
          InputLogEvent.builder()
              .timestamp(now + i)
              .message("line " + i + (i % 2 == 0 ? " ERROR" : " ok"))
              .build());
    }
    logs.putLogEvents(r -> r.logGroupName("reads").logStreamName("a").logEvents(events));
    logs.putLogEvents(
        r ->
            r.logGroupName("reads")
                .logStreamName("b")
                .logEvents(
                    InputLogEvent.builder()
                        .timestamp(now)
                        .message("{\"body\":\"json ERROR\",\"level\":\"ERROR\"}")
                        .build()));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "logs-reads-*") == 6);

    GetLogEventsResponse head =
        logs.getLogEvents(
            r -> r.logGroupName("reads").logStreamName("a").startFromHead(true).limit(3));
    assertThat(head.events())
        .extracting(e -> e.message())
        .containsExactly("line 0 ERROR", "line 1 ok", "line 2 ERROR");
    GetLogEventsResponse rest =
        logs.getLogEvents(
            r ->
                r.logGroupName("reads")
                    .logStreamName("a")
                    .startFromHead(true)
                    .nextToken(head.nextForwardToken()));
    assertThat(rest.events())
        .extracting(e -> e.message())
        .containsExactly("line 3 ok", "line 4 ERROR");
    assertThat(rest.events().get(0).timestamp()).isEqualTo(now + 3);
    assertThat(
            logs.getLogEvents(
                    r ->
                        r.logGroupName("reads")
                            .logStreamName("a")
                            .startFromHead(true)
                            .nextToken(rest.nextForwardToken()))
                .events())
        .isEmpty();

    // Without startFromHead the newest events come first; the backward token pages to older ones.
    GetLogEventsResponse newest =
        logs.getLogEvents(r -> r.logGroupName("reads").logStreamName("a").limit(2));
    assertThat(newest.events())
        .extracting(e -> e.message())
        .containsExactly("line 3 ok", "line 4 ERROR");
    GetLogEventsResponse older =
        logs.getLogEvents(
            r ->
                r.logGroupName("reads")
                    .logStreamName("a")
                    .limit(2)
                    .nextToken(newest.nextBackwardToken()));
    assertThat(older.events())
        .extracting(e -> e.message())
        .containsExactly("line 1 ok", "line 2 ERROR");

    FilterLogEventsResponse errors =
        logs.filterLogEvents(r -> r.logGroupName("reads").filterPattern("ERROR"));
    // A JSON message comes back as the stored document (with the @timestamp the collector added).
    assertThat(errors.events())
        .extracting(e -> e.message())
        .containsExactlyInAnyOrder(
            "line 0 ERROR",
            "line 2 ERROR",
            "line 4 ERROR",
            "{\"body\":\"json ERROR\",\"level\":\"ERROR\",\"@timestamp\":\""
                + java.time.Instant.ofEpochMilli(now)
                + "\"}");
    FilterLogEventsResponse onlyB =
        logs.filterLogEvents(r -> r.logGroupName("reads").logStreamNames("b"));
    assertThat(onlyB.events())
        .singleElement()
        .satisfies(e -> assertThat(e.logStreamName()).isEqualTo("b"));
    FilterLogEventsResponse excluded =
        logs.filterLogEvents(
            r -> r.logGroupName("reads").logStreamNames("a").filterPattern("line -ERROR"));
    assertThat(excluded.events())
        .extracting(e -> e.message())
        .containsExactly("line 1 ok", "line 3 ok");
    assertThatThrownBy(
            () -> logs.filterLogEvents(r -> r.logGroupName("reads").filterPattern("{ $.x = }")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("character 9");
  }

  /**
   * One index of the group cannot answer (here another day's index maps {@code @timestamp} as text,
   * so the read's sort fails on its shard; a shard still starting does the same): the read is
   * refused as retryable instead of returning a page with holes, and answers whole once it can.
   */
  @Test
  void aReadOneIndexCannotAnswerIsRefusedAsRetryableInsteadOfComingBackWithHoles() {
    logs.createLogGroup(r -> r.logGroupName("partial"));
    logs.createLogStream(r -> r.logGroupName("partial").logStreamName("s"));
    long now = System.currentTimeMillis();
    logs.putLogEvents(
        r ->
            r.logGroupName("partial")
                .logStreamName("s")
                .logEvents(InputLogEvent.builder().timestamp(now).message("kept line").build()));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "logs-partial-*") == 1);
    String mismapped = os.indexPrefix() + "logs-partial-1999.01.01";
    os.put("/" + mismapped, "{\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"text\"}}}}");
    try {
      assertThatThrownBy(
              () ->
                  logs.getLogEvents(
                      r -> r.logGroupName("partial").logStreamName("s").startFromHead(true)))
          .isInstanceOf(ServiceUnavailableException.class)
          .hasMessageContaining("1 of 2 shards answered")
          .hasMessageContaining(mismapped);
    } finally {
      os.delete("/" + mismapped);
    }
    assertThat(
            logs.getLogEvents(r -> r.logGroupName("partial").logStreamName("s").startFromHead(true))
                .events())
        .extracting(e -> e.message())
        .containsExactly("kept line");
  }

  @Test
  void embeddedMetricFormatEventsAlsoBecomeMetricDocuments() throws Exception {
    logs.createLogGroup(r -> r.logGroupName("emf"));
    logs.createLogStream(r -> r.logGroupName("emf").logStreamName("agent"));
    long now = System.currentTimeMillis();
    // The line the agent's EmfWriter prints: one directive, one dimension set, two metrics.
    String emf =
        "{\"_aws\":{\"Timestamp\":"
            + now
            + ",\"CloudWatchMetrics\":[{\"Namespace\":\"Trailmark\","
            + "\"Dimensions\":[[\"service\",\"route\"]],\"Metrics\":[{\"Name\":\"latency\",\"Unit\":\"Milliseconds\"},"
            + "{\"Name\":\"requests\",\"Unit\":\"Count\"}]}]},\"service\":\"orders\",\"route\":\"/orders\","
            + "\"latency\":[12.5,30.0],\"requests\":3}";
    logs.putLogEvents(
        r ->
            r.logGroupName("emf")
                .logStreamName("agent")
                .logEvents(InputLogEvent.builder().timestamp(now).message(emf).build()));
    String metrics = os.indexPrefix() + "metrics-*";
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(metrics) == 3);
    JsonNode hits =
        Json.MAPPER
            .readTree(os.post("/" + metrics + "/_search", "{\"sort\":[{\"value\":\"asc\"}]}"))
            .path("hits")
            .path("hits");
    JsonNode requests = hits.get(0).path("_source");
    assertThat(requests.path("name").asText()).isEqualTo("requests");
    assertThat(requests.path("namespace").asText()).isEqualTo("Trailmark");
    assertThat(requests.path("unit").asText()).isEqualTo("Count");
    assertThat(requests.path("dimensions").path("service").asText()).isEqualTo("orders");
    assertThat(requests.path("dimensions").path("route").asText()).isEqualTo("/orders");
    assertThat(hits.get(1).path("_source").path("value").asDouble()).isEqualTo(12.5);
    assertThat(hits.get(2).path("_source").path("value").asDouble()).isEqualTo(30.0);
    // The event itself stays a log document too.
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "logs-emf-*") == 1);
  }
}
