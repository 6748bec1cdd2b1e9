package dev.trailmark.agent.internal.probe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Lambda invocation's event says of its trigger, read from the raw JSON payload the runtime
 * received (so a {@code RequestStreamHandler} is read like a typed {@code RequestHandler}): an API
 * Gateway REST or HTTP API request (method, path, route), or an SQS batch (queue, size). The agent
 * carries no JSON library: a small reader, which gives up (an event of no known shape) on anything
 * it does not understand.
 */
final class LambdaEvent {

  /** Events larger than this are not read: a trigger is told by its first fields. */
  static final int MAX_BYTES = 256 * 1024;

  String method;
  String path;
  String route;
  String queueUrl;
  int messages;

  private LambdaEvent() {}

  /** The shape of {@code payload}; an event of no known shape has every field null. */
  static LambdaEvent of(byte[] payload) {
    LambdaEvent event = new LambdaEvent();
    if (payload == null || payload.length == 0 || payload.length > MAX_BYTES) {
      return event;
    }
    Object json;
    try {
      json = new Reader(new String(payload, StandardCharsets.UTF_8)).value();
    } catch (RuntimeException notJson) {
      return event;
    }
    if (!(json instanceof Map)) {
      return event;
    }
    Map<?, ?> root = (Map<?, ?>) json;
    if (root.get("httpMethod") instanceof String) { // API Gateway REST API (payload 1.0)
      event.method = (String) root.get("httpMethod");
      event.path = string(root.get("path"));
      event.route = string(root.get("resource"));
    } else if (root.get("routeKey") instanceof String
        && root.get("requestContext") instanceof Map) { // HTTP API, function URL (payload 2.0)
      Object http = ((Map<?, ?>) root.get("requestContext")).get("http");
      event.method = http instanceof Map ? string(((Map<?, ?>) http).get("method")) : null;
      event.path = string(root.get("rawPath"));
      String key = (String) root.get("routeKey");
      int space = key.indexOf(' ');
      event.route = space > 0 ? key.substring(space + 1) : null; // "$default" has no route
    } else if (root.get("Records") instanceof List) {
      List<?> records = (List<?>) root.get("Records");
      if (!records.isEmpty()
          && records.get(0) instanceof Map
          && "aws:sqs".equals(((Map<?, ?>) records.get(0)).get("eventSource"))) {
        event.queueUrl = queueUrl(string(((Map<?, ?>) records.get(0)).get("eventSourceARN")));
        event.messages = records.size();
      }
    }
    return event;
  }

  /** The queue URL of an SQS queue ARN ({@code arn:aws:sqs:<region>:<account>:<name>}). */
  static String queueUrl(String arn) {
    if (arn == null) {
      return null;
    }
    String[] parts = arn.split(":", 6);
    if (parts.length != 6 || !"sqs".equals(parts[2])) {
      return arn;
    }
    String domain = parts[1].equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
    return "https://sqs." + parts[3] + "." + domain + "/" + parts[4] + "/" + parts[5];
  }

  private static String string(Object value) {
    return value instanceof String ? (String) value : null;
  }

  /** The integer {@code statusCode} of an API Gateway proxy response payload, or 0. */
  static int statusCode(byte[] response) {
    if (response == null || response.length == 0 || response.length > MAX_BYTES) {
      return 0;
    }
    try {
      Object json = new Reader(new String(response, StandardCharsets.UTF_8)).value();
      if (json instanceof Map && ((Map<?, ?>) json).get("statusCode") instanceof Number) {
        return ((Number) ((Map<?, ?>) json).get("statusCode")).intValue();
      }
    } catch (RuntimeException notJson) {
      // an answer of another shape: no status
    }
    return 0;
  }

  /** A strict reader of one JSON value into maps, lists, strings, doubles, booleans and null. */
  private static final class Reader {
    private final String s;
    private int i;
    private int depth;

    Reader(String s) {
      this.s = s;
    }

    Object value() {
      skipSpace();
      if (i >= s.length()) {
        throw new IllegalArgumentException("end of input");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    private Map<String, Object> object() {
      enter();
      i++;
      Map<String, Object> map = new LinkedHashMap<>();
      skipSpace();
      if (peek() == '}') {
        i++;
        depth--;
        return map;
      }
      while (true) {
        skipSpace();
        if (peek() != '"') {
          throw new IllegalArgumentException("key expected at " + i);
        }
        String key = string();
        skipSpace();
        expect(':');
        map.put(key, value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else {
          expect('}');
          depth--;
          return map;
        }
      }
    }

    private List<Object> array() {
      enter();
      i++;
      List<Object> list = new ArrayList<>();
      skipSpace();
      if (peek() == ']') {
        i++;
        depth--;
        return list;
      }
      while (true) {
        list.add(value());
        skipSpace();
        if (peek() == ',') {
          i++;
        } else {
          expect(']');
          depth--;
          return list;
        }
      }
    }

    private void enter() {
      if (++depth > 64) {
        throw new IllegalArgumentException("nested too deep");
      }
    }

    private String string() {
      i++; // the opening quote
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n':
            sb.append('\n');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'u':
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default:
            sb.append(e); // \" \\ \/
        }
      }
    }

    private Object number() {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      return Double.valueOf(s.substring(start, i)); // throws on anything else
    }

    private Object literal(String word, Object value) {
      if (!s.startsWith(word, i)) {
        throw new IllegalArgumentException("unexpected at " + i);
      }
      i += word.length();
      return value;
    }

    private char peek() {
      if (i >= s.length()) {
        throw new IllegalArgumentException("end of input");
      }
      return s.charAt(i);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException(c + " expected at " + i);
      }
      i++;
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }
  }
}
