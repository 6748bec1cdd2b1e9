package dev.trailmark.collector.internal.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * CloudWatch Embedded Metric Format: a log event whose JSON has {@code _aws.CloudWatchMetrics} also
 * yields metric documents, as CloudWatch Logs extracts metrics from such events (the agent's RED
 * metrics arrive this way when they are logged instead of sent with PutMetricData).
 */
public final class EmfMetrics {

  private EmfMetrics() {}

  /** Cheap test before parsing: only messages mentioning {@code "_aws"} can be EMF. */
  public static boolean mayBeEmf(String message) {
    return message.indexOf("\"_aws\"") >= 0 && message.indexOf("CloudWatchMetrics") >= 0;
  }

  /**
   * At most this many dimension keys per dimension set, as CloudWatch; a larger set yields no
   * metrics.
   */
  public static final int MAX_DIMENSIONS_PER_SET = 30;

  /**
   * At most this many distinct dimension sets per directive are expanded (identical sets count
   * once).
   */
  public static final int MAX_DIMENSION_SETS = 30;

  /** At most this many metrics per directive, as CloudWatch; later ones are ignored. */
  public static final int MAX_METRICS_PER_DIRECTIVE = 100;

  /** At most this many values per metric, as CloudWatch; later ones are ignored. */
  public static final int MAX_VALUES_PER_METRIC = 100;

  /** At most this many metric documents from one event, whatever its directives multiply to. */
  public static final int MAX_DOCUMENTS_PER_EVENT = 10_000;

  /**
   * The metric documents of one event and, when a limit cut the expansion short, why.
   *
   * @param documents the metric documents (one per metric, dimension set and value)
   * @param truncated null, or what was left out and which limit applied
   */
  public record Extraction(List<ObjectNode> documents, String truncated) {}

  /**
   * The metric documents of one EMF event (one per metric, dimension set and value), or none when
   * the message is not valid EMF.
   */
  public static List<ObjectNode> extract(String message, long eventTimestamp) {
    return extract(message, eventTimestamp, MAX_DOCUMENTS_PER_EVENT).documents();
  }

  /**
   * Like {@link #extract(String, long)} but bounded as CloudWatch bounds EMF (see the {@code MAX_}
   * constants) and to at most {@code budget} documents, so that a few kilobytes of message can
   * never expand into millions of documents.
   */
  public static Extraction extract(String message, long eventTimestamp, int budget) {
    List<ObjectNode> out = new ArrayList<>();
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(message);
    } catch (IOException e) {
      return new Extraction(out, null);
    }
    if (root == null || !root.isObject()) {
      return new Extraction(out, null);
    }
    int limit = Math.min(budget, MAX_DOCUMENTS_PER_EVENT);
    java.util.Set<String> cut = new java.util.LinkedHashSet<>();
    JsonNode aws = root.path("_aws");
    long ts =
        aws.path("Timestamp").canConvertToLong() ? aws.path("Timestamp").asLong() : eventTimestamp;
    for (JsonNode directive : aws.path("CloudWatchMetrics")) {
      String namespace = directive.path("Namespace").asText(null);
      if (namespace == null) {
        continue;
      }
      java.util.LinkedHashSet<List<String>> dimensionSets = new java.util.LinkedHashSet<>();
      for (JsonNode set : directive.path("Dimensions")) {
        if (set.size() > MAX_DIMENSIONS_PER_SET) {
          cut.add(
              "a dimension set of "
                  + set.size()
                  + " dimensions (at most "
                  + MAX_DIMENSIONS_PER_SET
                  + ")");
          continue;
        }
        if (dimensionSets.size() >= MAX_DIMENSION_SETS) {
          cut.add("dimension sets past " + MAX_DIMENSION_SETS);
          break;
        }
        List<String> keys = new ArrayList<>();
        set.forEach(k -> keys.add(k.asText()));
        dimensionSets.add(keys);
      }
      if (dimensionSets.isEmpty() && directive.path("Dimensions").size() == 0) {
        dimensionSets.add(List.of());
      }
      int metrics = 0;
      for (JsonNode metric : directive.path("Metrics")) {
        if (++metrics > MAX_METRICS_PER_DIRECTIVE) {
          cut.add("metrics past " + MAX_METRICS_PER_DIRECTIVE + " per directive");
          break;
        }
        String name = metric.path("Name").asText(null);
        JsonNode value = name == null ? null : root.get(name);
        if (value == null) {
          continue;
        }
        List<Double> values = new ArrayList<>();
        if (value.isNumber()) {
          values.add(value.asDouble());
        } else if (value.isArray()) {
          for (JsonNode v : value) {
            if (values.size() == MAX_VALUES_PER_METRIC) {
              cut.add("values of " + name + " past " + MAX_VALUES_PER_METRIC);
              break;
            }
            if (v.isNumber()) {
              values.add(v.asDouble());
            }
          }
        }
        for (List<String> keys : dimensionSets) {
          for (double v : values) {
            if (out.size() >= limit) {
              cut.add(
                  "metric documents past "
                      + limit
                      + (limit < MAX_DOCUMENTS_PER_EVENT
                          ? " (the request's budget)"
                          : " per event"));
              return new Extraction(out, String.join("; ", cut));
            }
            ObjectNode doc = Json.object();
            doc.put("@timestamp", Instant.ofEpochMilli(ts).toString())
                .put("namespace", namespace)
                .put("name", name)
                .put("unit", metric.path("Unit").asText("None"))
                .put("kind", "emf")
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
    return new Extraction(out, cut.isEmpty() ? null : String.join("; ", cut));
  }
}
