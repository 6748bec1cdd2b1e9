package dev.trailmark.collector.internal.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A CloudWatch Logs subscription payload (what a subscription filter hands to Lambda or Firehose):
 * gzip-compressed JSON with {@code messageType}, {@code logGroup}, {@code logStream} and {@code
 * logEvents}.
 */
public final class CloudWatchLogsPayload {

  /** One log event of the payload. */
  public record Event(String id, long timestamp, String message) {}

  /** Largest decompressed payload accepted; a gzip bomb stops here instead of filling the heap. */
  public static final int MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;

  private final String messageType;
  private final String logGroup;
  private final String logStream;
  private final List<Event> events;

  private CloudWatchLogsPayload(
      String messageType, String logGroup, String logStream, List<Event> events) {
    this.messageType = messageType;
    this.logGroup = logGroup;
    this.logStream = logStream;
    this.events = events;
  }

  /**
   * Decompresses and parses one payload.
   *
   * @throws IllegalArgumentException when the bytes are not gzip, not JSON, or miss the required
   *     members
   */
  public static CloudWatchLogsPayload parse(byte[] gzipped) {
    byte[] json = gunzip(gzipped);
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "CloudWatch Logs payload is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("messageType").isTextual()) {
      throw new IllegalArgumentException("CloudWatch Logs payload has no messageType");
    }
    List<Event> events = new ArrayList<>();
    for (JsonNode e : root.path("logEvents")) {
      if (!e.path("timestamp").canConvertToLong() || !e.path("message").isTextual()) {
        throw new IllegalArgumentException("CloudWatch Logs event without timestamp or message");
      }
      events.add(
          new Event(
              e.path("id").asText(""), e.path("timestamp").asLong(), e.path("message").asText()));
    }
    return new CloudWatchLogsPayload(
        root.path("messageType").asText(),
        root.path("logGroup").asText(""),
        root.path("logStream").asText(""),
        events);
  }

  /**
   * {@code DATA_MESSAGE} carries log events; {@code CONTROL_MESSAGE} only checks that the
   * destination is reachable.
   */
  public boolean isData() {
    return "DATA_MESSAGE".equals(messageType);
  }

  /** The message type as sent. */
  public String messageType() {
    return messageType;
  }

  /** The source log group. */
  public String logGroup() {
    return logGroup;
  }

  /** The log events, in order. */
  public List<Event> events() {
    return events;
  }

  /**
   * Each event as its log document, mapped exactly as the local CloudWatch Logs maps PutLogEvents.
   */
  public List<ObjectNode> documents() {
    List<ObjectNode> docs = new ArrayList<>(events.size());
    for (Event e : events) {
      docs.add(LogDocuments.fromCloudWatchEvent(logGroup, logStream, e.timestamp(), e.message()));
    }
    return docs;
  }

  private static byte[] gunzip(byte[] gzipped) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      byte[] out = in.readNBytes(MAX_DECOMPRESSED_BYTES + 1);
      if (out.length > MAX_DECOMPRESSED_BYTES) {
        throw new IllegalArgumentException(
            "CloudWatch Logs payload decompresses to more than "
                + MAX_DECOMPRESSED_BYTES
                + " bytes");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "CloudWatch Logs payload is not valid gzip: " + e.getMessage(), e);
    }
  }
}
