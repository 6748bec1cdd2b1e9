package dev.trailmark.shipper.internal.aws;

import static dev.trailmark.shipper.internal.aws.WireMockAws.awsError;
import static dev.trailmark.shipper.internal.aws.WireMockAws.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FirehoseDestinationTest {
  private static final String PUT = "Firehose_20150804.PutRecordBatch";
  private WireMockAws aws;

  @BeforeEach
  void start() {
    aws = new WireMockAws();
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private DeliveryEngine engine(int recordBytes) {
    return DeliveryEngine.builder(
            new FirehoseDestination(aws.clients(Duration.ofSeconds(60)), "access", recordBytes))
        .maxBatchDelay(Duration.ofMillis(50))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .start();
  }

  private static String ok(int records) {
    StringBuilder b =
        new StringBuilder("{\"FailedPutCount\":0,\"Encrypted\":false,\"RequestResponses\":[");
    for (int i = 0; i < records; i++) {
      b.append(i == 0 ? "" : ",").append("{\"RecordId\":\"r").append(i).append("\"}");
    }
    return b.append("]}").toString();
  }

  /** Each request's records, decoded. */
  private List<List<String>> requests() throws Exception {
    List<List<String>> out = new ArrayList<>();
    for (JsonNode body : aws.bodies(PUT)) {
      assertThat(body.get("DeliveryStreamName").asText()).isEqualTo("access");
      List<String> records = new ArrayList<>();
      for (JsonNode r : body.get("Records")) {
        records.add(
            new String(Base64.getDecoder().decode(r.get("Data").asText()), StandardCharsets.UTF_8));
      }
      out.add(records);
    }
    return out;
  }

  @Test
  void resendsOnlyTheEventsOfTheRecordsThatFailed() throws Exception {
    aws.sequence(
        PUT,
        json(
            200,
            "{\"FailedPutCount\":1,\"Encrypted\":false,\"RequestResponses\":[{\"RecordId\":\"a\"},"
                + "{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"},{\"RecordId\":\"c\"}]}"),
        json(200, ok(1)));
    DeliveryEngine e = engine(1); // one event per record
    for (String s : List.of("a", "b", "c")) {
      e.offer(1L, s.getBytes(StandardCharsets.UTF_8), 0, 1);
    }
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();

    List<List<String>> reqs = requests();
    assertThat(reqs).hasSize(2);
    assertThat(reqs.get(0)).containsExactly("a\n", "b\n", "c\n");
    assertThat(reqs.get(1)).containsExactly("b\n");
    assertThat(e.stats().sent()).isEqualTo(3);
    assertThat(e.stats().retried()).isEqualTo(1);
  }

  @Test
  void packsNewlineDelimitedEventsIntoRecordsUpToTheConfiguredSize() throws Exception {
    aws.ok(PUT, ok(500));
    DeliveryEngine e = engine(5120);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String s = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 200) + "\"}";
      sent.add(s);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      e.offer(1L, b, 0, b.length);
    }
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();

    List<String> received = new ArrayList<>();
    for (List<String> req : requests()) {
      assertThat(req.size()).isLessThanOrEqualTo(500);
      assertThat(req.stream().mapToInt(r -> r.getBytes(StandardCharsets.UTF_8).length).sum())
          .isLessThanOrEqualTo(4 * 1024 * 1024);
      for (String record : req) {
        assertThat(record.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(5120);
        assertThat(record).endsWith("\n");
        received.addAll(List.of(record.split("\n")));
      }
    }
    assertThat(received).containsExactlyElementsOf(sent);
    int records = requests().stream().mapToInt(List::size).sum();
    assertThat(records).as("packed, not one record per event").isLessThan(2000 / 10);
  }

  @Test
  void aThrottledRequestIsSentAgainWhole() throws Exception {
    aws.sequence(PUT, awsError(400, "ServiceUnavailableException", "Slow down."), json(200, ok(1)));
    DeliveryEngine e = engine(5120);
    e.offer(1L, "x".getBytes(StandardCharsets.UTF_8), 0, 1);
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(requests()).hasSize(2);
    assertThat(e.stats().sent()).isEqualTo(1);
  }
}
