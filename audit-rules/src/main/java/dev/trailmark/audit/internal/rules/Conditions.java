package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.rules.Condition;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the declarative condition language of rule files into {@link Condition}s.
 *
 * <p>An expression is a map with one of: {@code all: [..]}, {@code any: [..]}, {@code not: expr},
 * {@code java: ClassName}, or {@code path: a.b.c} with exactly one test: {@code equals}, {@code
 * notEquals}, {@code in}, {@code notIn}, {@code exists}, {@code matches}, {@code startsWith},
 * {@code lessThan}, {@code greaterThan}, {@code anyElement} (an expression over each element of an
 * array, paths relative to the element), {@code empty} (true: missing, null, "" or an empty
 * container). {@code if: e, then: e1, else: e2} judges {@code e1} when {@code e} holds, else {@code
 * e2}: a rule judges the state CloudTrail recorded in {@code responseElements} when it is there,
 * and the request only when it is not.
 */
final class Conditions {
  private static final Set<String> TESTS =
      Set.of(
          "equals",
          "notEquals",
          "in",
          "notIn",
          "exists",
          "matches",
          "startsWith",
          "lessThan",
          "greaterThan",
          "anyElement",
          "empty");

  private final String file;

  Conditions(String file) {
    this.file = file;
  }

  Condition compile(Object spec, String field) {
    if (!(spec instanceof Map)) {
      throw error(field, "must be a map (all, any, not, if, java or path), got " + describe(spec));
    }
    Map<?, ?> map = (Map<?, ?>) spec;
    if (map.containsKey("all") || map.containsKey("any")) {
      String op = map.containsKey("all") ? "all" : "any";
      expectOnly(map, field, Set.of(op));
      Object list = map.get(op);
      if (!(list instanceof List) || ((List<?>) list).isEmpty()) {
        throw error(field + "." + op, "must be a non-empty list of conditions");
      }
      List<Condition> parts = new ArrayList<>();
      int i = 0;
      for (Object item : (List<?>) list) {
        parts.add(compile(item, field + "." + op + "[" + i++ + "]"));
      }
      Condition[] array = parts.toArray(new Condition[0]);
      return op.equals("all") ? all(array) : any(array);
    }
    if (map.containsKey("not")) {
      expectOnly(map, field, Set.of("not"));
      Condition inner = compile(map.get("not"), field + ".not");
      return subject -> !inner.test(subject);
    }
    if (map.containsKey("if")) {
      expectOnly(map, field, Set.of("if", "then", "else"));
      if (!map.containsKey("then") || !map.containsKey("else")) {
        throw error(field, "if needs both then and else");
      }
      Condition test = compile(map.get("if"), field + ".if");
      Condition then = compile(map.get("then"), field + ".then");
      Condition otherwise = compile(map.get("else"), field + ".else");
      return subject -> test.test(subject) ? then.test(subject) : otherwise.test(subject);
    }
    if (map.containsKey("java")) {
      expectOnly(map, field, Set.of("java"));
      return instantiate(map.get("java"), field + ".java");
    }
    if (map.containsKey("path")) {
      return compilePathTest(map, field);
    }
    throw error(field, "needs one of all, any, not, if, java or path; has " + map.keySet());
  }

  private Condition compilePathTest(Map<?, ?> map, String field) {
    if (!(map.get("path") instanceof String)) {
      throw error(field + ".path", "must be a string");
    }
    JsonPath path;
    try {
      path = JsonPath.compile((String) map.get("path"));
    } catch (IllegalArgumentException e) {
      throw error(field + ".path", e.getMessage());
    }
    List<String> tests = new ArrayList<>();
    for (Object key : map.keySet()) {
      if (!"path".equals(key)) {
        if (!TESTS.contains(String.valueOf(key))) {
          throw error(field + "." + key, "unknown test; use one of " + TESTS);
        }
        tests.add(String.valueOf(key));
      }
    }
    if (tests.size() != 1) {
      throw error(field, "a path needs exactly one test of " + TESTS + ", has " + tests);
    }
    String test = tests.get(0);
    Object arg = map.get(test);
    String argField = field + "." + test;
    switch (test) {
      case "equals":
        requireScalar(arg, argField);
        return subject -> scalarEquals(path.get(subject), arg);
      case "notEquals":
        requireScalar(arg, argField);
        return subject -> !scalarEquals(path.get(subject), arg);
      case "in":
      case "notIn":
        {
          if (!(arg instanceof List) || ((List<?>) arg).isEmpty()) {
            throw error(argField, "must be a non-empty list of values");
          }
          List<?> values = (List<?>) arg;
          for (int i = 0; i < values.size(); i++) {
            requireScalar(values.get(i), argField + "[" + i + "]");
          }
          boolean in = test.equals("in");
          return subject -> {
            JsonNode node = path.get(subject);
            boolean found = false;
            for (Object v : values) {
              if (scalarEquals(node, v)) {
                found = true;
                break;
              }
            }
            return in == found;
          };
        }
      case "exists":
      case "empty":
        {
          if (!(arg instanceof Boolean)) {
            throw error(argField, "must be true or false");
          }
          boolean want = (Boolean) arg;
          if (test.equals("exists")) {
            return subject -> present(path.get(subject)) == want;
          }
          return subject -> isEmpty(path.get(subject)) == want;
        }
      case "matches":
        {
          if (!(arg instanceof String)) {
            throw error(argField, "must be a regular expression string");
          }
          Pattern pattern;
          try {
            pattern = Pattern.compile((String) arg);
          } catch (PatternSyntaxException e) {
            throw error(argField, "bad regular expression: " + e.getDescription());
          }
          return subject -> {
            String text = path.text(subject);
            return text != null && pattern.matcher(text).find();
          };
        }
      case "startsWith":
        {
          if (!(arg instanceof String)) {
            throw error(argField, "must be a string");
          }
          String prefix = (String) arg;
          return subject -> {
            String text = path.text(subject);
            return text != null && text.startsWith(prefix);
          };
        }
      case "lessThan":
      case "greaterThan":
        {
          if (!(arg instanceof Number)) {
            throw error(argField, "must be a number");
          }
          double bound = ((Number) arg).doubleValue();
          boolean less = test.equals("lessThan");
          return subject -> {
            JsonNode node = path.get(subject);
            Double value = number(node);
            return value != null && (less ? value < bound : value > bound);
          };
        }
      case "anyElement":
        {
          Condition element = compile(arg, argField);
          return subject -> {
            JsonNode node = path.get(subject);
            if (!node.isArray()) {
              return false;
            }
            for (JsonNode item : node) {
              if (element.test(item)) {
                return true;
              }
            }
            return false;
          };
        }
      default:
        throw error(argField, "unknown test");
    }
  }

  private static Condition all(Condition[] parts) {
    return subject -> {
      for (Condition c : parts) {
        if (!c.test(subject)) {
          return false;
        }
      }
      return true;
    };
  }

  private static Condition any(Condition[] parts) {
    return subject -> {
      for (Condition c : parts) {
        if (c.test(subject)) {
          return true;
        }
      }
      return false;
    };
  }

  private Condition instantiate(Object name, String field) {
    if (!(name instanceof String)) {
      throw error(field, "must be a class name");
    }
    try {
      Class<?> type = Class.forName((String) name);
      if (!Condition.class.isAssignableFrom(type)) {
        throw error(field, name + " does not implement " + Condition.class.getName());
      }
      Constructor<?> constructor = type.getConstructor();
      return (Condition) constructor.newInstance();
    } catch (ClassNotFoundException e) {
      throw error(field, "no class " + name);
    } catch (ReflectiveOperationException e) {
      throw error(field, "cannot instantiate " + name + ": " + e);
    }
  }

  /** Config items carry booleans and numbers as JSON values or as strings; compare by text. */
  static boolean scalarEquals(JsonNode node, Object expected) {
    if (!present(node) || node.isContainerNode()) {
      return false;
    }
    if (expected instanceof Number && node.isNumber()) {
      return ((Number) expected).doubleValue() == node.asDouble();
    }
    return node.asText().equals(String.valueOf(expected));
  }

  static boolean present(JsonNode node) {
    return node != null && !node.isMissingNode() && !node.isNull();
  }

  static boolean isEmpty(JsonNode node) {
    if (!present(node)) {
      return true;
    }
    if (node.isContainerNode()) {
      return node.isEmpty();
    }
    return node.isTextual() && node.asText().isEmpty();
  }

  private static Double number(JsonNode node) {
    if (!present(node)) {
      return null;
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    try {
      return Double.parseDouble(node.asText());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void requireScalar(Object value, String field) {
    if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      throw error(field, "must be a string, number or boolean, got " + describe(value));
    }
  }

  private void expectOnly(Map<?, ?> map, String field, Set<String> keys) {
    for (Object key : map.keySet()) {
      if (!keys.contains(String.valueOf(key))) {
        throw error(field + "." + key, "not allowed beside " + keys);
      }
    }
  }

  private RuleFileException error(String field, String problem) {
    return new RuleFileException(file, field, problem);
  }

  static String describe(Object value) {
    return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
  }
}
