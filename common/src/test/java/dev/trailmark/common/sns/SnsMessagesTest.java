package dev.trailmark.common.sns;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import org.junit.jupiter.api.Test;

class SnsMessagesTest {
  @Test
  void peopleGetTheTextAndProgramsGetTheJson() throws Exception {
    JsonNode structure =
        Json.MAPPER.readTree(SnsMessages.structure("a body", "short", "{\"rule\":\"r1\"}"));

    assertThat(structure.path("default").asText()).isEqualTo("a body");
    assertThat(structure.path("email").asText()).isEqualTo("a body");
    assertThat(structure.path("sms").asText()).isEqualTo("short");
    for (String protocol : new String[] {"sqs", "lambda", "http", "https", "firehose"}) {
      assertThat(Json.MAPPER.readTree(structure.path(protocol).asText()).path("rule").asText())
          .as(protocol)
          .isEqualTo("r1");
    }
  }

  @Test
  void aSubjectIsPrintableAsciiOfAtMostAHundredCharacters() {
    assertThat(SnsMessages.subject("Bucket ölig\nopen")).isEqualTo("Bucket ?lig?open");
    String longSubject = SnsMessages.subject("x".repeat(150));
    assertThat(longSubject).hasSize(100).endsWith("xx...");
    assertThat(SnsMessages.subject("y".repeat(100))).isEqualTo("y".repeat(100));
  }
}
