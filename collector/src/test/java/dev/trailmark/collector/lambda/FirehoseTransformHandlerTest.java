package dev.trailmark.collector.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse.Result;
import com.amazonaws.services.lambda.runtime.events.KinesisFirehoseEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FirehoseTransformHandlerTest {

  private final FirehoseTransformHandler handler = new FirehoseTransformHandler();

  static KinesisFirehoseEvent event(byte[]... payloads) {
    List<KinesisFirehoseEvent.Record> records = new ArrayList<>();
    for (int i = 0; i < payloads.length; i++) {
      KinesisFirehoseEvent.Record r = new KinesisFirehoseEvent.Record();
      r.setRecordId("record-" + i);
      r.setData(ByteBuffer.wrap(payloads[i]));
      records.add(r);
    }
    KinesisFirehoseEvent event = new KinesisFirehoseEvent();
    event.setRecords(records);
    return event;
  }

  @Test
  void eachLogEventBecomesOneJsonDocumentLine() throws Exception {
    KinesisAnalyticsInputPreprocessingResponse response =
        handler.handleRequest(
            event(
                Payloads.gzip(
                    Payloads.data(
                        "/trailmark/demo",
                        "orders-1",
                        1_700_000_000_000L,
                        "{\"body\":\"structured\"}",
                        "plain"))),
            null);
    KinesisAnalyticsInputPreprocessingResponse.Record r = response.getRecords().get(0);
    assertThat(r.getRecordId()).isEqualTo("record-0");
    assertThat(r.getResult()).isEqualTo(Result.Ok);
    String[] lines = StandardCharsets.UTF_8.decode(r.getData()).toString().split("\n");
    assertThat(lines).hasSize(2);
    JsonNode first = Json.MAPPER.readTree(lines[0]);
    assertThat(first.path("body").asText()).isEqualTo("structured");
    assertThat(first.path("attributes").path("aws").path("cloudwatch").path("log_group").asText())
        .isEqualTo("/trailmark/demo");
    assertThat(first.path("@timestamp").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(Json.MAPPER.readTree(lines[1]).path("body").asText()).isEqualTo("plain");
  }

  @Test
  void controlMessagesAreDroppedAndBadRecordsFailAlone() {
    KinesisAnalyticsInputPreprocessingResponse response =
        handler.handleRequest(
            event(
                Payloads.gzip(Payloads.control()), "not gzip".getBytes(StandardCharsets.UTF_8),
                Payloads.gzip("{\"no\":\"messageType\"}"),
                    Payloads.gzip(Payloads.data("g", "s", 1L, "ok"))),
            null);
    assertThat(response.getRecords())
        .extracting(KinesisAnalyticsInputPreprocessingResponse.Record::getResult)
        .containsExactly(
            Result.Dropped, Result.ProcessingFailed, Result.ProcessingFailed, Result.Ok);
    assertThat(response.getRecords())
        .extracting(KinesisAnalyticsInputPreprocessingResponse.Record::getRecordId)
        .containsExactly("record-0", "record-1", "record-2", "record-3");
  }

  @Test
  void theSixMegabyteResponseLimitIsRespected() {
    // Incompressible messages: each record expands to ~1 MB of documents, 10 records would be ~13
    // MB base64.
    Random random = new Random(1);
    byte[][] payloads = new byte[10][];
    for (int i = 0; i < payloads.length; i++) {
      StringBuilder message = new StringBuilder();
      for (int j = 0; j < 1_000_000; j++) {
        message.append((char) ('a' + random.nextInt(26)));
      }
      payloads[i] = Payloads.gzip(Payloads.data("g", "s", 1L, message.toString()));
    }
    KinesisAnalyticsInputPreprocessingResponse response =
        handler.handleRequest(event(payloads), null);
    assertThat(response.getRecords()).hasSize(10);
    long base64 =
        response.getRecords().stream().mapToLong(r -> (r.getData().remaining() + 2L) / 3 * 4).sum();
    assertThat(base64).isLessThan(6L * 1024 * 1024);
    assertThat(response.getRecords().get(0).getResult()).isEqualTo(Result.Ok);
    assertThat(response.getRecords().get(9).getResult()).isEqualTo(Result.ProcessingFailed);
    long ok = response.getRecords().stream().filter(r -> r.getResult() == Result.Ok).count();
    assertThat(ok).isBetween(3L, 4L);
  }
}
