package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A string built from an event: either a bare {@link JsonPath} ({@code requestParameters.groupId})
 * or text with {@code ${path}} placeholders ({@code
 * arn:aws:apigateway:${awsRegion}::/restapis/${requestParameters.restApiId}}).
 */
final class ValueTemplate {
  private final List<Object> parts;

  private ValueTemplate(List<Object> parts) {
    this.parts = parts;
  }

  static ValueTemplate compile(String text) {
    List<Object> parts = new ArrayList<>();
    if (!text.contains("${")) {
      parts.add(JsonPath.compile(text));
      return new ValueTemplate(parts);
    }
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("${", i);
      if (open < 0) {
        parts.add(text.substring(i));
        break;
      }
      if (open > i) {
        parts.add(text.substring(i, open));
      }
      int close = text.indexOf('}', open);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed ${ in '" + text + "'");
      }
      parts.add(JsonPath.compile(text.substring(open + 2, close)));
      i = close + 1;
    }
    return new ValueTemplate(parts);
  }

  /** The rendered value, or null when any placeholder is missing or empty. */
  String render(JsonNode subject) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof JsonPath) {
        String value = ((JsonPath) part).text(subject);
        if (value == null || value.isEmpty()) {
          return null;
        }
        out.append(value);
      } else {
        out.append((String) part);
      }
    }
    return out.toString();
  }
}
