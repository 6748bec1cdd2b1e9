package dev.trailmark.collector.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import org.junit.jupiter.api.Test;

class DocumentBatchTest {

  private static final String SHIPPED =
      "{\"body\":\"order placed\",\"attributes\":"
          + "{\"log.record.uid\":\"1a2177c8282-17\",\"thread.name\":\"main\"}}";

  @Test
  void aShippedEventIsIndexedUnderItsStableIdSoThatASecondDeliveryReplacesIt() throws Exception {
    DocumentBatch batch = new DocumentBatch();
    String first = batch.addLogEvent("logs", "/g", "s", 1L, SHIPPED);
    String again = batch.addLogEvent("logs", "/g", "s", 1L, SHIPPED);
    assertThat(first).startsWith("r-1a2177c8282-17-").isEqualTo(again);

    JsonNode parsed = Json.MAPPER.readTree(SHIPPED);
    assertThat(new DocumentBatch().add("logs", parsed)).isEqualTo(first);
  }

  @Test
  void differentEventsSharingOneUidKeepTheirOwnDocuments() {
    DocumentBatch batch = new DocumentBatch();
    String a =
        batch.addLogEvent(
            "logs", "/g", "s", 1L, "{\"body\":\"one\",\"attributes\":{\"log.record.uid\":\"u1\"}}");
    String b =
        batch.addLogEvent(
            "logs", "/g", "s", 1L, "{\"body\":\"two\",\"attributes\":{\"log.record.uid\":\"u1\"}}");
    String c =
        batch.addLogEvent(
            "logs",
            "/g",
            "s",
            1L,
            "{\"body\":\"three\",\"attributes\":{\"log.record.uid\":\"u1\"}}");
    assertThat(java.util.Set.of(a, b, c)).hasSize(3);
    assertThat(a).startsWith("r-u1-");
  }

  @Test
  void linesWithoutAPlainStableIdGetFreshIds() {
    DocumentBatch batch = new DocumentBatch();
    String a =
        batch.addLogEvent("logs", "/g", "s", 1L, "plain text mentioning \"log.record.uid\":\"x\"");
    String b =
        batch.addLogEvent(
            "logs", "/g", "s", 1L, "{\"attributes\":{\"log.record.uid\":\"has\\\\escape\"}}");
    String c = batch.addLogEvent("logs", "/g", "s", 1L, "{\"body\":\"no id\"}");
    assertThat(a).doesNotStartWith("r-");
    assertThat(b).doesNotStartWith("r-");
    assertThat(c).doesNotStartWith("r-");
    assertThat(java.util.Set.of(a, b, c)).hasSize(3);
  }
}
