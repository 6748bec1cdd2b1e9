package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * CloudWatch's query-compatible AWS JSON 1.0 protocol ({@code X-Amz-Target:
 * GraniteServiceVersion20100801.<Op>}, {@code x-amzn-query-mode: true}), which botocore 1.43 (the
 * AWS CLI, boto3) speaks instead of the query protocol. Requests become the query protocol's flat
 * parameters, so {@link CloudWatchMetricsApi} keeps one set of rules for both; errors carry the
 * query error code in {@code x-amzn-query-error}, where botocore reads it.
 */
final class CloudWatchJson {

  static final String TARGET_PREFIX = "GraniteServiceVersion20100801.";
  static final String CONTENT_TYPE = "application/x-amz-json-1.0";

  private CloudWatchJson() {}

  static boolean handles(String target) {
    return target != null && target.startsWith(TARGET_PREFIX);
  }

  /**
   * The request as query parameters: {@code Action}, {@code MetricData.member.1.MetricName} and so
   * on.
   */
  static Map<String, String> toQueryParameters(String target, byte[] body) throws AwsException {
    JsonNode request;
    try {
      request = body.length == 0 ? Json.object() : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw AwsException.serialization("Malformed JSON request body");
    }
    if (request == null || !request.isObject()) {
      throw AwsException.serialization("The request body must be a JSON object");
    }
    Map<String, String> params = new HashMap<>();
    flatten("", request, params);
    params.put("Action", target.substring(TARGET_PREFIX.length()));
    return params;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + ".member." + (i + 1), node.get(i), out);
      }
    } else if (!node.isNull()) {
      out.put(prefix, scalar(prefix, node));
    }
  }

  private static String scalar(String name, JsonNode node) {
    if (node.isNumber() && name.endsWith("Timestamp")) {
      // AWS JSON timestamps are epoch seconds, possibly fractional; the query rules read ISO-8601.
      BigDecimal seconds = node.decimalValue();
      return Instant.ofEpochMilli(seconds.movePointRight(3).longValue()).toString();
    }
    return node.asText();
  }

  /**
   * The error body ({@code __type}, {@code message}); the caller sets {@code x-amzn-query-error}.
   */
  static byte[] error(AwsException e) throws IOException {
    ObjectNode body = Json.object().put("__type", e.type()).put("message", e.getMessage());
    return Json.MAPPER.writeValueAsBytes(body);
  }
}
