package dev.trailmark.shipper.internal.aws;

import static dev.trailmark.shipper.internal.aws.WireMockAws.awsError;
import static dev.trailmark.shipper.internal.aws.WireMockAws.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults the local collector cannot produce, scripted in WireMock, against the real SDK and engine.
 */
class CloudWatchLogsFaultsTest {
  private static final String PUT = "Logs_20140328.PutLogEvents";
  private WireMockAws aws;
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    aws = new WireMockAws();
    aws.ok("Logs_20140328.CreateLogGroup", "{}");
    aws.ok("Logs_20140328.CreateLogStream", "{}");
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private DeliveryEngine engine(Duration requestTimeout) {
    CloudWatchLogsDestination d =
        new CloudWatchLogsDestination(aws.clients(requestTimeout), "/app", t -> "s", true);
    return DeliveryEngine.builder(d)
        .maxBatchDelay(Duration.ofMillis(50))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
        .listener((m, e) -> warnings.add(m))
        .start();
  }

  private static void offer(DeliveryEngine e, int n, String prefix) {
    long now = System.currentTimeMillis();
    for (int i = 0; i < n; i++) {
      byte[] b = (prefix + i).getBytes(StandardCharsets.UTF_8);
      assertThat(e.offer(now, b, 0, b.length)).isTrue();
    }
  }

  private List<String> deliveredMessages() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode put : aws.bodies(PUT)) {
      for (JsonNode ev : put.get("logEvents")) {
        out.add(ev.get("message").asText());
      }
    }
    return out;
  }

  @Test
  void throttlingStormIsRetriedWithBackoffUntilEveryEventIsAccepted() throws Exception {
    aws.sequence(
        PUT,
        awsError(400, "ThrottlingException", "Rate exceeded"),
        awsError(400, "ThrottlingException", "Rate exceeded"),
        awsError(400, "ThrottlingException", "Rate exceeded"),
        awsError(400, "ThrottlingException", "Rate exceeded"),
        json(200, "{}"));
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    offer(e, 100, "m");
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(e.stats().sent()).isEqualTo(100);
    assertThat(e.stats().retried()).isEqualTo(400);
    assertThat(e.stats().dropped()).isZero();
    // the same 100 events were sent five times; the last copy is the one accepted
    List<String> msgs = deliveredMessages();
    assertThat(msgs).hasSize(500);
    assertThat(msgs.stream().filter("m99"::equals).count()).isEqualTo(5);
  }

  @Test
  void credentialSignaturePermissionAndNamingErrorsKeepTheEventsAndRetry() throws Exception {
    aws.sequence(
        PUT,
        awsError(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid."),
        awsError(
            400,
            "InvalidSignatureException",
            "Signature expired: 20260101T000000Z is now earlier than ..."),
        awsError(
            400, "AccessDeniedException", "User is not authorized to perform: logs:PutLogEvents"),
        awsError(
            403, "InvalidSignatureException", "The request signature we calculated does not match"),
        awsError(
            400,
            "InvalidParameterException",
            "1 validation error detected: Value 'a b' at 'logGroupName' "
                + "failed to satisfy constraint"),
        awsError(400, "SomeFutureException", "an error code the shipper does not know"),
        json(200, "{}"));
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    offer(e, 20, "k");
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(e.stats().sent()).isEqualTo(20);
    assertThat(e.stats().rejected()).isZero();
    assertThat(e.stats().dropped()).isZero();
    assertThat(warnings)
        .anyMatch(
            w -> w.contains("UnrecognizedClientException") && w.contains("keeping 20 events"));
  }

  @Test
  void onlyAVerdictOnTheEventsThemselvesIsPermanent() throws Exception {
    aws.sequence(
        PUT,
        awsError(
            400, "InvalidParameterException", "Log event too large: 1048577 bytes exceeds limit"),
        json(200, "{}"));
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    offer(e, 5, "v");
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(e.stats().rejected()).isEqualTo(5);
    assertThat(warnings).anyMatch(w -> w.contains("5 events refused") && w.contains("too large"));
  }

  @Test
  void serverErrorsAndTimeoutsAreRetried() throws Exception {
    aws.sequence(
        PUT,
        awsError(500, "InternalFailure", "oops"),
        awsError(503, "ServiceUnavailableException", "down"),
        json(200, "{}").withFixedDelay(1500),
        json(200, "{}"));
    DeliveryEngine e = engine(Duration.ofMillis(500));
    offer(e, 10, "t");
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(e.stats().sent()).isEqualTo(10);
    // 500, 503 and the timeout; a loaded machine may time out once more, which is retried the same
    // way
    assertThat(e.stats().failedRequests()).isGreaterThanOrEqualTo(3);
    assertThat(e.stats().dropped()).isZero();
  }

  @Test
  void aDeletedStreamIsRecreatedAndTheBatchResent() throws Exception {
    aws.sequence(
        PUT,
        json(200, "{}"),
        awsError(400, "ResourceNotFoundException", "The specified log stream does not exist."),
        json(200, "{}"));
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    offer(e, 1, "first");
    assertThat(e.flush(Duration.ofSeconds(10))).isTrue();
    offer(e, 1, "second");
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(aws.bodies("Logs_20140328.CreateLogStream")).hasSize(2);
    assertThat(aws.bodies("Logs_20140328.CreateLogGroup")).hasSize(2);
    assertThat(e.stats().sent()).isEqualTo(2);
    assertThat(deliveredMessages()).containsExactly("first0", "second0", "second0");
  }

  @Test
  void rejectedTooOldAndTooNewEventsAreCountedAndReportedNotRetried() throws Exception {
    aws.ok(
        PUT,
        "{\"rejectedLogEventsInfo\":{\"tooOldLogEventEndIndex\":2,\"tooNewLogEventStartIndex\":4}}");
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      byte[] b = ("r" + i).getBytes(StandardCharsets.UTF_8);
      e.offer(now - 20L * 24 * 3600 * 1000 + i, b, 0, b.length);
    }
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(e.stats().rejected()).isEqualTo(3);
    assertThat(e.stats().sent()).isEqualTo(2);
    assertThat(aws.bodies(PUT)).hasSize(1);
    assertThat(warnings).anyMatch(w -> w.contains("3 events rejected") && w.contains("too old"));
  }

  @Test
  void oversizedEventsAreTruncatedWithAVisibleMarkerAndInvalidUtf8IsReplaced() throws Exception {
    aws.ok(PUT, "{}");
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    byte[] big = new byte[2 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'x');
    e.offer(System.currentTimeMillis(), big, 0, big.length);
    byte[] bad = {'o', 'k', (byte) 0xff, (byte) 0xc3, '!'};
    e.offer(System.currentTimeMillis(), bad, 0, bad.length);
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();

    List<String> msgs = deliveredMessages();
    assertThat(msgs).hasSize(2);
    assertThat(msgs.get(0)).endsWith("...[truncated by trailmark: 2097152 bytes]");
    assertThat(msgs.get(0).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1_048_550);
    assertThat(msgs.get(1)).isEqualTo("ok\uFFFD\uFFFD!");
    assertThat(e.stats().truncated()).isEqualTo(1);
    assertThat(e.stats().sent()).isEqualTo(2);
  }

  @Test
  void batchesFollowEveryPutLogEventsRule() throws Exception {
    aws.ok(PUT, "{}");
    DeliveryEngine e = engine(Duration.ofSeconds(60));
    long now = System.currentTimeMillis();
    // 25,000 small events, out of order, spanning more than 24 h
    for (int i = 0; i < 25_000; i++) {
      long t = now - (i % 2 == 0 ? 0 : 30L * 3600 * 1000) - (i % 1000);
      byte[] b = ("e" + i).getBytes(StandardCharsets.UTF_8);
      assertThat(e.offer(t, b, 0, b.length)).isTrue();
    }
    assertThat(e.close(Duration.ofSeconds(60))).isTrue();
    int total = 0;
    for (JsonNode put : aws.bodies(PUT)) {
      JsonNode evs = put.get("logEvents");
      assertThat(evs.size()).isLessThanOrEqualTo(10_000);
      long bytes = 0;
      long first = evs.get(0).get("timestamp").asLong();
      long prev = first;
      for (JsonNode ev : evs) {
        long t = ev.get("timestamp").asLong();
        assertThat(t).isGreaterThanOrEqualTo(prev);
        assertThat(t - first).isLessThan(24L * 3600 * 1000);
        prev = t;
        bytes += ev.get("message").asText().getBytes(StandardCharsets.UTF_8).length + 26;
      }
      assertThat(bytes).isLessThanOrEqualTo(1_048_576);
      total += evs.size();
    }
    assertThat(total).isEqualTo(25_000);
  }
}
