package dev.trailmark.collector.internal.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.trailmark.collector.internal.traces.SpanDocuments;
import dev.trailmark.common.json.Json;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * OTLP (protobuf or JSON) export requests mapped to the same documents as the AWS-shaped endpoints:
 * Data Prepper spans, SS4O log documents and metric documents.
 */
public final class OtlpDocuments {

  private OtlpDocuments() {}

  /**
   * Parses an export request body; {@code json} selects OTLP/JSON (hex ids, as the spec says) over
   * protobuf.
   */
  public static <B extends Message.Builder> B parse(byte[] body, boolean json, B builder) {
    try {
      if (json) {
        JsonNode tree = Json.MAPPER.readTree(body);
        if (tree == null || !tree.isObject()) {
          throw new IllegalArgumentException("OTLP/JSON body must be a JSON object");
        }
        hexIdsToBase64(tree);
        JsonFormat.parser().ignoringUnknownFields().merge(tree.toString(), builder);
      } else {
        builder.mergeFrom(body);
      }
      return builder;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "malformed OTLP " + (json ? "JSON" : "protobuf") + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed OTLP JSON: " + e.getMessage(), e);
    }
  }

  /**
   * OTLP/JSON writes trace and span ids as hex; protobuf's JSON mapping expects base64 for bytes.
   */
  private static void hexIdsToBase64(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      for (String field : new String[] {"traceId", "spanId", "parentSpanId"}) {
        JsonNode v = o.get(field);
        if (v != null && v.isTextual()) {
          String hex = v.asText();
          if (!hex.matches("([0-9a-fA-F]{2})*")) {
            throw new IllegalArgumentException(field + " must be hex in OTLP/JSON: " + hex);
          }
          byte[] bytes = new byte[hex.length() / 2];
          for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
          }
          o.put(field, Base64.getEncoder().encodeToString(bytes));
        }
      }
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        hexIdsToBase64(it.next());
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        hexIdsToBase64(child);
      }
    }
  }

  /** Spans in Data Prepper's shape (service names from the resource). */
  public static List<ObjectNode> spans(ExportTraceServiceRequest request) {
    List<ObjectNode> out = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = serviceName(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          if (s.getTraceId().size() != 16 || s.getSpanId().size() != 8) {
            throw new IllegalArgumentException(
                "span '" + s.getName() + "' has no valid traceId/spanId");
          }
          int code = s.getStatus().getCodeValue();
          ObjectNode doc =
              SpanDocuments.span(
                  hex(s.getTraceId()),
                  hex(s.getSpanId()),
                  s.getParentSpanId().isEmpty() ? "" : hex(s.getParentSpanId()),
                  s.getName(),
                  s.getKind().name(),
                  s.getStartTimeUnixNano(),
                  s.getEndTimeUnixNano(),
                  service,
                  code,
                  s.getStatus().getMessage());
          doc.put("traceState", s.getTraceState());
          doc.put("droppedAttributesCount", s.getDroppedAttributesCount());
          doc.put("droppedEventsCount", s.getDroppedEventsCount());
          doc.put("droppedLinksCount", s.getDroppedLinksCount());
          doc.putObject("instrumentationScope")
              .put("name", ss.getScope().getName())
              .put("version", ss.getScope().getVersion());
          for (KeyValue kv : s.getAttributesList()) {
            SpanDocuments.attribute(doc, kv.getKey(), value(kv.getValue()));
          }
          for (KeyValue kv : rs.getResource().getAttributesList()) {
            SpanDocuments.resourceAttribute(doc, kv.getKey(), value(kv.getValue()));
          }
          ArrayNode events = doc.putArray("events");
          for (Span.Event e : s.getEventsList()) {
            ObjectNode event =
                events
                    .addObject()
                    .put("name", e.getName())
                    .put("time", SpanDocuments.nanosToIso(e.getTimeUnixNano()));
            ObjectNode attrs = event.putObject("attributes");
            for (KeyValue kv : e.getAttributesList()) {
              attrs.set(kv.getKey(), value(kv.getValue()));
            }
          }
          ArrayNode links = doc.putArray("links");
          for (Span.Link l : s.getLinksList()) {
            links
                .addObject()
                .put("traceId", hex(l.getTraceId()))
                .put("spanId", hex(l.getSpanId()))
                .put("traceState", l.getTraceState());
          }
          out.add(doc);
        }
      }
    }
    return out;
  }

  /** A document with the epoch millis that pick its daily index. */
  public record TimedDocument(long epochMillis, ObjectNode document) {}

  /** Log records as SS4O log documents. */
  public static List<TimedDocument> logs(ExportLogsServiceRequest request) {
    List<TimedDocument> out = new ArrayList<>();
    for (ResourceLogs rl : request.getResourceLogsList()) {
      ObjectNode resource = attributesObject(rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          long nanos = r.getTimeUnixNano() != 0 ? r.getTimeUnixNano() : r.getObservedTimeUnixNano();
          if (nanos == 0) {
            nanos = System.currentTimeMillis() * 1_000_000L;
          }
          ObjectNode doc = Json.object();
          doc.put("@timestamp", SpanDocuments.nanosToIso(nanos));
          if (r.getObservedTimeUnixNano() != 0) {
            doc.put("observedTimestamp", SpanDocuments.nanosToIso(r.getObservedTimeUnixNano()));
          }
          if (!r.getTraceId().isEmpty()) {
            doc.put("traceId", hex(r.getTraceId()));
          }
          if (!r.getSpanId().isEmpty()) {
            doc.put("spanId", hex(r.getSpanId()));
          }
          doc.putObject("severity")
              .put(
                  "text",
                  r.getSeverityText().isEmpty()
                      ? r.getSeverityNumber().name().replace("SEVERITY_NUMBER_", "")
                      : r.getSeverityText())
              .put("number", r.getSeverityNumberValue());
          JsonNode body = value(r.getBody());
          doc.set(
              "body",
              body.isTextual() || body.isNull()
                  ? body
                  : JsonNodeFactory.instance.textNode(body.toString()));
          doc.set("attributes", attributesObject(r.getAttributesList()));
          doc.set("resource", resource.deepCopy());
          doc.putObject("instrumentationScope")
              .put("name", sl.getScope().getName())
              .put("version", sl.getScope().getVersion());
          out.add(new TimedDocument(nanos / 1_000_000L, doc));
        }
      }
    }
    return out;
  }

  /** Metric data points as metric documents. */
  public static List<TimedDocument> metrics(ExportMetricsServiceRequest request) {
    List<TimedDocument> out = new ArrayList<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      String service = serviceName(rm.getResource().getAttributesList());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE:
              m.getGauge()
                  .getDataPointsList()
                  .forEach(p -> out.add(number(m, "gauge", service, p)));
              break;
            case SUM:
              m.getSum().getDataPointsList().forEach(p -> out.add(number(m, "sum", service, p)));
              break;
            case HISTOGRAM:
              for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
                ObjectNode doc =
                    metricBase(m, "histogram", service, p.getTimeUnixNano(), p.getAttributesList());
                doc.put("count", (double) p.getCount()).put("sum", p.getSum());
                if (p.hasMin()) {
                  doc.put("min", p.getMin());
                }
                if (p.hasMax()) {
                  doc.put("max", p.getMax());
                }
                ArrayNode bounds = doc.putArray("bucketBounds");
                p.getExplicitBoundsList().forEach(bounds::add);
                ArrayNode counts = doc.putArray("bucketCounts");
                p.getBucketCountsList().forEach(counts::add);
                out.add(new TimedDocument(p.getTimeUnixNano() / 1_000_000L, doc));
              }
              break;
            default:
              // Exponential histograms and summaries are not mapped; their points are skipped.
              break;
          }
        }
      }
    }
    return out;
  }

  private static TimedDocument number(Metric m, String kind, String service, NumberDataPoint p) {
    ObjectNode doc = metricBase(m, kind, service, p.getTimeUnixNano(), p.getAttributesList());
    doc.put("value", p.hasAsDouble() ? p.getAsDouble() : (double) p.getAsInt());
    return new TimedDocument(p.getTimeUnixNano() / 1_000_000L, doc);
  }

  private static ObjectNode metricBase(
      Metric m, String kind, String service, long nanos, List<KeyValue> attributes) {
    ObjectNode doc = Json.object();
    doc.put(
            "@timestamp",
            SpanDocuments.nanosToIso(nanos == 0 ? System.currentTimeMillis() * 1_000_000L : nanos))
        .put("namespace", "otlp")
        .put("name", m.getName())
        .put("unit", m.getUnit())
        .put("kind", kind)
        .put("serviceName", service);
    ObjectNode dims = doc.putObject("dimensions");
    for (KeyValue kv : attributes) {
      JsonNode v = value(kv.getValue());
      dims.put(kv.getKey(), v.isTextual() ? v.asText() : v.toString());
    }
    return doc;
  }

  private static String serviceName(List<KeyValue> attributes) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals("service.name")) {
        return kv.getValue().getStringValue();
      }
    }
    return "unknown_service";
  }

  /**
   * Resource or record attributes as nested objects ({@code service.name} → {@code service:
   * {name}}).
   */
  private static ObjectNode attributesObject(List<KeyValue> attributes) {
    ObjectNode out = Json.object();
    for (KeyValue kv : attributes) {
      String[] path = kv.getKey().split("\\.");
      ObjectNode at = out;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode child = at.get(path[i]);
        at = child instanceof ObjectNode ? (ObjectNode) child : at.putObject(path[i]);
      }
      at.set(path[path.length - 1], value(kv.getValue()));
    }
    return out;
  }

  static JsonNode value(AnyValue v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return f.textNode(v.getStringValue());
      case BOOL_VALUE:
        return f.booleanNode(v.getBoolValue());
      case INT_VALUE:
        return f.numberNode(v.getIntValue());
      case DOUBLE_VALUE:
        return f.numberNode(v.getDoubleValue());
      case BYTES_VALUE:
        return f.textNode(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE:
        {
          ArrayNode a = f.arrayNode();
          v.getArrayValue().getValuesList().forEach(x -> a.add(value(x)));
          return a;
        }
      case KVLIST_VALUE:
        {
          ObjectNode o = f.objectNode();
          for (KeyValue kv : v.getKvlistValue().getValuesList()) {
            o.set(kv.getKey(), value(kv.getValue()));
          }
          return o;
        }
      default:
        return f.nullNode();
    }
  }

  static String hex(ByteString bytes) {
    StringBuilder s = new StringBuilder(bytes.size() * 2);
    for (int i = 0; i < bytes.size(); i++) {
      int b = bytes.byteAt(i) & 0xff;
      s.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.toString();
  }
}
