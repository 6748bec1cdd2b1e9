package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A dotted path into a JSON tree: {@code configuration.securityPolicy}; a segment holding dots or
 * slashes is double-quoted: {@code configuration.methodSettings."*&#47;*".loggingLevel}. A numeric
 * segment indexes an array.
 */
public final class JsonPath {
  private final String text;
  private final String[] segments;

  private JsonPath(String text, String[] segments) {
    this.text = text;
    this.segments = segments;
  }

  /** Compiles a path; throws {@link IllegalArgumentException} with the reason when malformed. */
  public static JsonPath compile(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty path");
    }
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    boolean segmentWasQuoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
        segmentWasQuoted = true;
      } else if (c == '.' && !quoted) {
        if (current.length() == 0 && !segmentWasQuoted) {
          throw new IllegalArgumentException("empty segment in path '" + text + "'");
        }
        parts.add(current.toString());
        current.setLength(0);
        segmentWasQuoted = false;
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw new IllegalArgumentException("unclosed quote in path '" + text + "'");
    }
    if (current.length() == 0 && !segmentWasQuoted) {
      throw new IllegalArgumentException("empty segment in path '" + text + "'");
    }
    parts.add(current.toString());
    return new JsonPath(text, parts.toArray(new String[0]));
  }

  /** The node at this path, or a missing node; never null. */
  public JsonNode get(JsonNode root) {
    JsonNode node = root;
    for (String segment : segments) {
      if (node == null) {
        return MissingNode.getInstance();
      }
      if (node.isArray() && isIndex(segment)) {
        node = node.get(Integer.parseInt(segment));
      } else {
        node = node.get(segment);
      }
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  /** The text at this path, or null when missing or JSON null. */
  public String text(JsonNode root) {
    JsonNode node = get(root);
    return node.isMissingNode() || node.isNull() || node.isContainerNode() ? null : node.asText();
  }

  private static boolean isIndex(String segment) {
    if (segment.isEmpty() || segment.length() > 9) {
      return false;
    }
    for (int i = 0; i < segment.length(); i++) {
      if (!Character.isDigit(segment.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
