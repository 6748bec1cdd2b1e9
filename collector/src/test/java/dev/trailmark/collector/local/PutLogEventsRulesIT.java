package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.RejectedLogEventsInfo;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/** Every PutLogEvents rule of AWS, checked through the real SDK client. */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class PutLogEventsRulesIT {

  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();

  static LocalCollector collector;
  static CloudWatchLogsClient logs;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
    logs = Clients.logs(collector.httpEndpoint());
    logs.createLogGroup(r -> r.logGroupName("rules"));
    logs.createLogStream(r -> r.logGroupName("rules").logStreamName("s"));
  }

  @AfterAll
  static void stop() throws Exception {
    logs.close();
  }

  private static PutLogEventsResponse put(String group, List<InputLogEvent> events) {
    return logs.putLogEvents(r -> r.logGroupName(group).logStreamName("s").logEvents(events));
  }

  private static InputLogEvent event(long ts, String message) {
    return InputLogEvent.builder().timestamp(ts).message(message).build();
  }

  @Test
  void atMostTenThousandEvents() {
    long now = System.currentTimeMillis();
    List<InputLogEvent> events = new ArrayList<>();
    for (int i = 0; i < 10_001; i++) {
      events.add(event(now, "e"));
    }
    assertThatThrownBy(() -> put("rules", events))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("10000");
    assertThat(put("rules", events.subList(0, 10_000)).rejectedLogEventsInfo()).isNull();
  }

  @Test
  void atMostOneMebibyteCountingTwentySixBytesPerEvent() {
    long now = System.currentTimeMillis();
    // 4 events of 262,118 bytes + 26 overhead each = exactly 1,048,576 bytes: accepted.
    String big = "x".repeat(262_144 - 26);
    List<InputLogEvent> exact =
        List.of(event(now, big), event(now, big), event(now, big), event(now, big));
    assertThat(put("rules", exact).rejectedLogEventsInfo()).isNull();
    // One byte more (a two-byte character replaces a one-byte one): refused.
    List<InputLogEvent> over =
        List.of(
            event(now, big), event(now, big), event(now, big), event(now, "é" + big.substring(1)));
    assertThatThrownBy(() -> put("rules", over))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("1048577 bytes exceeds limit of 1048576");
  }

  @Test
  void outOfOrderEventsFailTheCall() {
    long now = System.currentTimeMillis();
    assertThatThrownBy(() -> put("rules", List.of(event(now, "b"), event(now - 1, "a"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("chronological order");
  }

  @Test
  void aBatchMayNotSpanMoreThanTwentyFourHours() {
    long now = System.currentTimeMillis();
    assertThatThrownBy(() -> put("rules", List.of(event(now - DAY - 1, "a"), event(now, "b"))))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageContaining("24 hours");
    assertThat(
            put("rules", List.of(event(now - DAY, "a"), event(now, "b"))).rejectedLogEventsInfo())
        .isNull();
  }

  @Test
  void tooNewTooOldAndExpiredEventsAreReportedWhileTheRestIsAccepted() {
    logs.createLogGroup(r -> r.logGroupName("edges"));
    logs.createLogStream(r -> r.logGroupName("edges").logStreamName("s"));
    long now = System.currentTimeMillis();
    // Batch one (within 24 h): 2 too new, 2 fine.
    PutLogEventsResponse future =
        put(
            "edges",
            List.of(
                event(now - HOUR, "ok-1"),
                event(now, "ok-2"),
                event(now + 2 * HOUR + 60_000, "new-1"),
                event(now + 3 * HOUR, "new-2")));
    assertThat(future.rejectedLogEventsInfo())
        .isEqualTo(RejectedLogEventsInfo.builder().tooNewLogEventStartIndex(2).build());
    // Batch two: 2 older than 14 days, 1 fine.
    long old = now - Duration.ofDays(14).toMillis();
    PutLogEventsResponse past =
        put(
            "edges",
            List.of(
                event(old - 2 * HOUR, "old-1"),
                event(old - HOUR, "old-2"),
                event(old + HOUR, "ok-3")));
    assertThat(past.rejectedLogEventsInfo())
        .isEqualTo(RejectedLogEventsInfo.builder().tooOldLogEventEndIndex(1).build());
    // Batch three: with 3 days' retention, events older than 3 days are expired.
    logs.putRetentionPolicy(r -> r.logGroupName("edges").retentionInDays(3));
    long cutoff = now - Duration.ofDays(3).toMillis();
    PutLogEventsResponse expired =
        put("edges", List.of(event(cutoff - HOUR, "expired-1"), event(cutoff + HOUR, "ok-4")));
    assertThat(expired.rejectedLogEventsInfo())
        .isEqualTo(RejectedLogEventsInfo.builder().expiredLogEventEndIndex(0).build());

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "logs-edges-*") == 4);
    assertThat(os.post("/" + os.indexPrefix() + "logs-edges-*/_search?size=10", "{}"))
        .contains("ok-1", "ok-2", "ok-3", "ok-4")
        .doesNotContain("new-1", "old-1", "old-2", "expired-1");
    assertThat(collector.status().path("rejectedByReason").path("logs.tooNew").asLong())
        .isEqualTo(2);
    assertThat(collector.status().path("rejectedByReason").path("logs.tooOld").asLong())
        .isEqualTo(2);
    assertThat(collector.status().path("rejectedByReason").path("logs.expired").asLong())
        .isEqualTo(1);
  }

  @Test
  void missingGroupOrStreamIsResourceNotFound() {
    long now = System.currentTimeMillis();
    assertThatThrownBy(() -> put("no-such-group", List.of(event(now, "a"))))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("log group does not exist");
    assertThatThrownBy(
            () ->
                logs.putLogEvents(
                    r ->
                        r.logGroupName("rules")
                            .logStreamName("no-such-stream")
                            .logEvents(event(now, "a"))))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("log stream does not exist");
  }
}
