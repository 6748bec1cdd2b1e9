package dev.trailmark.collector.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Maps one CloudWatch Logs event to its log document (SS4O schema), the same way in the local server and in
 * the Lambda handlers.
 */
public final class LogDocuments {

  private LogDocuments() {}

  /**
   * A message that parses as a JSON object is the document itself (the shipper's encoder already wrote the
   * schema); anything else becomes {@code {"body": message}}. {@code @timestamp} is added from the event
   * timestamp when absent, and the log group and stream go to {@code attributes.aws.cloudwatch}.
   */
  public static ObjectNode fromCloudWatchEvent(String logGroup, String logStream, long timestamp, String message) {
    ObjectNode doc = parseObject(message);
    if (doc == null) {
      doc = Json.object();
      doc.put("@timestamp", Instant.ofEpochMilli(timestamp).toString());
      doc.put("body", message);
    } else if (!doc.hasNonNull("@timestamp")) {
      doc.put("@timestamp", Instant.ofEpochMilli(timestamp).toString());
    }
    ObjectNode cloudwatch = child(child(child(doc, "attributes"), "aws"), "cloudwatch");
    cloudwatch.put("log_group", logGroup);
    cloudwatch.put("log_stream", logStream);
    return doc;
  }

  private static ObjectNode parseObject(String message) {
    // Cheap pre-check: most plain-text lines never reach the parser.
    int i = 0;
    while (i < message.length() && Character.isWhitespace(message.charAt(i))) {
      i++;
    }
    if (i == message.length() || message.charAt(i) != '{') {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(message);
      return node instanceof ObjectNode ? (ObjectNode) node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static ObjectNode child(ObjectNode parent, String name) {
    JsonNode existing = parent.get(name);
    if (existing instanceof ObjectNode) {
      return (ObjectNode) existing;
    }
    // A scalar under a reserved name would break the mapping; keep it beside the object instead of losing it.
    if (existing != null && !existing.isNull()) {
      parent.set("_" + name, existing);
    }
    return parent.putObject(name);
  }
}
