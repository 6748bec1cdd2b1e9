package dev.trailmark.collector.internal.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds span documents in the shape Data Prepper writes to {@code otel-v1-apm-span-*}, so
 * OpenSearch Dashboards' trace analytics reads them as is: flat keys {@code span.attributes.<key
 * with '@' for '.'>} and {@code resource.attributes.*}, nanosecond ISO times, {@code SPAN_KIND_*}
 * kinds, status codes 0/1/2.
 */
public final class SpanDocuments {

  /** OpenTelemetry status codes. */
  public static final int STATUS_UNSET = 0;

  /** OpenTelemetry status code OK. */
  public static final int STATUS_OK = 1;

  /** OpenTelemetry status code ERROR. */
  public static final int STATUS_ERROR = 2;

  private SpanDocuments() {}

  /**
   * A span document with the fields every span has; attributes are added with {@link #attribute}.
   */
  public static ObjectNode span(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      String kind,
      long startNanos,
      long endNanos,
      String serviceName,
      int statusCode,
      String statusMessage) {
    ObjectNode doc = Json.object();
    doc.put("traceId", traceId)
        .put("spanId", spanId)
        .put("parentSpanId", parentSpanId == null ? "" : parentSpanId)
        .put("name", name)
        .put("kind", kind)
        .put("startTime", nanosToIso(startNanos))
        .put("endTime", nanosToIso(endNanos))
        .put("durationInNanos", Math.max(0, endNanos - startNanos))
        .put("serviceName", serviceName)
        .put("traceState", "")
        .put("droppedAttributesCount", 0)
        .put("droppedEventsCount", 0)
        .put("droppedLinksCount", 0);
    doc.putObject("status")
        .put("code", statusCode)
        .put("message", statusMessage == null ? "" : statusMessage);
    doc.putArray("events");
    doc.putArray("links");
    if (serviceName != null) {
      doc.put("resource.attributes.service@name", serviceName);
    }
    if (parentSpanId == null || parentSpanId.isEmpty()) {
      // A root span names its trace group (what trace analytics groups traces by).
      doc.put("traceGroup", name);
      doc.putObject("traceGroupFields")
          .put("endTime", nanosToIso(endNanos))
          .put("durationInNanos", Math.max(0, endNanos - startNanos))
          .put("statusCode", statusCode);
    }
    return doc;
  }

  /** Adds {@code span.attributes.<key>} with dots written as '@', as Data Prepper does. */
  public static void attribute(ObjectNode span, String key, JsonNode value) {
    if (value != null && !value.isNull() && !value.isMissingNode()) {
      span.set(
          "span.attributes." + key.replace('.', '@'),
          value.isContainerNode()
              ? Json.MAPPER.getNodeFactory().textNode(value.toString())
              : value);
    }
  }

  /** Adds {@code resource.attributes.<key>}. */
  public static void resourceAttribute(ObjectNode span, String key, JsonNode value) {
    if (value != null && !value.isNull() && !value.isMissingNode()) {
      span.set(
          "resource.attributes." + key.replace('.', '@'),
          value.isContainerNode()
              ? Json.MAPPER.getNodeFactory().textNode(value.toString())
              : value);
    }
  }

  /** Epoch nanoseconds as ISO-8601 with nanosecond precision. */
  public static String nanosToIso(long nanos) {
    return Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L))
        .toString();
  }

  /** X-Ray's epoch seconds with a fraction, as epoch nanoseconds. */
  static long secondsToNanos(JsonNode seconds) {
    if (seconds == null || !seconds.isNumber()) {
      return 0;
    }
    return seconds.decimalValue().multiply(BigDecimal.valueOf(1_000_000_000L)).longValue();
  }

  /**
   * X-Ray trace id {@code 1-5759e988-bd862e3fe1be46a994272793} as the 32 hex digits OpenTelemetry
   * uses.
   */
  static String otelTraceId(String xrayTraceId) {
    if (xrayTraceId == null) {
      return null;
    }
    String[] parts = xrayTraceId.split("-");
    if (parts.length != 3
        || !parts[0].equals("1")
        || parts[1].length() != 8
        || parts[2].length() != 24) {
      return null;
    }
    String hex = parts[1] + parts[2];
    return hex.matches("[0-9a-fA-F]{32}") ? hex.toLowerCase(java.util.Locale.ROOT) : null;
  }

  /**
   * Maps one X-Ray segment or independent subsegment document, with its embedded subsegments, to
   * span documents. A subsegment's service is its segment's; for an independent subsegment it is
   * not in the document, so {@code serviceName} is null there and {@link TraceAssembler} fills it
   * in from the parent.
   *
   * @throws IllegalArgumentException when required fields are missing or malformed
   */
  public static List<ObjectNode> fromXRay(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException("segment document must be a JSON object");
    }
    String traceId = otelTraceId(doc.path("trace_id").asText(null));
    if (traceId == null) {
      throw new IllegalArgumentException(
          "segment has no valid trace_id (1-xxxxxxxx-24 hex digits)");
    }
    boolean independentSubsegment = "subsegment".equals(doc.path("type").asText());
    String service = independentSubsegment ? null : doc.path("name").asText(null);
    List<ObjectNode> out = new ArrayList<>();
    map(doc, traceId, doc.path("parent_id").asText(""), service, !independentSubsegment, out);
    return out;
  }

  private static void map(
      JsonNode s,
      String traceId,
      String parentId,
      String service,
      boolean segment,
      List<ObjectNode> out) {
    String id = s.path("id").asText(null);
    if (id == null || !id.matches("[0-9a-fA-F]{16}")) {
      throw new IllegalArgumentException("segment has no valid id (16 hex digits)");
    }
    if (!s.path("start_time").isNumber()) {
      throw new IllegalArgumentException("segment " + id + " has no start_time");
    }
    if (s.path("in_progress").asBoolean(false)) {
      return; // the completed document will follow with the same id
    }
    if (!s.path("end_time").isNumber()) {
      throw new IllegalArgumentException("segment " + id + " has neither end_time nor in_progress");
    }
    long start = secondsToNanos(s.get("start_time"));
    long end = secondsToNanos(s.get("end_time"));
    JsonNode http = s.path("http");
    String method = http.path("request").path("method").asText(null);
    String url = http.path("request").path("url").asText(null);
    String name;
    String kind;
    if (segment) {
      // A route names the operation without ids; a bare "/" (a JDK HttpServer context root) says
      // less than the path.
      String route = s.path("annotations").path("http_route").asText(null);
      boolean useRoute = route != null && !route.isEmpty() && !route.equals("/");
      name =
          method != null
              ? method + " " + (useRoute ? route : path(url))
              : s.path("name").asText("segment");
      kind = "SPAN_KIND_SERVER";
    } else {
      String namespace = s.path("namespace").asText("");
      kind =
          namespace.equals("remote") || namespace.equals("aws")
              ? "SPAN_KIND_CLIENT"
              : "SPAN_KIND_INTERNAL";
      name = s.path("name").asText("subsegment");
    }
    boolean failed = s.path("fault").asBoolean(false) || s.path("error").asBoolean(false);
    String message = null;
    JsonNode exceptions = s.path("cause").path("exceptions");
    if (exceptions.isArray() && exceptions.size() > 0) {
      message = exceptions.get(0).path("message").asText(null);
    }
    ObjectNode span =
        span(
            traceId,
            id.toLowerCase(java.util.Locale.ROOT),
            parentId,
            name,
            kind,
            start,
            end,
            service,
            failed ? STATUS_ERROR : STATUS_UNSET,
            message);
    attribute(span, "http.method", http.path("request").get("method"));
    attribute(span, "http.url", http.path("request").get("url"));
    attribute(span, "http.client_ip", http.path("request").get("client_ip"));
    attribute(span, "http.status_code", http.path("response").get("status"));
    if (!segment) {
      attribute(span, "peer.service", s.get("name"));
    }
    attribute(span, "aws.xray.fault", s.get("fault"));
    attribute(span, "aws.xray.error", s.get("error"));
    attribute(span, "aws.xray.throttle", s.get("throttle"));
    attribute(span, "aws.xray.origin", s.get("origin"));
    JsonNode aws = s.path("aws");
    attribute(span, "aws.operation", aws.get("operation"));
    attribute(span, "aws.region", aws.get("region"));
    attribute(span, "aws.resource", aws.get("resource"));
    attribute(
        span, "aws.queue.url", aws.get("queue_url")); // an SQS call, or a message's processing
    // X-Ray's SQL block: the span is a database call, and the database a node of the service map.
    JsonNode sql = s.path("sql");
    JsonNode system =
        sql.get("database_type"); // "PostgreSQL", "H2": OpenTelemetry's names are lower case
    attribute(
        span,
        "db.system",
        system == null
            ? null
            : Json.MAPPER.getNodeFactory().textNode(system.asText().toLowerCase(Locale.ROOT)));
    attribute(span, "db.user", sql.get("user"));
    attribute(span, "db.statement", sql.get("sanitized_query"));
    for (Map.Entry<String, JsonNode> e : s.path("annotations").properties()) {
      attribute(span, "annotation." + e.getKey(), e.getValue());
    }
    JsonNode resource = s.path("metadata").path("resource");
    for (Map.Entry<String, JsonNode> e : resource.properties()) {
      resourceAttribute(span, e.getKey(), e.getValue());
    }
    if (exceptions.isArray() && exceptions.size() > 0) {
      ObjectNode event = span.withArray("events").addObject();
      event.put("name", "exception").put("time", nanosToIso(end));
      ObjectNode attrs = event.putObject("attributes");
      attrs.put("exception.type", exceptions.get(0).path("type").asText(""));
      attrs.put("exception.message", exceptions.get(0).path("message").asText(""));
    }
    out.add(span);
    for (JsonNode sub : s.path("subsegments")) {
      map(sub, traceId, id.toLowerCase(java.util.Locale.ROOT), service, false, out);
    }
  }

  private static String path(String url) {
    if (url == null) {
      return "/";
    }
    try {
      String p = java.net.URI.create(url).getRawPath();
      return p == null || p.isEmpty() ? "/" : p;
    } catch (IllegalArgumentException e) {
      return url;
    }
  }
}
