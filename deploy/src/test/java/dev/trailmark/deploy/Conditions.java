package dev.trailmark.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Evaluates a CloudFormation condition (Fn::Not/Equals/And/Or/Join/Split/Ref) for given parameter
 * values.
 */
final class Conditions {
  private Conditions() {}

  static boolean evaluate(JsonNode condition, Map<String, String> params) {
    return (Boolean) value(condition, params);
  }

  private static Object value(JsonNode n, Map<String, String> params) {
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.has("Ref")) {
      String v = params.get(n.get("Ref").asText());
      if (v == null) {
        throw new IllegalArgumentException("no value for " + n.get("Ref").asText());
      }
      return v;
    }
    if (n.has("Fn::Not")) {
      return !(Boolean) value(n.get("Fn::Not").get(0), params);
    }
    if (n.has("Fn::Equals")) {
      return value(n.get("Fn::Equals").get(0), params)
          .equals(value(n.get("Fn::Equals").get(1), params));
    }
    if (n.has("Fn::Join")) {
      String sep = n.get("Fn::Join").get(0).asText();
      List<String> parts = new ArrayList<>();
      for (Object o : list(value(n.get("Fn::Join").get(1), params))) {
        parts.add((String) o);
      }
      return String.join(sep, parts);
    }
    if (n.has("Fn::Split")) {
      String sep = n.get("Fn::Split").get(0).asText();
      String text = (String) value(n.get("Fn::Split").get(1), params);
      return List.of(text.split(Pattern.quote(sep), -1));
    }
    if (n.isArray()) {
      List<Object> out = new ArrayList<>();
      n.forEach(e -> out.add(value(e, params)));
      return out;
    }
    throw new IllegalArgumentException("not supported here: " + n);
  }

  private static List<?> list(Object o) {
    return (List<?>) o;
  }
}
