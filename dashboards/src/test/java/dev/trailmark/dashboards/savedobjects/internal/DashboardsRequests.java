package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The search requests OpenSearch Dashboards 2.x sends for a saved search or a visualization, built
 * the way its data plugin builds them: the Lucene query as {@code query_string} with the time range
 * of the index pattern's time field in the filter, bucket aggregations nested in the order of the
 * visualization's aggs with the metrics in the innermost bucket ({@code AggConfigs.toDsl}); for
 * Vega, the spec's own body with {@code %context%}, {@code %timefield%} and {@code %autointerval%}
 * replaced as the Vega plugin replaces them.
 */
final class DashboardsRequests {
  /** One search: the index expression and the body. */
  record Request(String index, ObjectNode body) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Map<String, ObjectNode> indexPatterns = new java.util.HashMap<>();

  DashboardsRequests(List<ObjectNode> objects) {
    for (ObjectNode o : objects) {
      if (o.path("type").asText().equals("index-pattern")) {
        indexPatterns.put(o.path("id").asText(), o);
      }
    }
  }

  /**
   * The request for a saved search or a visualization over {@code timeFrom} to now (e.g. {@code
   * now-1h}).
   */
  Request of(ObjectNode object, String timeFrom, String interval) {
    try {
      JsonNode a = object.path("attributes");
      if (object.path("type").asText().equals("visualization")) {
        JsonNode vis = JSON.readTree(a.path("visState").asText());
        if (vis.path("type").asText().equals("vega")) {
          return vega(JSON.readTree(vis.path("params").path("spec").asText()), timeFrom, interval);
        }
        ObjectNode ip = indexPatterns.get(FieldUses.indexRef(object));
        ObjectNode body = F.objectNode().put("size", 0);
        body.set("query", query(ip, searchSource(object), timeFrom));
        body.set("aggs", aggs(vis.path("aggs"), interval));
        return new Request(ip.path("attributes").path("title").asText(), body);
      }
      if (object.path("type").asText().equals("search")) {
        ObjectNode ip = indexPatterns.get(FieldUses.indexRef(object));
        ObjectNode body = F.objectNode().put("size", 500);
        body.set("query", query(ip, searchSource(object), timeFrom));
        ArrayNode sort = body.putArray("sort");
        for (JsonNode s : a.path("sort")) {
          sort.addObject().putObject(s.path(0).asText()).put("order", s.path(1).asText());
        }
        return new Request(ip.path("attributes").path("title").asText(), body);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no search request for a " + object.path("type").asText());
  }

  private static JsonNode searchSource(ObjectNode o) throws IOException {
    return JSON.readTree(
        o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
  }

  private static ObjectNode query(ObjectNode indexPattern, JsonNode searchSource, String timeFrom) {
    ObjectNode bool = F.objectNode();
    ArrayNode must = bool.putArray("must");
    String q = searchSource.path("query").path("query").asText("");
    if (!q.isBlank()) {
      must.addObject()
          .putObject("query_string")
          .put("query", q)
          .put("analyze_wildcard", true)
          .put("time_zone", "UTC");
    }
    ArrayNode filter = bool.putArray("filter");
    String timeField = indexPattern.path("attributes").path("timeFieldName").asText(null);
    if (timeField != null) {
      filter.add(range(timeField, timeFrom));
    }
    ObjectNode query = F.objectNode();
    query.set("bool", bool);
    return query;
  }

  private static ObjectNode range(String field, String from) {
    ObjectNode range = F.objectNode();
    range
        .putObject("range")
        .putObject(field)
        .put("gte", from)
        .put("lte", "now")
        .put("format", "strict_date_optional_time");
    return range;
  }

  private static ObjectNode aggs(JsonNode visAggs, String interval) {
    List<JsonNode> buckets = new ArrayList<>();
    List<JsonNode> metrics = new ArrayList<>();
    for (JsonNode agg : visAggs) {
      (agg.path("schema").asText().equals("metric") ? metrics : buckets).add(agg);
    }
    ObjectNode root = F.objectNode();
    ObjectNode level = root;
    for (JsonNode b : buckets) {
      ObjectNode bucket = level.putObject(b.path("id").asText());
      JsonNode p = b.path("params");
      switch (b.path("type").asText()) {
        case "terms" -> {
          ObjectNode terms =
              bucket
                  .putObject("terms")
                  .put("field", p.path("field").asText())
                  .put("size", p.path("size").asInt());
          String orderBy = p.path("orderBy").asText();
          JsonNode orderMetric =
              metrics.stream()
                  .filter(m -> m.path("id").asText().equals(orderBy))
                  .findFirst()
                  .orElse(null);
          if (orderBy.equals("_key")) {
            terms.putObject("order").put("_key", p.path("order").asText());
          } else if (orderMetric != null && orderMetric.path("type").asText().equals("count")) {
            terms.putObject("order").put("_count", p.path("order").asText());
          } else if (orderMetric != null) {
            terms.putObject("order").put(orderBy, p.path("order").asText());
            bucket.putObject("aggs").set(orderBy, metric(orderMetric));
          } else {
            throw new IllegalArgumentException("terms ordered by an unknown agg " + orderBy);
          }
        }
        case "date_histogram" ->
            bucket
                .putObject("date_histogram")
                .put("field", p.path("field").asText())
                .put("fixed_interval", interval)
                .put("time_zone", "UTC")
                .put("min_doc_count", p.path("min_doc_count").asBoolean(false) ? 0 : 1);
        default ->
            throw new IllegalArgumentException(
                "bucket agg " + b.path("type").asText() + " not translated");
      }
      level = bucket.has("aggs") ? (ObjectNode) bucket.path("aggs") : bucket.putObject("aggs");
    }
    for (JsonNode m : metrics) {
      if (!m.path("type").asText().equals("count")) {
        level.set(m.path("id").asText(), metric(m));
      }
    }
    return root;
  }

  private static ObjectNode metric(JsonNode m) {
    ObjectNode agg = F.objectNode();
    String type = m.path("type").asText();
    ObjectNode body = agg.putObject(type).put("field", m.path("params").path("field").asText());
    if (type.equals("percentiles")) {
      body.set("percents", m.path("params").path("percents"));
      body.put("keyed", false);
    }
    return agg;
  }

  private static Request vega(JsonNode spec, String timeFrom, String interval) {
    JsonNode url = spec.path("data").path("url");
    ObjectNode body = url.path("body").deepCopy();
    if (body.has("query")) {
      throw new IllegalArgumentException("a Vega body with %context% must not carry its own query");
    }
    if (url.path("%context%").asBoolean(false)) {
      ObjectNode bool = F.objectNode();
      bool.putArray("must").add(range(url.path("%timefield%").asText(), timeFrom));
      bool.putArray("filter");
      bool.putArray("should");
      bool.putArray("must_not");
      body.putObject("query").set("bool", bool);
    }
    replaceAutoInterval(body, interval);
    return new Request(url.path("index").asText(), body);
  }

  private static void replaceAutoInterval(JsonNode node, String interval) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        JsonNode v = o.get(name);
        if (v.isObject() && v.path("%autointerval%").asBoolean(false)) {
          o.put(name, interval);
        } else {
          replaceAutoInterval(v, interval);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(n -> replaceAutoInterval(n, interval));
    }
  }
}
