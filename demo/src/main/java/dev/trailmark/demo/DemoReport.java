package dev.trailmark.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads back from OpenSearch what one demo run stored, the way a user would search for it: log
 * documents per service and level, an example document, one trace through every service, spans,
 * service-map edges (the database and the queue among them), one trace through the database and the
 * queue, and metric series.
 */
final class DemoReport {
  /** The index pattern of the demo's application logs (log group {@code /trailmark/demo}). */
  public static final String LOG_INDEX = "logs-trailmark-demo-*";

  /** Access logs delivered through Firehose (stream {@code trailmark-access-logs}). */
  public static final String ACCESS_INDEX = "logs-access-*";

  /** Audit records delivered through Firehose (stream {@code trailmark-audit-findings}). */
  public static final String AUDIT_INDEX = "audit-findings-*";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI openSearch;
  private final String prefix;
  private final Instant since;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public DemoReport(URI openSearch, String indexPrefix, Instant since) {
    this.openSearch = openSearch;
    this.prefix = indexPrefix;
    this.since = since;
  }

  /** Log documents stored since the run started whose body names the run's token. */
  public List<JsonNode> logs(String token) throws IOException, InterruptedException {
    ObjectNode query = JSON.createObjectNode();
    query.put("size", 10_000);
    query.putArray("sort").addObject().putObject("@timestamp").put("order", "asc");
    ObjectNode bool = query.putObject("query").putObject("bool");
    bool.putArray("filter")
        .addObject()
        .putObject("range")
        .putObject("@timestamp")
        .put("gte", since.toString());
    if (token != null) {
      bool.putArray("must").addObject().putObject("match_phrase").put("body", token);
    }
    return hits(prefix + LOG_INDEX, query);
  }

  /** Number of documents in the pattern (0 when no index matches). */
  public long count(String pattern) throws IOException, InterruptedException {
    return countSince(pattern, null);
  }

  /** Number of documents in the pattern whose {@code timeField} is at or after this run's start. */
  public long countSince(String pattern, String timeField)
      throws IOException, InterruptedException {
    awaitShards(prefix + pattern);
    send(
        "POST",
        "/" + prefix + pattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true",
        null);
    ObjectNode query = JSON.createObjectNode();
    if (timeField != null) {
      query.putObject("query").putObject("range").putObject(timeField).put("gte", since.toString());
    } else {
      query.putObject("query").putObject("match_all");
    }
    JsonNode answer =
        send(
            "POST",
            "/" + prefix + pattern + "/_count?ignore_unavailable=true&allow_no_indices=true",
            JSON.writeValueAsString(query));
    return answer.path("count").asLong();
  }

  /** Prints the report to {@code out}. */
  public void print(PrintStream out, String token) throws IOException, InterruptedException {
    List<JsonNode> logs = logs(null);
    Map<String, Map<String, Integer>> perService = new TreeMap<>();
    for (JsonNode doc : logs) {
      String service = text(doc, "resource", "service", "name");
      String level = text(doc, "severity", "text");
      perService.computeIfAbsent(service, k -> new TreeMap<>()).merge(level, 1, Integer::sum);
    }
    out.println();
    out.println(
        "Log documents stored in OpenSearch (" + prefix + LOG_INDEX + ") by service and level:");
    perService.forEach((service, levels) -> out.printf("  %-10s %s%n", service, levels));
    out.printf("  %-10s %d%n", "total", logs.size());
    out.println(
        "Access-log documents delivered through Firehose ("
            + prefix
            + ACCESS_INDEX
            + "): "
            + countSince(ACCESS_INDEX, "@timestamp"));

    JsonNode example =
        logs.stream()
            .filter(d -> d.path("traceId").isTextual())
            .findFirst()
            .orElse(logs.isEmpty() ? null : logs.get(0));
    if (example != null) {
      out.println();
      out.println("One example document:");
      out.println(
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsString(example)
              .indent(2)
              .stripTrailing());
      String traceId = example.path("traceId").asText("");
      if (!traceId.isEmpty()) {
        out.println();
        out.println("Trace " + traceId + ", its log lines in every service it crossed:");
        for (JsonNode doc : logs) {
          if (traceId.equals(doc.path("traceId").asText())) {
            out.printf(
                "  %-24s %-10s %-5s %s%n",
                doc.path("@timestamp").asText(),
                text(doc, "resource", "service", "name"),
                text(doc, "severity", "text"),
                doc.path("body").asText());
          }
        }
      }
    }

    out.println();
    out.println(
        "Spans stored ("
            + prefix
            + "otel-v1-apm-span): "
            + countSince("otel-v1-apm-span*", "startTime")
            + " (X-Ray's default sampling: the first request each second, then 5%)");
    TreeSet<String> edges = new TreeSet<>();
    ObjectNode all = JSON.createObjectNode().put("size", 1000);
    for (JsonNode edge : hits(prefix + "otel-v1-apm-service-map*", all)) {
      String from = edge.path("serviceName").asText("");
      String to = edge.path("destination").path("domain").asText("");
      if (!from.isEmpty() && !to.isEmpty()) {
        edges.add(from + " -> " + to);
      }
    }
    out.println("Service map edges: " + (edges.isEmpty() ? "(none)" : String.join(", ", edges)));
    String hops = traceThroughDatabaseAndQueue();
    if (hops != null) {
      out.println();
      out.println(
          "Trace "
              + hops
              + ", one checkout through the database and the queue (its spans, as X-Ray shows them):");
      printTree(out, traceSpans(hops));
    }
    TreeSet<String> series = new TreeSet<>();
    ObjectNode recentMetrics = JSON.createObjectNode().put("size", 2000);
    recentMetrics
        .putObject("query")
        .putObject("range")
        .putObject("@timestamp")
        .put("gte", since.toString());
    for (JsonNode metric : hits(prefix + "metrics-*", recentMetrics)) {
      String name = metric.path("name").asText(metric.path("metricName").asText(""));
      if (!name.isEmpty()) {
        series.add(name);
      }
    }
    TreeSet<String> red = new TreeSet<>();
    for (String name : series) {
      if (name.startsWith("http.")) {
        red.add(name.substring(0, name.lastIndexOf('.')));
      }
    }
    out.println(
        "Metric series stored ("
            + prefix
            + "metrics-*): "
            + series.size()
            + (red.isEmpty() ? "" : ", RED timers " + red + " and JVM and agent health gauges"));
  }

  /**
   * The id of a stored trace that crossed the database and the queue: a message shipping processed,
   * in the trace of the checkout whose stock inventory read with a database query; null when none
   * is stored (yet).
   */
  public String traceThroughDatabaseAndQueue() throws IOException, InterruptedException {
    ObjectNode query = JSON.createObjectNode().put("size", 50);
    ArrayNode filter = query.putObject("query").putObject("bool").putArray("filter");
    filter.addObject().putObject("term").put("serviceName", "shipping");
    filter.addObject().putObject("range").putObject("startTime").put("gte", since.toString());
    TreeSet<String> seen = new TreeSet<>();
    for (JsonNode consumed : hits(prefix + "otel-v1-apm-span*", query)) {
      String traceId = consumed.path("traceId").asText("");
      if (!seen.add(traceId)) {
        continue;
      }
      List<JsonNode> spans = traceSpans(traceId);
      if (spans.stream().anyMatch(DemoReport::isDatabaseCall)
          && spans.stream().anyMatch(s -> isConsumedMessage(s, spans))) {
        return traceId;
      }
    }
    return null;
  }

  /** Every stored span of a trace, in start order. */
  public List<JsonNode> traceSpans(String traceId) throws IOException, InterruptedException {
    ObjectNode query = JSON.createObjectNode().put("size", 1000);
    query.putArray("sort").addObject().putObject("startTime").put("order", "asc");
    query.putObject("query").putObject("term").put("traceId", traceId);
    return hits(prefix + "otel-v1-apm-span*", query);
  }

  /** A client span of a database call (X-Ray's SQL subsegment). */
  static boolean isDatabaseCall(JsonNode span) {
    return !attribute(span, "db@system").equals("-");
  }

  /** A span of another service whose parent is an SQS {@code SendMessage} span of the trace. */
  static boolean isConsumedMessage(JsonNode span, List<JsonNode> trace) {
    String parent = span.path("parentSpanId").asText("");
    for (JsonNode s : trace) {
      if (s.path("spanId").asText().equals(parent)
          && attribute(s, "aws@operation").equals("SendMessage")
          && !s.path("serviceName").asText().equals(span.path("serviceName").asText())) {
        return true;
      }
    }
    return false;
  }

  /** Prints the spans of one trace as a tree: service, kind, name and what each call reached. */
  private static void printTree(PrintStream out, List<JsonNode> spans) {
    Map<String, List<JsonNode>> children = new TreeMap<>();
    TreeSet<String> ids = new TreeSet<>();
    spans.forEach(s -> ids.add(s.path("spanId").asText()));
    List<JsonNode> roots = new ArrayList<>();
    for (JsonNode s : spans) {
      String parent = s.path("parentSpanId").asText("");
      if (ids.contains(parent)) {
        children.computeIfAbsent(parent, k -> new ArrayList<>()).add(s);
      } else {
        roots.add(s);
      }
    }
    for (JsonNode root : roots) {
      printTree(out, root, children, spans, 1);
    }
  }

  private static void printTree(
      PrintStream out,
      JsonNode span,
      Map<String, List<JsonNode>> children,
      List<JsonNode> trace,
      int depth) {
    String kind = span.path("kind").asText("").replace("SPAN_KIND_", "").toLowerCase(Locale.ROOT);
    String what = "";
    String name = span.path("name").asText();
    if (isDatabaseCall(span)) {
      what =
          String.format(
              "   database node '%s' (%s): %s",
              name, attribute(span, "db@system"), attribute(span, "db@statement"));
    } else if (!attribute(span, "aws@operation").equals("-")) {
      what =
          String.format(
              "   %s %s %s",
              name, attribute(span, "aws@operation"), attribute(span, "aws@queue@url"));
    } else if (isConsumedMessage(span, trace)) {
      what = "   the message, processed by " + span.path("serviceName").asText();
    }
    out.printf(
        "  %s%-10s %-7s %s%s%n",
        "  ".repeat(depth - 1),
        span.path("serviceName").asText(),
        kind,
        span.path("name").asText(),
        what);
    for (JsonNode child : children.getOrDefault(span.path("spanId").asText(), List.of())) {
      printTree(out, child, children, trace, depth + 1);
    }
  }

  private List<JsonNode> hits(String index, ObjectNode query)
      throws IOException, InterruptedException {
    awaitShards(index);
    JsonNode answer =
        send(
            "POST",
            "/" + index + "/_search?ignore_unavailable=true&allow_no_indices=true",
            JSON.writeValueAsString(query));
    List<JsonNode> out = new ArrayList<>();
    Iterator<JsonNode> it = answer.path("hits").path("hits").elements();
    while (it.hasNext()) {
      out.add(it.next().path("_source"));
    }
    return out;
  }

  /**
   * An index created a moment ago answers searches with 503 until its primary shard is started, and
   * OpenSearch already calls it yellow while that shard initializes: wait for both.
   */
  private void awaitShards(String pattern) throws IOException, InterruptedException {
    send(
        "GET",
        "/_cluster/health/"
            + pattern
            + "?wait_for_status=yellow&wait_for_no_initializing_shards=true&timeout=30s",
        null);
  }

  private JsonNode send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(openSearch.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw new IOException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /** A nested field, whether the document stores it as nested objects or as one dotted key. */
  /**
   * A span document's attribute, named as the collector stores it ({@code .} written {@code @}).
   */
  static String attribute(JsonNode span, String name) {
    return text(span, "span", "attributes", name);
  }

  static String text(JsonNode doc, String... path) {
    JsonNode dotted = doc.path(String.join(".", path));
    if (!dotted.isMissingNode()) {
      return dotted.asText();
    }
    JsonNode node = doc;
    for (String p : path) {
      node = node.path(p);
    }
    return node.isMissingNode() ? "-" : node.asText();
  }
}
