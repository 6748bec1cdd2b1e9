package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds each rule type's one search (plain queries and aggregations only: the local OpenSearch has
 * no painless) and reads its answer. Windowed types put every evaluation point of a cycle into one
 * {@code date_range} aggregation with overlapping ranges, so a cycle costs one search per rule
 * however many points it evaluates.
 */
public final class Queries {

  /**
   * What one key showed in one window: documents counted, the rule's value, and a trace id from a
   * match.
   */
  public record Obs(long count, double value, long ref, String traceId) {
    static final Obs EMPTY = new Obs(0, Double.NaN, 0, null);
  }

  /** A matched document of an {@code any} rule. */
  public record Doc(String id, long time, String key, ObjectNode source) {}

  /** A term of a {@code new_term} rule, first seen at {@code firstSeen} within its terms window. */
  public record Term(String field, String value, long firstSeen, long count) {}

  private Queries() {}

  static ObjectNode base(Rule rule, long from, long to, int size) {
    ObjectNode q = Json.object();
    q.put("size", size);
    q.put("track_total_hits", false);
    ArrayNode filter = q.putObject("query").putObject("bool").putArray("filter");
    filter
        .addObject()
        .putObject("range")
        .putObject(rule.timestampField())
        .put("gte", from)
        .put("lt", to)
        .put("format", "epoch_millis");
    rule.filter().forEach(filter::add);
    return q;
  }

  /** The search of a windowed rule type over the points {@code points} (window ends, ascending). */
  public static ObjectNode windowed(Rule rule, List<Long> points) {
    long look = rule.lookback().toMillis();
    long from = points.get(0) - look;
    long to = points.get(points.size() - 1);
    ObjectNode q = base(rule, from, to, 0);
    ObjectNode range = q.putObject("aggs").putObject("w");
    ObjectNode dr = range.putObject("date_range");
    dr.put("field", rule.timestampField()).put("format", "epoch_millis").put("keyed", true);
    ArrayNode ranges = dr.putArray("ranges");
    for (long t : points) {
      if (rule.type() == RuleType.SPIKE) {
        long tf = rule.timeframe().toMillis();
        ranges.addObject().put("key", "r" + t).put("from", t - 2 * tf).put("to", t - tf);
        ranges.addObject().put("key", "c" + t).put("from", t - tf).put("to", t);
      } else {
        ranges.addObject().put("key", "c" + t).put("from", t - look).put("to", t);
      }
    }
    ObjectNode aggs = range.putObject("aggs");
    for (int i = 0; i < rule.queryKey().size(); i++) {
      ObjectNode terms = aggs.putObject("k" + i);
      terms.putObject("terms").put("field", rule.queryKey().get(i)).put("size", rule.termsSize());
      aggs = terms.putObject("aggs");
    }
    leaf(rule, aggs);
    return q;
  }

  private static void leaf(Rule rule, ObjectNode aggs) {
    switch (rule.type()) {
      case CARDINALITY ->
          aggs.putObject("v")
              .putObject("cardinality")
              .put("field", rule.cardinalityField())
              .put("precision_threshold", 40_000);
      case METRIC_AGGREGATION -> {
        if (rule.metricAggType().equals("percentiles")) {
          ObjectNode p =
              aggs.putObject("v").putObject("percentiles").put("field", rule.metricAggKey());
          p.putArray("percents").add(rule.percentileRange());
        } else {
          aggs.putObject("v").putObject(rule.metricAggType()).put("field", rule.metricAggKey());
        }
      }
      case PERCENTAGE_MATCH -> {
        ArrayNode f = aggs.putObject("v").putObject("filter").putObject("bool").putArray("filter");
        rule.matchBucketFilter().forEach(f::add);
      }
      default -> {}
    }
    // One matched document's trace id, so a notice links to a trace.
    ObjectNode sample = aggs.putObject("s").putObject("top_hits").put("size", 1);
    sample.putObject("_source").putArray("includes").add("traceId");
    sample.putArray("sort").addObject().putObject(rule.timestampField()).put("order", "desc");
  }

  /**
   * Reads a windowed answer: point → key → observation (keys absent from a window are absent here).
   */
  public static TreeMap<Long, Map<String, Obs>> readWindowed(
      Rule rule, JsonNode answer, List<Long> points) {
    JsonNode buckets = answer.path("aggregations").path("w").path("buckets");
    TreeMap<Long, Map<String, Obs>> out = new TreeMap<>();
    for (long t : points) {
      Map<String, Obs> cur = new LinkedHashMap<>();
      walk(rule, buckets.path("c" + t), 0, new ArrayList<>(), cur);
      if (rule.type() == RuleType.SPIKE) {
        Map<String, Obs> ref = new LinkedHashMap<>();
        walk(rule, buckets.path("r" + t), 0, new ArrayList<>(), ref);
        Map<String, Obs> merged = new LinkedHashMap<>();
        for (String k : union(cur.keySet(), ref.keySet())) {
          Obs c = cur.getOrDefault(k, Obs.EMPTY);
          merged.put(
              k,
              new Obs(c.count(), c.count(), ref.getOrDefault(k, Obs.EMPTY).count(), c.traceId()));
        }
        cur = merged;
      }
      out.put(t, cur);
    }
    return out;
  }

  private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    List<String> out = new ArrayList<>(a);
    for (String k : b) {
      if (!a.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  private static void walk(
      Rule rule, JsonNode bucket, int depth, List<String> parts, Map<String, Obs> out) {
    if (bucket.isMissingNode()) {
      return;
    }
    if (depth < rule.queryKey().size()) {
      for (JsonNode b : bucket.path("k" + depth).path("buckets")) {
        parts.add(b.path("key_as_string").asText(b.path("key").asText()));
        walk(rule, b, depth + 1, parts, out);
        parts.remove(parts.size() - 1);
      }
      return;
    }
    String key = parts.isEmpty() ? "_all" : String.join(", ", parts);
    long count = bucket.path("doc_count").asLong();
    if (parts.isEmpty() && count == 0 && rule.type() != RuleType.FLATLINE) {
      return; // an empty window of a rule without query_key has nothing to say, except to flatline
    }
    double value =
        switch (rule.type()) {
          case CARDINALITY -> bucket.path("v").path("value").asDouble(0);
          case METRIC_AGGREGATION -> metric(rule, bucket.path("v"));
          case PERCENTAGE_MATCH ->
              count == 0 ? Double.NaN : 100.0 * bucket.path("v").path("doc_count").asLong() / count;
          default -> count;
        };
    JsonNode hit =
        bucket.path("s").path("hits").path("hits").path(0).path("_source").path("traceId");
    out.put(key, new Obs(count, value, 0, hit.isTextual() ? hit.asText() : null));
  }

  private static double metric(Rule rule, JsonNode v) {
    if (rule.metricAggType().equals("percentiles")) {
      Iterator<JsonNode> values = v.path("values").elements();
      JsonNode first = values.hasNext() ? values.next() : null;
      if (first == null) {
        // keyed form: {"99.0": 123}
        Iterator<Map.Entry<String, JsonNode>> fields = v.path("values").fields();
        first = fields.hasNext() ? fields.next().getValue() : null;
      }
      return first == null || first.isNull()
          ? Double.NaN
          : first.isObject()
              ? first.path("value").asDouble(Double.NaN)
              : first.asDouble(Double.NaN);
    }
    JsonNode value = v.path("value");
    return value.isNumber() ? value.asDouble() : Double.NaN;
  }

  /** The search of an {@code any} rule: matching documents in [from, to), oldest first. */
  public static ObjectNode any(Rule rule, long from, long to) {
    ObjectNode q = base(rule, from, to, rule.maxQuerySize());
    q.putArray("sort").addObject().putObject(rule.timestampField()).put("order", "asc");
    q.put("version", false);
    return q;
  }

  /** Reads the documents of an {@code any} answer. */
  public static List<Doc> readAny(Rule rule, JsonNode answer) {
    List<Doc> out = new ArrayList<>();
    for (JsonNode hit : answer.path("hits").path("hits")) {
      ObjectNode source = (ObjectNode) hit.path("_source");
      long time = hit.path("sort").path(0).asLong();
      out.add(
          new Doc(
              hit.path("_index").asText() + "/" + hit.path("_id").asText(),
              time,
              keyOf(rule, source),
              source));
    }
    return out;
  }

  /**
   * The query key value of a document ({@code a, b} for a compound key; {@code _all} without one).
   */
  public static String keyOf(Rule rule, JsonNode source) {
    if (rule.queryKey().isEmpty()) {
      return "_all";
    }
    List<String> parts = new ArrayList<>();
    for (String field : rule.queryKey()) {
      JsonNode v = field(source, field);
      parts.add(v == null ? "-" : v.asText());
    }
    return String.join(", ", parts);
  }

  /**
   * A field by dotted name, stored either as nested objects or as one dotted key (as Data Prepper
   * writes).
   */
  public static JsonNode field(JsonNode source, String dotted) {
    JsonNode direct = source.get(dotted);
    if (direct != null) {
      return direct;
    }
    int dot = dotted.indexOf('.');
    while (dot > 0) {
      JsonNode head = source.get(dotted.substring(0, dot));
      if (head != null && head.isObject()) {
        JsonNode found = field(head, dotted.substring(dot + 1));
        if (found != null) {
          return found;
        }
      }
      dot = dotted.indexOf('.', dot + 1);
    }
    return null;
  }

  /**
   * The search of a {@code new_term} rule: terms of each field over [from − terms_window_size, to),
   * newest first seen first.
   */
  public static ObjectNode newTerms(Rule rule, long from, long to) {
    ObjectNode q = base(rule, from - rule.termsWindowSize().toMillis(), to, 0);
    ObjectNode aggs = q.putObject("aggs");
    for (int i = 0; i < rule.fields().size(); i++) {
      ObjectNode t = aggs.putObject("f" + i);
      t.putObject("terms")
          .put("field", rule.fields().get(i))
          .put("size", rule.termsSize())
          .put("shard_size", Math.max(rule.termsSize() * 10, 1000))
          .putObject("order")
          .put("first", "desc");
      t.putObject("aggs").putObject("first").putObject("min").put("field", rule.timestampField());
    }
    return q;
  }

  /** Reads a {@code new_term} answer. */
  public static List<Term> readNewTerms(Rule rule, JsonNode answer) {
    List<Term> out = new ArrayList<>();
    for (int i = 0; i < rule.fields().size(); i++) {
      for (JsonNode b : answer.path("aggregations").path("f" + i).path("buckets")) {
        out.add(
            new Term(
                rule.fields().get(i),
                b.path("key_as_string").asText(b.path("key").asText()),
                b.path("first").path("value").asLong(),
                b.path("doc_count").asLong()));
      }
    }
    return out;
  }
}
