package dev.trailmark.collector.internal.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogDocumentsTest {

  private static final long TS = 1_764_151_200_123L;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain text line",
        "  {\"body\":\"leading space\"}",
        "{\"body\":\"x\"}",
        "{}",
        "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"body\":\"has time\"}",
        "{\"@timestamp\":null,\"body\":\"null time\"}",
        "{\"attributes\":{},\"body\":\"empty attributes\"}",
        "{\"attributes\":{\"k\":\"v\",\"n\":{\"deep\":[1,2,{\"x\":\"}\"}]}},\"body\":\"attributes\"}",
        "{\"attributes\":{\"aws\":{\"region\":\"eu-west-1\"}},\"body\":\"aws present\"}",
        "{\"attributes\":\"scalar\",\"body\":\"scalar attributes\"}",
        "{\"a\":1,\"a\":2}",
        "{\"body\":\"pretty\",\n  \"x\": 1}",
        "{\"body\":\"trailing\"} extra",
        "{\"body\":\"unterminated\"",
        "{\"body\":\"quote \\\" and unicode \\u00e9 ✓\",\"severity\":{\"text\":\"INFO\",\"number\":9}}",
        "[1,2,3]",
        "{\"attributes\":{\"a\":1},\"@timestamp\":\"2026-01-01T00:00:00Z\"}"
      })
  void theSplicedDocumentEqualsTheTreeDocument(String message) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogDocuments.write(out, "/trailmark/demo", "orders \"1\"", TS, message);
    String line = out.toString(StandardCharsets.UTF_8);
    assertThat(line).doesNotContain("\n");
    JsonNode spliced = Json.MAPPER.readTree(line);
    assertThat(spliced)
        .isEqualTo(
            LogDocuments.fromCloudWatchEvent("/trailmark/demo", "orders \"1\"", TS, message));
  }

  @Test
  void aJsonMessageIsTheDocumentAndTextBecomesBody() {
    JsonNode doc =
        LogDocuments.fromCloudWatchEvent("g", "s", TS, "{\"body\":\"b\",\"traceId\":\"t\"}");
    assertThat(doc.path("traceId").asText()).isEqualTo("t");
    assertThat(doc.path("@timestamp").asText()).isEqualTo("2025-11-26T10:00:00.123Z");
    assertThat(doc.path("attributes").path("aws").path("cloudwatch").path("log_group").asText())
        .isEqualTo("g");
    assertThat(LogDocuments.fromCloudWatchEvent("g", "s", TS, "text").path("body").asText())
        .isEqualTo("text");
  }

  @Test
  void datasetsFollowTheContract() {
    assertThat(IndexNames.dataset("/trailmark/demo")).isEqualTo("trailmark-demo");
    assertThat(IndexNames.dataset("/aws/lambda/My_Function--x"))
        .isEqualTo("aws-lambda-my-function-x");
    assertThat(IndexNames.logs("p-", "/trailmark/demo", TS))
        .isEqualTo("p-logs-trailmark-demo-2025.11.26");
  }
}
