package dev.trailmark.audit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The per-rule fixtures of {@code src/test/resources/fixtures}. */
public final class Fixtures {
  private Fixtures() {}

  public static JsonNode of(String ruleId) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + ruleId + ".json")) {
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The non-compliant CloudTrail record of a rule's fixtures. */
  public static JsonNode badEvent(String ruleId) {
    return of(ruleId).path("cloudTrail").path("nonCompliant").deepCopy();
  }

  /** The non-compliant Config item of a rule's fixtures. */
  public static JsonNode badItem(String ruleId) {
    return of(ruleId).path("configItem").path("nonCompliant").deepCopy();
  }

  /** An EventBridge event around a CloudTrail record, as EventBridge delivers it to Lambda. */
  public static String eventBridge(JsonNode detail) {
    var event = Json.object();
    event.put("version", "0");
    event.put("id", "7bf73129-1428-4cd3-a780-95db273d1602");
    event.put("detail-type", "AWS API Call via CloudTrail");
    event.put("source", "aws." + detail.path("eventSource").asText().replace(".amazonaws.com", ""));
    event.put("account", "123456789012");
    event.put("time", detail.path("eventTime").asText());
    event.put("region", "us-east-1");
    event.putArray("resources");
    event.set("detail", detail);
    return Json.write(event);
  }
}
