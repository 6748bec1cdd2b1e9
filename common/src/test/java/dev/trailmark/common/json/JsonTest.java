package dev.trailmark.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonTest {

  record Point(int x) {}

  @Test
  void readsAndWritesCompactJson() {
    assertThat(Json.read("{\"a\": [1, 2]}").path("a").get(1).asInt()).isEqualTo(2);
    assertThat(Json.write(Json.object().put("a", 1))).isEqualTo("{\"a\":1}");
  }

  @Test
  void malformedOrEmptyTextIsAnIllegalArgumentNamingTheProblem() {
    assertThatThrownBy(() -> Json.read("{\"a\": "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> Json.read(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("empty JSON document");
  }

  @Test
  void textAfterTheDocumentIsRefusedNotDropped() {
    assertThatThrownBy(() -> Json.read("{\"a\":1} {\"b\":2}"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deepNestingIsRefusedBeforeItExhaustsTheStack() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertThatThrownBy(() -> Json.MAPPER.readTree(deep))
        .isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("nesting depth");
    String allowed = "[".repeat(200) + "]".repeat(200);
    assertThat(Json.read(allowed).isArray()).isTrue();
  }

  @Test
  void propertiesARecordDoesNotKnowAreIgnored() throws Exception {
    assertThat(Json.MAPPER.readValue("{\"x\":3,\"added_later\":true}", Point.class))
        .isEqualTo(new Point(3));
  }

  @Test
  void datesAreWrittenAsIsoText() {
    assertThat(Json.write(java.util.Date.from(Instant.parse("2026-01-02T03:04:05Z"))))
        .isEqualTo("\"2026-01-02T03:04:05.000+00:00\"");
  }
}
