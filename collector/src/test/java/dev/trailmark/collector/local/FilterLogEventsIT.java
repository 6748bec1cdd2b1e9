package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;

/**
 * FilterLogEvents with JSON and space-delimited patterns from the real AWS SDK, read back from
 * OpenSearch.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class FilterLogEventsIT {

  private static final String GROUP = "/filters/app";

  static LocalCollector collector;
  static CloudWatchLogsClient logs;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
    logs = Clients.logs(collector.httpEndpoint());
    logs.createLogGroup(r -> r.logGroupName(GROUP));
    logs.createLogStream(r -> r.logGroupName(GROUP).logStreamName("json"));
    logs.createLogStream(r -> r.logGroupName(GROUP).logStreamName("access"));
    long t = System.currentTimeMillis() - 60_000;
    // 30 JSON events: id i, status 500 for every third, latency 10*i, retry on even ids, user
    // absent on id 7,
    // tags[0] "db-read" or "cache".
    List<InputLogEvent> json = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String user = i == 7 ? "" : ",\"user\":\"u" + i + "\"";
      json.add(
          InputLogEvent.builder()
              .timestamp(t + i)
              .message(
                  "{\"id\":"
                      + i
                      + ",\"status\":"
                      + (i % 3 == 0 ? 500 : 200)
                      + ",\"latency\":"
                      + (10 * i)
                      + ",\"retry\":"
                      + (i % 2 == 0)
                      + user
                      + ",\"tags\":[\""
                      + (i < 5 ? "db-read" : "cache")
                      + "\"],\"level\":\""
                      + (i % 3 == 0 ? "ERROR" : "INFO")
                      + "\"}")
              .build());
    }
    logs.putLogEvents(r -> r.logGroupName(GROUP).logStreamName("json").logEvents(json));
    logs.putLogEvents(
        r ->
            r.logGroupName(GROUP)
                .logStreamName("access")
                .logEvents(
                    access(
                        t,
                        "10.0.0.1 - alice [26/Nov/2026:12:00:00 +0000] \"GET /orders HTTP/1.1\" 200 512"),
                    access(
                        t + 1,
                        "10.0.0.2 - bob [26/Nov/2026:12:00:01 +0000] \"POST /orders HTTP/1.1\" 503 2048"),
                    access(
                        t + 2,
                        "10.0.0.3 - carol [26/Nov/2026:12:00:02 +0000] \"GET /health HTTP/1.1\" 500 10"),
                    access(t + 3, "not an access line")));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "logs-filters-app-*") == 34);
  }

  private static InputLogEvent access(long ts, String line) {
    return InputLogEvent.builder().timestamp(ts).message(line).build();
  }

  @AfterAll
  static void stop() throws Exception {
    logs.close();
  }

  private static List<Integer> ids(String pattern) {
    List<Integer> ids = new ArrayList<>();
    for (FilteredLogEvent e :
        logs.filterLogEvents(r -> r.logGroupName(GROUP).filterPattern(pattern)).events()) {
      ids.add(id(e));
    }
    return ids;
  }

  private static int id(FilteredLogEvent e) {
    try {
      return Json.MAPPER.readTree(e.message()).path("id").asInt();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @Test
  void jsonPatternsSelectEventsByFieldValues() {
    assertThat(ids("{ $.status = 500 && $.latency > 150 }")).containsExactly(18, 21, 24, 27);
    assertThat(ids("{ $.level = \"ERR*\" && ($.id < 4 || $.id >= 27) }")).containsExactly(0, 3, 27);
    assertThat(ids("{ $.user NOT EXISTS }")).containsExactly(7);
    assertThat(ids("{ $.tags[0] = \"db-*\" && $.retry IS TRUE }")).containsExactly(0, 2, 4);
    assertThat(ids("{ $.user = \"u1*\" && $.retry IS FALSE }"))
        .containsExactly(1, 11, 13, 15, 17, 19);
  }

  @Test
  void spaceDelimitedPatternsSelectAccessLogLines() {
    FilterLogEventsResponse serverErrors =
        logs.filterLogEvents(
            r ->
                r.logGroupName(GROUP)
                    .filterPattern(
                        "[ip, identity, user, timestamp, request, status_code = 5*, size > 1000]"));
    assertThat(serverErrors.events())
        .extracting(FilteredLogEvent::message)
        .singleElement()
        .asString()
        .contains("bob");
    FilterLogEventsResponse orders =
        logs.filterLogEvents(
            r ->
                r.logGroupName(GROUP)
                    .logStreamNames("access")
                    .filterPattern("[..., request = \"*/orders*\", status_code, size]"));
    assertThat(orders.events())
        .extracting(FilteredLogEvent::message)
        .allSatisfy(m -> assertThat(m).contains("/orders"))
        .hasSize(2);
    FilterLogEventsResponse anyFiveFields =
        logs.filterLogEvents(
            r -> r.logGroupName(GROUP).logStreamNames("access").filterPattern("[a, b, c, d]"));
    assertThat(anyFiveFields.events())
        .extracting(FilteredLogEvent::message)
        .containsExactly("not an access line");
  }

  @Test
  void pagesThroughMatchesWithNextTokenWithoutLossOrRepeat() {
    List<Integer> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String next = token;
      FilterLogEventsResponse page =
          logs.filterLogEvents(
              r ->
                  r.logGroupName(GROUP)
                      .logStreamNames("json")
                      .filterPattern("{ $.status = 500 }")
                      .limit(3)
                      .nextToken(next));
      assertThat(page.events()).hasSizeLessThanOrEqualTo(3);
      page.events().forEach(e -> seen.add(id(e)));
      token = page.nextToken();
      pages++;
    } while (token != null && pages < 20);
    assertThat(seen).containsExactly(0, 3, 6, 9, 12, 15, 18, 21, 24, 27);
    assertThat(pages).isBetween(4, 5);
  }

  @Test
  void malformedPatternIsRefusedWithItsPositionAndTheNextRequestSucceeds() {
    assertThatThrownBy(
            () ->
                logs.filterLogEvents(
                    r -> r.logGroupName(GROUP).filterPattern("{ $.status = 500 && }")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("character 21");
    assertThatThrownBy(
            () ->
                logs.filterLogEvents(
                    r -> r.logGroupName(GROUP).filterPattern("[ip, status_code >]")))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("character 19");
    assertThat(ids("{ $.id = 29 }")).containsExactly(29);
  }
}
