package dev.trailmark.dashboards.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's read-only JSON endpoints. Each one sends at most a few searches, each capped in
 * size (the caps are the constants below) and in time ({@link OpenSearchReader}); every index name
 * starts with the prefix.
 */
final class Api {

  static final int MAX_SERVICES = 200;
  static final int MAX_OPERATIONS = 50;
  static final int MAX_TRACES = 200;
  static final int MAX_TRACE_SPANS = 10_000;
  static final int MAX_TRACE_LOGS = 2_000;
  static final int MAX_LOG_PAGE = 500;
  static final int MAX_MAP_EDGES = 1_000;
  static final int MAX_SERIES = 20;
  static final int MAX_FINDINGS = 500;

  /** Histogram buckets over the chosen range (sparklines and charts). */
  static final int BUCKETS = 60;

  private static final String[] SERVER_KINDS = {"SPAN_KIND_SERVER", "SPAN_KIND_CONSUMER"};

  private final OpenSearchReader os;
  private final String prefix;

  Api(OpenSearchReader os, String prefix) {
    this.os = os;
    this.prefix = prefix;
  }

  String spans() {
    return prefix + "otel-v1-apm-span-*";
  }

  String serviceMap() {
    return prefix + "otel-v1-apm-service-map*";
  }

  String logs() {
    return prefix + "logs-*";
  }

  String metrics() {
    return prefix + "metrics-*";
  }

  String findings() {
    return prefix + "audit-findings-*";
  }

  String alerts() {
    return prefix + "alerts-*";
  }

  /**
   * Dispatches {@code /api/<name>}; null when no endpoint has that name. An answer built from a
   * search OpenSearch answered only in part says why in {@code incomplete}, for the page to show.
   */
  JsonNode answer(String path, Params p) throws ApiException {
    os.takeIncomplete();
    JsonNode out = dispatch(path, p);
    String incomplete = os.takeIncomplete();
    if (incomplete != null && out instanceof ObjectNode answer) {
      answer.put("incomplete", incomplete);
    }
    return out;
  }

  private JsonNode dispatch(String path, Params p) throws ApiException {
    return switch (path) {
      case "/api/status" -> status();
      case "/api/services" -> services(p);
      case "/api/map" -> map(p);
      case "/api/traces" -> traces(p);
      case "/api/trace" -> trace(p);
      case "/api/logs" -> logs(p);
      case "/api/metrics/names" -> metricNames(p);
      case "/api/metrics/series" -> metricSeries(p);
      case "/api/findings" -> findings(p);
      case "/api/alerts" -> alerts(p);
      default -> null;
    };
  }

  // ---- status

  private JsonNode status() throws ApiException {
    JsonNode info = os.info();
    ObjectNode out = Json.object();
    out.put("openSearch", os.uri().toString())
        .put("indexPrefix", prefix)
        .put("version", info.path("version").path("number").asText(""))
        .put("cluster", info.path("cluster_name").asText(""));
    return out;
  }

  // ---- services

  private JsonNode services(Params p) throws ApiException {
    long[] r = p.range();
    long interval = interval(r);
    ObjectNode body = Json.object().put("size", 0);
    ArrayNode filter = boolFilter(body);
    filter.add(range("startTime", r));
    filter.add(serverSpans());
    ObjectNode services = terms(body.putObject("aggs"), "services", "serviceName", MAX_SERVICES);
    ObjectNode sAggs = services.putObject("aggs");
    latencyAggs(sAggs, r, interval, "startTime");
    ObjectNode ops = terms(sAggs, "ops", "name", MAX_OPERATIONS);
    latencyAggs(ops.putObject("aggs"), r, interval, "startTime");
    JsonNode spans = os.search(spans(), body);

    Map<String, ObjectNode> byName = new LinkedHashMap<>();
    for (JsonNode b : spans.path("aggregations").path("services").path("buckets")) {
      ObjectNode svc = latencyRow(b);
      ArrayNode opRows = svc.putArray("operations");
      for (JsonNode ob : b.path("ops").path("buckets")) {
        opRows.add(latencyRow(ob));
      }
      byName.put(b.path("key").asText(), svc);
    }

    // The agent's RED metrics count every request, also the ones whose spans were not sampled.
    ObjectNode mBody = Json.object().put("size", 0);
    ArrayNode mFilter = boolFilter(mBody);
    mFilter.add(range("@timestamp", r));
    mFilter.addObject().putObject("term").put("name", "http.server.requests.count");
    ObjectNode mServices =
        terms(mBody.putObject("aggs"), "services", "dimensions.service", MAX_SERVICES);
    ObjectNode msAggs = mServices.putObject("aggs");
    msAggs.putObject("requests").putObject("sum").put("field", "value");
    ObjectNode errors = msAggs.putObject("errors");
    // Spans mark 4xx (X-Ray "error") and 5xx ("fault") alike as errors; the metrics columns count
    // the same way.
    errors
        .putObject("filter")
        .putObject("terms")
        .putArray("dimensions.outcome")
        .add("CLIENT_ERROR")
        .add("SERVER_ERROR");
    errors.putObject("aggs").putObject("requests").putObject("sum").put("field", "value");
    ObjectNode routes = terms(msAggs, "routes", "dimensions.route", MAX_OPERATIONS);
    routes.putObject("aggs").putObject("requests").putObject("sum").put("field", "value");
    JsonNode metrics = os.search(metrics(), mBody);
    for (JsonNode b : metrics.path("aggregations").path("services").path("buckets")) {
      String name = b.path("key").asText();
      ObjectNode svc =
          byName.computeIfAbsent(
              name,
              k -> {
                ObjectNode n = Json.object().put("name", k).put("count", 0).put("errors", 0);
                n.putArray("operations");
                return n;
              });
      ObjectNode m = svc.putObject("metrics");
      m.put("requests", b.path("requests").path("value").asDouble());
      m.put("errors", b.path("errors").path("requests").path("value").asDouble());
    }
    ObjectNode out = Json.object();
    out.put("from", r[0]).put("to", r[1]).put("interval", interval);
    ArrayNode list = out.putArray("services");
    byName.values().forEach(list::add);
    return out;
  }

  private ObjectNode serverSpans() {
    ObjectNode bool = Json.object();
    ObjectNode b = bool.putObject("bool");
    ArrayNode should = b.putArray("should");
    ArrayNode kinds = should.addObject().putObject("terms").putArray("kind");
    for (String k : SERVER_KINDS) {
      kinds.add(k);
    }
    should.addObject().putObject("term").put("parentSpanId", "");
    b.put("minimum_should_match", 1);
    return bool;
  }

  private static void latencyAggs(ObjectNode aggs, long[] r, long interval, String timeField) {
    ObjectNode pct = aggs.putObject("latency").putObject("percentiles");
    pct.put("field", "durationInNanos");
    pct.putArray("percents").add(50).add(95).add(99);
    aggs.putObject("errors")
        .set("filter", Json.object().set("term", Json.object().put("status.code", 2)));
    if (interval > 0) {
      ObjectNode h = aggs.putObject("histogram").putObject("date_histogram");
      h.put("field", timeField)
          .put("fixed_interval", interval + "ms")
          .put("min_doc_count", 0)
          .put("format", "epoch_millis");
      h.putObject("extended_bounds").put("min", r[0]).put("max", r[1]);
    }
  }

  private static ObjectNode latencyRow(JsonNode bucket) {
    ObjectNode row = Json.object();
    row.put("name", bucket.path("key").asText());
    row.put("count", bucket.path("doc_count").asLong());
    row.put("errors", bucket.path("errors").path("doc_count").asLong());
    JsonNode values = bucket.path("latency").path("values");
    row.set("p50", millis(values.path("50.0")));
    row.set("p95", millis(values.path("95.0")));
    row.set("p99", millis(values.path("99.0")));
    JsonNode hist = bucket.path("histogram").path("buckets");
    if (hist.isArray()) {
      ArrayNode counts = row.putArray("histogram");
      for (JsonNode h : hist) {
        counts.add(h.path("doc_count").asLong());
      }
    }
    return row;
  }

  private static JsonNode millis(JsonNode nanos) {
    return nanos.isNumber()
        ? Json.MAPPER.getNodeFactory().numberNode(Math.round(nanos.asDouble() / 1_000.0) / 1_000.0)
        : Json.MAPPER.getNodeFactory().nullNode();
  }

  // ---- service map

  private JsonNode map(Params p) throws ApiException {
    long[] r = p.range();
    ObjectNode mapBody = Json.object().put("size", MAX_MAP_EDGES);
    mapBody.putObject("query").putObject("exists").put("field", "destination.domain");
    JsonNode docs = os.search(serviceMap(), mapBody);
    // edge "a\0b" -> operations of b that a calls
    Map<String, Set<String>> edges = new LinkedHashMap<>();
    Set<String> nodes = new LinkedHashSet<>();
    for (JsonNode hit : docs.path("hits").path("hits")) {
      JsonNode s = hit.path("_source");
      String from = s.path("serviceName").asText("");
      String to = s.path("destination").path("domain").asText("");
      if (from.isEmpty() || to.isEmpty()) {
        continue;
      }
      nodes.add(from);
      nodes.add(to);
      edges
          .computeIfAbsent(from + "\u0000" + to, k -> new LinkedHashSet<>())
          .add(s.path("destination").path("resource").asText(""));
    }
    ObjectNode body = Json.object().put("size", 0);
    ArrayNode filter = boolFilter(body);
    filter.add(range("startTime", r));
    ObjectNode aggs = body.putObject("aggs");
    // nodes from server spans; edges also from client spans (calls to databases and AWS services)
    ObjectNode server = aggs.putObject("server");
    server.set("filter", serverSpans());
    ObjectNode svc = terms(server.putObject("aggs"), "services", "serviceName", MAX_SERVICES);
    latencyAggs(svc.putObject("aggs"), r, 0, "startTime");
    if (!edges.isEmpty()) {
      ObjectNode filters = aggs.putObject("edges").putObject("filters").putObject("filters");
      int i = 0;
      for (Map.Entry<String, Set<String>> e : edges.entrySet()) {
        String from = e.getKey().substring(0, e.getKey().indexOf('\u0000'));
        String to = e.getKey().substring(e.getKey().indexOf('\u0000') + 1);
        ObjectNode bool =
            filters.putObject("e" + i++).putObject("bool").put("minimum_should_match", 1);
        ArrayNode either = bool.putArray("should");
        // a call to a traced service: its server spans of the operations called
        ArrayNode f = either.addObject().putObject("bool").putArray("filter");
        f.add(serverSpans());
        f.addObject().putObject("term").put("serviceName", to);
        ArrayNode names = f.addObject().putObject("terms").putArray("name");
        e.getValue().forEach(names::add);
        // a call to a database or an AWS service (a node without spans of its own): the caller's
        // client spans, which X-Ray names after the node
        ArrayNode remote = either.addObject().putObject("bool").putArray("filter");
        remote.addObject().putObject("term").put("serviceName", from);
        remote.addObject().putObject("term").put("kind", "SPAN_KIND_CLIENT");
        remote.addObject().putObject("term").put("name", to);
      }
      latencyAggs(aggs.withObjectProperty("edges").putObject("aggs"), r, 0, "startTime");
    }
    JsonNode stats = os.search(spans(), body);
    ObjectNode out = Json.object();
    ArrayNode nodeList = out.putArray("nodes");
    Map<String, JsonNode> nodeStats = new LinkedHashMap<>();
    for (JsonNode b : stats.path("aggregations").path("server").path("services").path("buckets")) {
      nodeStats.put(b.path("key").asText(), latencyRow(b));
      nodes.add(b.path("key").asText());
    }
    for (String n : nodes) {
      JsonNode row = nodeStats.get(n);
      nodeList.add(
          row != null ? row : Json.object().put("name", n).put("count", 0).put("errors", 0));
    }
    ArrayNode edgeList = out.putArray("edges");
    int i = 0;
    for (Map.Entry<String, Set<String>> e : edges.entrySet()) {
      String[] ends = e.getKey().split("\u0000", 2);
      ObjectNode row =
          latencyRow(stats.path("aggregations").path("edges").path("buckets").path("e" + i++));
      row.put("source", ends[0]).put("target", ends[1]);
      row.remove("name");
      ArrayNode ops = row.putArray("operations");
      e.getValue().forEach(ops::add);
      edgeList.add(row);
    }
    return out;
  }

  // ---- traces

  private JsonNode traces(Params p) throws ApiException {
    long[] r = p.range();
    int size = p.integer("size", 50, 1, MAX_TRACES);
    ObjectNode body = Json.object().put("size", 0);
    ArrayNode filter = boolFilter(body);
    String traceId = p.text("traceId");
    if (traceId != null) {
      String id = TraceIds.normalize(traceId);
      if (id == null) {
        throw ApiException.badRequest(
            "trace id must be 32 hex digits or the X-Ray form 1-xxxxxxxx-<24 hex>, was '"
                + traceId
                + "'");
      }
      filter.addObject().putObject("term").put("traceId", id);
    } else {
      filter.add(range("startTime", r));
    }
    term(filter, "serviceName", p.text("service"));
    term(filter, "name", p.text("operation"));
    Double minMs = p.decimal("minMs");
    Double maxMs = p.decimal("maxMs");
    if (minMs != null || maxMs != null) {
      ObjectNode d = filter.addObject().putObject("range").putObject("durationInNanos");
      if (minMs != null) {
        d.put("gte", (long) (minMs * 1_000_000));
      }
      if (maxMs != null) {
        d.put("lte", (long) (maxMs * 1_000_000));
      }
    }
    String status = p.text("status");
    if ("error".equals(status)) {
      filter.addObject().putObject("term").put("status.code", 2);
    } else if ("ok".equals(status)) {
      body.withObjectProperty("query")
          .withObjectProperty("bool")
          .putArray("must_not")
          .addObject()
          .putObject("term")
          .put("status.code", 2);
    } else if (status != null) {
      throw ApiException.badRequest("status must be error or ok, was '" + status + "'");
    }
    String attr = p.text("attr");
    if (attr != null) {
      int eq = attr.indexOf('=');
      if (eq <= 0) {
        throw ApiException.badRequest(
            "attr must be key=value (e.g. http.status_code=500), was '" + attr + "'");
      }
      String key = attr.substring(0, eq).strip();
      String field =
          key.startsWith("resource.")
              ? "resource.attributes." + key.substring(9).replace('.', '@')
              : "span.attributes." + key.replace('.', '@');
      filter.addObject().putObject("term").put(field, attr.substring(eq + 1).strip());
    }
    ObjectNode ids = terms(body.putObject("aggs"), "traces", "traceId", size);
    ids.withObjectProperty("terms").putObject("order").put("latest", "desc");
    ids.putObject("aggs").putObject("latest").putObject("max").put("field", "startTime");
    JsonNode matched = os.search(spans(), body);
    List<String> traceIds = new ArrayList<>();
    for (JsonNode b : matched.path("aggregations").path("traces").path("buckets")) {
      traceIds.add(b.path("key").asText());
    }
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("traces");
    if (traceIds.isEmpty()) {
      return out;
    }
    ObjectNode whole = Json.object().put("size", 0);
    ArrayNode wf = boolFilter(whole);
    ArrayNode terms = wf.addObject().putObject("terms").putArray("traceId");
    traceIds.forEach(terms::add);
    ObjectNode per = terms(whole.putObject("aggs"), "traces", "traceId", traceIds.size());
    ObjectNode pa = per.putObject("aggs");
    pa.putObject("start").putObject("min").put("field", "startTime");
    pa.putObject("end").putObject("max").put("field", "endTime");
    terms(pa, "services", "serviceName", 20);
    pa.putObject("errors")
        .set("filter", Json.object().set("term", Json.object().put("status.code", 2)));
    ObjectNode root = pa.putObject("root");
    root.set("filter", Json.object().set("term", Json.object().put("parentSpanId", "")));
    ObjectNode top = root.putObject("aggs").putObject("span").putObject("top_hits").put("size", 1);
    top.putArray("_source")
        .add("name")
        .add("serviceName")
        .add("durationInNanos")
        .add("startTime")
        .add("status");
    top.putArray("sort").addObject().put("startTime", "asc");
    JsonNode traces = os.search(spans(), whole);
    Map<String, ObjectNode> rows = new LinkedHashMap<>();
    for (JsonNode b : traces.path("aggregations").path("traces").path("buckets")) {
      ObjectNode t = Json.object();
      String id = b.path("key").asText();
      t.put("traceId", id).put("xrayTraceId", TraceIds.xray(id));
      t.put("spans", b.path("doc_count").asLong())
          .put("errors", b.path("errors").path("doc_count").asLong());
      long start = b.path("start").path("value").asLong();
      long end = b.path("end").path("value").asLong();
      t.put("start", start).put("durationMs", Math.max(0, end - start));
      JsonNode rootSpan =
          b.path("root").path("span").path("hits").path("hits").path(0).path("_source");
      if (!rootSpan.isMissingNode()) {
        t.put(
            "root",
            rootSpan.path("serviceName").asText("") + " " + rootSpan.path("name").asText(""));
        t.put("durationMs", rootSpan.path("durationInNanos").asLong() / 1_000_000.0);
      }
      ArrayNode svcs = t.putArray("services");
      for (JsonNode s : b.path("services").path("buckets")) {
        svcs.add(s.path("key").asText());
      }
      rows.put(id, t);
    }
    for (String id : traceIds) {
      if (rows.containsKey(id)) {
        list.add(rows.get(id));
      }
    }
    return out;
  }

  private JsonNode trace(Params p) throws ApiException {
    String raw = p.text("id");
    String id = TraceIds.normalize(raw);
    if (id == null) {
      throw ApiException.badRequest(
          "trace id must be 32 hex digits or the X-Ray form 1-xxxxxxxx-<24 hex>, was '"
              + raw
              + "'");
    }
    ObjectNode body = Json.object().put("size", MAX_TRACE_SPANS);
    boolFilter(body).addObject().putObject("term").put("traceId", id);
    body.putArray("sort").addObject().put("startTime", "asc");
    JsonNode spans = os.search(spans(), body);
    ObjectNode out = Json.object();
    out.put("traceId", id).put("xrayTraceId", TraceIds.xray(id));
    ArrayNode spanList = out.putArray("spans");
    Set<String> services = new LinkedHashSet<>();
    for (JsonNode hit : spans.path("hits").path("hits")) {
      spanList.add(hit.path("_source"));
      services.add(hit.path("_source").path("serviceName").asText(""));
    }
    out.put(
        "spansTruncated",
        spans.path("hits").path("total").path("value").asLong() > MAX_TRACE_SPANS);

    ObjectNode logBody = Json.object().put("size", MAX_TRACE_LOGS);
    boolFilter(logBody).addObject().putObject("term").put("traceId", id);
    logBody.putArray("sort").addObject().put("@timestamp", "asc");
    JsonNode logs = os.search(logs(), logBody);
    ArrayNode logList = out.putArray("logs");
    for (JsonNode hit : logs.path("hits").path("hits")) {
      logList.add(logLine(hit));
    }
    out.put(
        "logsTruncated", logs.path("hits").path("total").path("value").asLong() > MAX_TRACE_LOGS);

    // Alerts whose sample is this trace.
    ObjectNode alertBody = Json.object().put("size", 50);
    boolFilter(alertBody).addObject().putObject("term").put("sample.traceId", id);
    alertBody.putArray("sort").addObject().put("@timestamp", "desc");
    JsonNode alerts = os.search(alerts(), alertBody);
    ArrayNode alertList = out.putArray("alerts");
    for (JsonNode hit : alerts.path("hits").path("hits")) {
      alertList.add(hit.path("_source"));
    }
    return out;
  }

  // ---- logs

  private JsonNode logs(Params p) throws ApiException {
    long[] r = p.range();
    int size = p.integer("size", 100, 1, MAX_LOG_PAGE);
    ObjectNode body = Json.object().put("size", size);
    ArrayNode filter = boolFilter(body);
    ObjectNode range = range("@timestamp", r);
    String since = p.text("since");
    if (since != null) {
      // live tail: lines from the newest one the page shows on (the page drops the ones it has by
      // id)
      range
          .withObjectProperty("range")
          .withObjectProperty("@timestamp")
          .put("gte", p.time("since", r[0]));
    }
    filter.add(range);
    term(filter, "resource.service.name", p.text("service"));
    String level = p.text("level");
    if (level != null) {
      ArrayNode levels = filter.addObject().putObject("terms").putArray("severity.text");
      for (String l : level.split(",")) {
        if (!l.isBlank()) {
          levels.add(l.strip().toUpperCase(java.util.Locale.ROOT));
        }
      }
    }
    String traceId = p.text("traceId");
    if (traceId != null) {
      String id = TraceIds.normalize(traceId);
      if (id == null) {
        throw ApiException.badRequest(
            "trace id must be 32 hex digits or the X-Ray form 1-xxxxxxxx-<24 hex>, was '"
                + traceId
                + "'");
      }
      filter.addObject().putObject("term").put("traceId", id);
    }
    String q = p.text("q");
    if (q != null) {
      ObjectNode sqs =
          body.withObjectProperty("query")
              .withObjectProperty("bool")
              .putArray("must")
              .addObject()
              .putObject("simple_query_string");
      sqs.put("query", q).put("default_operator", "and").put("lenient", true);
      sqs.putArray("fields")
          .add("body")
          .add("attributes.exception.message")
          .add("attributes.exception.type");
    }
    ArrayNode sort = body.putArray("sort");
    sort.addObject().put("@timestamp", "desc");
    // _id breaks ties between lines of the same millisecond, so search_after neither skips nor
    // repeats one.
    sort.addObject().put("_id", "asc");
    String after = p.text("after");
    if (after != null) {
      body.set("search_after", decodeCursor(after));
    }
    body.put("track_total_hits", true);
    boolean firstPage = after == null && since == null;
    long interval = interval(r);
    if (firstPage) {
      ObjectNode aggs = body.putObject("aggs");
      ObjectNode h = aggs.putObject("histogram").putObject("date_histogram");
      h.put("field", "@timestamp")
          .put("fixed_interval", interval + "ms")
          .put("min_doc_count", 0)
          .put("format", "epoch_millis");
      h.putObject("extended_bounds").put("min", r[0]).put("max", r[1]);
      terms(aggs.withObjectProperty("histogram").putObject("aggs"), "levels", "severity.text", 10);
    }
    JsonNode result = os.search(logs(), body);
    ObjectNode out = Json.object();
    out.put("total", result.path("hits").path("total").path("value").asLong());
    ArrayNode lines = out.putArray("lines");
    JsonNode last = null;
    for (JsonNode hit : result.path("hits").path("hits")) {
      lines.add(logLine(hit));
      last = hit.path("sort");
    }
    if (last != null && lines.size() == size) {
      out.put("next", encodeCursor(last));
    }
    if (firstPage) {
      out.put("interval", interval);
      ArrayNode times = out.putArray("histogramTimes");
      ObjectNode byLevel = out.putObject("histogram");
      JsonNode buckets = result.path("aggregations").path("histogram").path("buckets");
      int i = 0;
      for (JsonNode b : buckets) {
        times.add(b.path("key").asLong());
        for (JsonNode lb : b.path("levels").path("buckets")) {
          String l = lb.path("key").asText();
          ArrayNode arr = byLevel.has(l) ? (ArrayNode) byLevel.get(l) : byLevel.putArray(l);
          while (arr.size() < i) {
            arr.add(0);
          }
          arr.add(lb.path("doc_count").asLong());
        }
        i++;
      }
      for (JsonNode arr : byLevel) {
        while (arr.size() < i) {
          ((ArrayNode) arr).add(0);
        }
      }
    }
    return out;
  }

  private static ObjectNode logLine(JsonNode hit) {
    JsonNode s = hit.path("_source");
    ObjectNode line = Json.object();
    line.put("id", hit.path("_id").asText()).put("index", hit.path("_index").asText());
    line.set("timestamp", s.path("@timestamp"));
    line.put(
        "service",
        s.path("resource")
            .path("service")
            .path("name")
            .asText(s.path("resource.service.name").asText("")));
    line.put("level", s.path("severity").path("text").asText(""));
    line.put("body", s.path("body").asText(""));
    line.put("traceId", s.path("traceId").asText(""));
    line.put("spanId", s.path("spanId").asText(""));
    line.put("logger", s.path("instrumentationScope").path("name").asText(""));
    if (s.has("attributes")) {
      line.set("attributes", s.get("attributes"));
    }
    return line;
  }

  static String encodeCursor(JsonNode sortValues) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(sortValues.toString().getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode decodeCursor(String cursor) throws ApiException {
    try {
      JsonNode n = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(cursor));
      if (!n.isArray() || n.size() != 2 || !n.get(0).isNumber() || !n.get(1).isTextual()) {
        throw ApiException.badRequest("after is not a cursor this console gave out");
      }
      return n;
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw ApiException.badRequest("after is not a cursor this console gave out");
    }
  }

  // ---- metrics

  private JsonNode metricNames(Params p) throws ApiException {
    long[] r = p.range();
    ObjectNode body = Json.object().put("size", 0);
    boolFilter(body).add(range("@timestamp", r));
    ObjectNode names = terms(body.putObject("aggs"), "names", "name", 500);
    names.withObjectProperty("terms").putObject("order").put("_key", "asc");
    ObjectNode aggs = names.putObject("aggs");
    terms(aggs, "namespaces", "namespace", 5);
    terms(aggs, "units", "unit", 1);
    ObjectNode sample = aggs.putObject("sample").putObject("top_hits").put("size", 1);
    sample.putArray("_source").add("dimensions");
    JsonNode result = os.search(metrics(), body);
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("metrics");
    for (JsonNode b : result.path("aggregations").path("names").path("buckets")) {
      ObjectNode m = list.addObject();
      m.put("name", b.path("key").asText()).put("points", b.path("doc_count").asLong());
      m.put("namespace", b.path("namespaces").path("buckets").path(0).path("key").asText(""));
      m.put("unit", b.path("units").path("buckets").path(0).path("key").asText(""));
      ArrayNode dims = m.putArray("dimensions");
      b.path("sample")
          .path("hits")
          .path("hits")
          .path(0)
          .path("_source")
          .path("dimensions")
          .fieldNames()
          .forEachRemaining(dims::add);
    }
    return out;
  }

  private JsonNode metricSeries(Params p) throws ApiException {
    long[] r = p.range();
    String name = p.text("name");
    if (name == null) {
      throw ApiException.badRequest("name is required (a metric name from /api/metrics/names)");
    }
    String stat = p.text("stat") == null ? "avg" : p.text("stat");
    if (!Set.of("avg", "sum", "min", "max").contains(stat)) {
      throw ApiException.badRequest("stat must be avg, sum, min or max, was '" + stat + "'");
    }
    String by = p.text("by");
    if (by != null && !by.matches("[A-Za-z0-9_.:-]{1,128}")) {
      throw ApiException.badRequest("by must be a dimension name, was '" + by + "'");
    }
    long interval = interval(r);
    ObjectNode body = Json.object().put("size", 0);
    ArrayNode filter = boolFilter(body);
    filter.add(range("@timestamp", r));
    filter.addObject().putObject("term").put("name", name);
    String where = p.text("where");
    if (where != null) {
      int eq = where.indexOf('=');
      if (eq <= 0) {
        throw ApiException.badRequest("where must be dimension=value, was '" + where + "'");
      }
      filter
          .addObject()
          .putObject("term")
          .put("dimensions." + where.substring(0, eq).strip(), where.substring(eq + 1).strip());
    }
    ObjectNode aggs = body.putObject("aggs");
    ObjectNode seriesAgg;
    if (by == null) {
      seriesAgg = aggs.putObject("series");
      seriesAgg.putObject("filter").putObject("match_all");
    } else {
      seriesAgg = terms(aggs, "series", "dimensions." + by, MAX_SERIES);
    }
    ObjectNode time = seriesAgg.putObject("aggs").putObject("time");
    ObjectNode h = time.putObject("date_histogram");
    h.put("field", "@timestamp")
        .put("fixed_interval", interval + "ms")
        .put("min_doc_count", 0)
        .put("format", "epoch_millis");
    h.putObject("extended_bounds").put("min", r[0]).put("max", r[1]);
    time.putObject("aggs").putObject("v").putObject(stat).put("field", "value");
    JsonNode result = os.search(metrics(), body);
    ObjectNode out = Json.object();
    out.put("interval", interval).put("stat", stat);
    ArrayNode times = out.putArray("times");
    ArrayNode list = out.putArray("series");
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    JsonNode seriesResult = result.path("aggregations").path("series");
    if (by == null) {
      if (seriesResult.path("doc_count").asLong() > 0) {
        entries.add(Map.entry(name, seriesResult));
      }
    } else {
      seriesResult.path("buckets").forEach(b -> entries.add(Map.entry(b.path("key").asText(), b)));
    }
    boolean first = true;
    for (Map.Entry<String, JsonNode> e : entries) {
      ObjectNode s = list.addObject();
      s.put("label", e.getKey());
      ArrayNode values = s.putArray("values");
      for (JsonNode tb : e.getValue().path("time").path("buckets")) {
        if (first) {
          times.add(tb.path("key").asLong());
        }
        JsonNode v = tb.path("v").path("value");
        if (v.isNumber()) {
          values.add(v.asDouble());
        } else {
          values.addNull();
        }
      }
      first = false;
    }
    return out;
  }

  // ---- audit findings and alerts

  private JsonNode findings(Params p) throws ApiException {
    return listing(
        p,
        findings(),
        Map.of(
            "severity",
            "severity",
            "rule",
            "ruleId",
            "decision",
            "decision",
            "account",
            "accountId",
            "region",
            "region",
            "resource",
            "resourceId"),
        List.of("title", "reason", "resourceId", "ruleId", "finding.actor"),
        Map.of("severity", "severity", "rule", "ruleId", "decision", "decision"));
  }

  private JsonNode alerts(Params p) throws ApiException {
    Params q = p;
    String traceId = p.text("traceId");
    ObjectNode extra = null;
    if (traceId != null) {
      String id = TraceIds.normalize(traceId);
      if (id == null) {
        throw ApiException.badRequest(
            "trace id must be 32 hex digits or the X-Ray form 1-xxxxxxxx-<24 hex>, was '"
                + traceId
                + "'");
      }
      extra = Json.object();
      extra.putObject("term").put("sample.traceId", id);
    }
    return listing(
        q,
        alerts(),
        Map.of(
            "state",
            "state",
            "severity",
            "severity",
            "rule",
            "rule.name",
            "service",
            "resource.service.name",
            "alertId",
            "alert_id"),
        List.of("message", "rule.name", "key"),
        Map.of("state", "state", "severity", "severity", "rule", "rule.name"),
        extra);
  }

  private JsonNode listing(
      Params p,
      String index,
      Map<String, String> filters,
      List<String> textFields,
      Map<String, String> facets)
      throws ApiException {
    return listing(p, index, filters, textFields, facets, null);
  }

  private JsonNode listing(
      Params p,
      String index,
      Map<String, String> filters,
      List<String> textFields,
      Map<String, String> facets,
      ObjectNode extra)
      throws ApiException {
    long[] r = p.range();
    int size = p.integer("size", 100, 1, MAX_FINDINGS);
    ObjectNode body = Json.object().put("size", size);
    ArrayNode filter = boolFilter(body);
    filter.add(range("@timestamp", r));
    for (Map.Entry<String, String> f : filters.entrySet()) {
      term(filter, f.getValue(), p.text(f.getKey()));
    }
    if (extra != null) {
      filter.add(extra);
    }
    String q = p.text("q");
    if (q != null) {
      ObjectNode sqs =
          body.withObjectProperty("query")
              .withObjectProperty("bool")
              .putArray("must")
              .addObject()
              .putObject("simple_query_string");
      sqs.put("query", q).put("default_operator", "and").put("lenient", true);
      ArrayNode fields = sqs.putArray("fields");
      textFields.forEach(fields::add);
    }
    body.putArray("sort").addObject().put("@timestamp", "desc");
    body.put("track_total_hits", true);
    ObjectNode aggs = body.putObject("aggs");
    for (Map.Entry<String, String> f : facets.entrySet()) {
      terms(aggs, f.getKey(), f.getValue(), 50);
    }
    JsonNode result = os.search(index, body);
    ObjectNode out = Json.object();
    out.put("total", result.path("hits").path("total").path("value").asLong());
    ArrayNode items = out.putArray("items");
    for (JsonNode hit : result.path("hits").path("hits")) {
      ObjectNode item = items.addObject();
      item.put("id", hit.path("_id").asText()).put("index", hit.path("_index").asText());
      item.set("source", hit.path("_source"));
    }
    ObjectNode facetOut = out.putObject("facets");
    for (String f : facets.keySet()) {
      ObjectNode counts = facetOut.putObject(f);
      for (JsonNode b : result.path("aggregations").path(f).path("buckets")) {
        counts.put(b.path("key").asText(), b.path("doc_count").asLong());
      }
    }
    return out;
  }

  // ---- query helpers

  private static ArrayNode boolFilter(ObjectNode body) {
    return body.withObjectProperty("query").withObjectProperty("bool").withArrayProperty("filter");
  }

  private static ObjectNode range(String field, long[] r) {
    ObjectNode q = Json.object();
    q.putObject("range")
        .putObject(field)
        .put("gte", r[0])
        .put("lte", r[1])
        .put("format", "epoch_millis");
    return q;
  }

  private static void term(ArrayNode filter, String field, String value) {
    if (value != null) {
      filter.addObject().putObject("term").put(field, value);
    }
  }

  private static ObjectNode terms(ObjectNode aggs, String name, String field, int size) {
    ObjectNode agg = aggs.putObject(name);
    agg.putObject("terms").put("field", field).put("size", size);
    return agg;
  }

  /** A histogram interval giving about {@link #BUCKETS} buckets, rounded to a whole second. */
  static long interval(long[] r) {
    long raw = (r[1] - r[0]) / BUCKETS;
    long[] nice = {
      1_000,
      5_000,
      10_000,
      30_000,
      60_000,
      300_000,
      600_000,
      1_800_000,
      3_600_000,
      10_800_000,
      21_600_000,
      43_200_000,
      86_400_000
    };
    for (long n : nice) {
      if (n >= raw) {
        return n;
      }
    }
    return ((raw / 86_400_000) + 1) * 86_400_000;
  }
}
