package dev.trailmark.collector.internal.mapping;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Maps one CloudWatch Logs event to its log document (SS4O schema), the same way in the local
 * server and in the Lambda handlers.
 */
public final class LogDocuments {

  private LogDocuments() {}

  /**
   * A message that parses as a JSON object is the document itself (the shipper's encoder already
   * wrote the schema); anything else becomes {@code {"body": message}}. {@code @timestamp} is added
   * from the event timestamp when absent, and the log group and stream go to {@code
   * attributes.aws.cloudwatch} (with the event's {@code timestamp} when the message brings its own
   * {@code @timestamp}).
   */
  public static ObjectNode fromCloudWatchEvent(
      String logGroup, String logStream, long timestamp, String message) {
    ObjectNode doc = parseObject(message);
    boolean ownTimestamp = false;
    if (doc == null) {
      doc = Json.object();
      doc.put("@timestamp", Instant.ofEpochMilli(timestamp).toString());
      doc.put("body", message);
    } else if (!doc.hasNonNull("@timestamp")) {
      doc.put("@timestamp", Instant.ofEpochMilli(timestamp).toString());
    } else {
      ownTimestamp = true;
    }
    ObjectNode cloudwatch = child(child(child(doc, "attributes"), "aws"), "cloudwatch");
    cloudwatch.put("log_group", logGroup);
    cloudwatch.put("log_stream", logStream);
    if (ownTimestamp) {
      // The event's own time, kept for when OpenSearch refuses the message's @timestamp (see
      // BulkWriter).
      cloudwatch.put("timestamp", timestamp);
    }
    return doc;
  }

  /**
   * Writes the same document as {@link #fromCloudWatchEvent} as one line of UTF-8 JSON, without
   * building a tree when it can: a JSON message is scanned once and the collector's fields are
   * spliced in, which halves the CPU of a PutLogEvents call. Messages the splice cannot handle
   * exactly (pretty-printed, duplicate keys, {@code attributes.aws} already present, a non-object
   * {@code attributes}, a null {@code @timestamp}) take the tree path.
   */
  public static void write(
      OutputStream out, String logGroup, String logStream, long timestamp, String message)
      throws IOException {
    Splice splice = scan(message);
    if (splice == Splice.TREE) {
      out.write(
          Json.MAPPER.writeValueAsBytes(
              fromCloudWatchEvent(logGroup, logStream, timestamp, message)));
      return;
    }
    String cloudwatch =
        "\"aws\":{\"cloudwatch\":{\"log_group\":\""
            + quote(logGroup)
            + "\",\"log_stream\":\""
            + quote(logStream)
            + "\""
            + (splice != null && splice.hasTimestamp ? ",\"timestamp\":" + timestamp : "")
            + "}}";
    String time = "\"@timestamp\":\"" + Instant.ofEpochMilli(timestamp) + "\"";
    StringBuilder doc = new StringBuilder(message.length() + 160);
    if (splice == null) {
      doc.append('{')
          .append(time)
          .append(",\"body\":\"")
          .append(quote(message))
          .append("\",\"attributes\":{")
          .append(cloudwatch)
          .append("}}");
    } else if (splice.attributesEnd >= 0) {
      doc.append(message, 0, splice.attributesEnd)
          .append(splice.attributesEmpty ? "" : ",")
          .append(cloudwatch)
          .append(message, splice.attributesEnd, splice.objectEnd);
      if (!splice.hasTimestamp) {
        doc.append(',').append(time);
      }
      doc.append('}');
    } else {
      doc.append(message, 0, splice.objectEnd)
          .append(splice.objectEmpty ? "" : ",")
          .append("\"attributes\":{")
          .append(cloudwatch)
          .append('}');
      if (!splice.hasTimestamp) {
        doc.append(',').append(time);
      }
      doc.append('}');
    }
    out.write(doc.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Where to splice into a JSON object message; null means "not a JSON object", {@link #TREE} "use
   * the tree".
   */
  private static final class Splice {
    static final Splice TREE = new Splice();
    int objectEnd = -1;
    boolean objectEmpty = true;
    int attributesEnd = -1;
    boolean attributesEmpty = true;
    boolean hasTimestamp;
  }

  private static Splice scan(String message) {
    int start = 0;
    while (start < message.length() && Character.isWhitespace(message.charAt(start))) {
      start++;
    }
    if (start == message.length() || message.charAt(start) != '{') {
      return null;
    }
    if (start > 0 || message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
      return Splice.TREE; // a document must stay on one line of the _bulk body
    }
    Splice splice = new Splice();
    try (JsonParser p = Json.MAPPER.getFactory().createParser(message)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      p.nextToken();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        splice.objectEmpty = false;
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("@timestamp")) {
          if (value == JsonToken.VALUE_NULL) {
            return Splice.TREE;
          }
          splice.hasTimestamp = true;
        }
        if (name.equals("attributes")) {
          if (value != JsonToken.START_OBJECT) {
            return Splice.TREE;
          }
          JsonToken a;
          while ((a = p.nextToken()) == JsonToken.FIELD_NAME) {
            splice.attributesEmpty = false;
            if (p.currentName().equals("aws")) {
              return Splice.TREE;
            }
            p.nextToken();
            p.skipChildren();
          }
          if (a != JsonToken.END_OBJECT) {
            return null;
          }
          splice.attributesEnd = (int) p.currentTokenLocation().getCharOffset();
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        return null;
      }
      splice.objectEnd = (int) p.currentTokenLocation().getCharOffset();
      if (p.nextToken() != null) {
        return null; // trailing content: not a JSON object message, as the tree path decides too
      }
      return splice;
    } catch (com.fasterxml.jackson.core.exc.StreamReadException e) {
      // Malformed JSON is plain text; duplicate keys take the tree path (which keeps the last one).
      return e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
          ? Splice.TREE
          : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
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
    // A scalar under a reserved name would break the mapping; keep it beside the object instead of
    // losing it.
    if (existing != null && !existing.isNull()) {
      parent.set("_" + name, existing);
    }
    return parent.putObject(name);
  }
}
