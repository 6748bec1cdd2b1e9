package dev.trailmark.collector.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * CloudWatch Embedded Metric Format: a log event whose JSON has {@code _aws.CloudWatchMetrics} also yields metric
 * documents, as CloudWatch Logs extracts metrics from such events (the agent's RED metrics arrive this way when
 * they are logged instead of sent with PutMetricData).
 */
public final class EmfMetrics {

  private EmfMetrics() {}

  /** Cheap test before parsing: only messages mentioning {@code "_aws"} can be EMF. */
  public static boolean mayBeEmf(String message) {
    return message.indexOf("\"_aws\"") >= 0 && message.indexOf("CloudWatchMetrics") >= 0;
  }

  /**
   * The metric documents of one EMF event (one per metric, dimension set and value), or none when the message is
   * not valid EMF.
   */
  public static List<ObjectNode> extract(String message, long eventTimestamp) {
    List<ObjectNode> out = new ArrayList<>();
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(message);
    } catch (IOException e) {
      return out;
    }
    if (root == null || !root.isObject()) {
      return out;
    }
    JsonNode aws = root.path("_aws");
    long ts = aws.path("Timestamp").canConvertToLong() ? aws.path("Timestamp").asLong() : eventTimestamp;
    for (JsonNode directive : aws.path("CloudWatchMetrics")) {
      String namespace = directive.path("Namespace").asText(null);
      if (namespace == null) {
        continue;
      }
      List<List<String>> dimensionSets = new ArrayList<>();
      for (JsonNode set : directive.path("Dimensions")) {
        List<String> keys = new ArrayList<>();
        set.forEach(k -> keys.add(k.asText()));
        dimensionSets.add(keys);
      }
      if (dimensionSets.isEmpty()) {
        dimensionSets.add(List.of());
      }
      for (JsonNode metric : directive.path("Metrics")) {
        String name = metric.path("Name").asText(null);
        JsonNode value = name == null ? null : root.get(name);
        if (value == null) {
          continue;
        }
        List<Double> values = new ArrayList<>();
        if (value.isNumber()) {
          values.add(value.asDouble());
        } else if (value.isArray()) {
          value.forEach(v -> {
            if (v.isNumber()) {
              values.add(v.asDouble());
            }
          });
        }
        for (List<String> keys : dimensionSets) {
          for (double v : values) {
            ObjectNode doc = Json.object();
            doc.put("@timestamp", Instant.ofEpochMilli(ts).toString()).put("namespace", namespace)
                .put("name", name).put("unit", metric.path("Unit").asText("None")).put("kind", "emf")
                .put("value", v);
            ObjectNode dims = doc.putObject("dimensions");
            for (String k : keys) {
              JsonNode d = root.get(k);
              if (d != null && d.isValueNode()) {
                dims.put(k, d.asText());
              }
            }
            out.add(doc);
          }
        }
      }
    }
    return out;
  }
}
