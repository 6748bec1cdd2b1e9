package dev.trailmark.collector.lambda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/** CloudWatch Logs subscription payloads as CloudWatch Logs sends them. */
final class Payloads {

  private Payloads() {}

  static String data(String group, String stream, long ts, String... messages) {
    StringBuilder events = new StringBuilder();
    for (int i = 0; i < messages.length; i++) {
      events
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"3712398123871239871239871239871239871" + i + "\",")
          .append("\"timestamp\":")
          .append(ts + i)
          .append(",\"message\":")
          .append(
              dev.trailmark.common.json.Json.MAPPER
                  .getNodeFactory()
                  .textNode(messages[i])
                  .toString())
          .append('}');
    }
    return "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"123456789012\",\"logGroup\":\""
        + group
        + "\","
        + "\"logStream\":\""
        + stream
        + "\",\"subscriptionFilters\":[\"all\"],\"logEvents\":["
        + events
        + "]}";
  }

  static String control() {
    return "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
        + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":1700000000000,"
        + "\"message\":\"CWL CONTROL MESSAGE: Checking health of destination.\"}]}";
  }

  static byte[] gzip(String json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
