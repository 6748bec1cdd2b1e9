package dev.trailmark.agent.internal.export;

import static dev.trailmark.agent.internal.trace.SpanAttributes.*;

import dev.trailmark.agent.internal.trace.Database;
import dev.trailmark.agent.internal.trace.ManualData;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.SpanContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Encodes OpenTelemetry spans ({@link SpanData}, read through their semantic-convention attributes)
 * as X-Ray segment documents: a server span is a segment (named after the service), a client span
 * an independent subsegment whose {@code parent_id} is the span it was made under.
 */
public final class XraySegmentEncoder {

  /** The daemon protocol's header line, sent before every document. */
  static final String HEADER = "{\"format\": \"json\", \"version\": 1}\n";

  /** Largest UDP datagram the daemon reads. */
  public static final int MAX_DATAGRAM = 64 * 1024;

  private final String serviceName;
  private final String segmentName; // sanitized once, not per span
  private final Map<String, String> resource;
  private final String agentVersion;

  public XraySegmentEncoder(String serviceName, Map<String, String> resource, String agentVersion) {
    this.serviceName = serviceName;
    this.segmentName = segmentName(serviceName);
    this.resource = resource;
    this.agentVersion = agentVersion;
  }

  /** Reused per exporting thread: encoding a span then allocates only its datagram. */
  private static final ThreadLocal<StringBuilder> BUFFER =
      new ThreadLocal<StringBuilder>() {
        @Override
        protected StringBuilder initialValue() {
          return new StringBuilder(2048);
        }
      };

  /**
   * The datagram for {@code span}: header line plus document, never over {@link #MAX_DATAGRAM}
   * bytes.
   */
  public byte[] datagram(SpanData span) {
    ByteBuffer out = ByteBuffer.allocate(MAX_DATAGRAM);
    encode(span, out);
    out.flip();
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  /**
   * Writes the datagram for {@code span} into {@code out} (cleared first; at least {@link
   * #MAX_DATAGRAM} bytes), so that the exporter sends every span from one reused buffer.
   */
  void encode(SpanData span, ByteBuffer out) {
    encode(span, java.util.Collections.<SpanData>emptyList(), out);
  }

  /**
   * Like {@link #encode(SpanData, ByteBuffer)}, with {@code subsegments} (client spans made under
   * this server span, in this process) embedded in the segment, as X-Ray's own SDKs send them: one
   * datagram for the request instead of one per call. Returns false, writing nothing, when the
   * segment with them would not fit one datagram; the caller then sends each on its own.
   */
  boolean encode(SpanData span, List<SpanData> subsegments, ByteBuffer out) {
    StringBuilder sb = BUFFER.get();
    sb.setLength(0);
    write(sb.append(HEADER), span, true, subsegments);
    out.clear();
    if (!putAscii(sb, out)) {
      byte[] utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
      if (utf8.length > MAX_DATAGRAM) {
        if (!subsegments.isEmpty()) {
          return false;
        }
        // Only metadata is unbounded in count; without it a document is a few KB at most.
        sb.setLength(0);
        write(sb.append(HEADER), span, false, subsegments);
        out.clear();
        if (!putAscii(sb, out)) {
          utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
        } else {
          utf8 = null;
        }
      }
      if (utf8 != null) {
        out.clear();
        out.put(utf8);
      }
    }
    if (sb.capacity() > 16 * 1024) {
      BUFFER.remove(); // one huge span does not pin a huge buffer
    }
    return true;
  }

  /**
   * Reused per exporting thread: an ASCII document is copied into it, then into the buffer in one
   * put.
   */
  private static final ThreadLocal<byte[]> ASCII =
      new ThreadLocal<byte[]>() {
        @Override
        protected byte[] initialValue() {
          return new byte[MAX_DATAGRAM];
        }
      };

  /**
   * Puts {@code sb} into {@code out} when it is all ASCII and fits a datagram, as documents almost
   * always are; returns false, leaving {@code out} to be cleared, otherwise.
   */
  private static boolean putAscii(StringBuilder sb, ByteBuffer out) {
    int length = sb.length();
    if (length > MAX_DATAGRAM) {
      return false;
    }
    byte[] bytes = ASCII.get();
    for (int i = 0; i < length; i++) {
      char c = sb.charAt(i);
      if (c >= 0x80) {
        return false;
      }
      bytes[i] = (byte) c;
    }
    out.put(bytes, 0, length);
    return true;
  }

  /** The segment or subsegment document of {@code span}. */
  public String document(SpanData span, boolean withMetadata) {
    StringBuilder sb = new StringBuilder(512);
    write(sb, span, withMetadata, java.util.Collections.<SpanData>emptyList());
    return sb.toString();
  }

  private void write(
      StringBuilder sb, SpanData span, boolean withMetadata, List<SpanData> subsegments) {
    write(sb, span, withMetadata, false);
    if (!subsegments.isEmpty()) {
      sb.setLength(sb.length() - 1); // reopen the segment's object
      sb.append(",\"subsegments\":[");
      for (int i = 0; i < subsegments.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, subsegments.get(i), false, true);
      }
      sb.append("]}");
    }
  }

  /**
   * @param embedded inside its segment's {@code subsegments}: no type, trace or parent, which the
   *     segment gives
   */
  private void write(StringBuilder sb, SpanData span, boolean withMetadata, boolean embedded) {
    // The agent's own spans are read field by field: their SDK attributes would be built (and
    // sorted)
    // only to be read back here, on every span. Any other SpanData is read through its attributes.
    String method;
    String url;
    String route;
    int status;
    String awsService;
    String awsOperation;
    String awsRegion;
    String queueUrl;
    boolean hasException;
    String exceptionType;
    String exceptionMessage;
    String traceId;
    boolean hasParent;
    String dbNode = null; // a database call: the sql block below, named as the database's node
    String dbUrl = null;
    String dbType = null;
    String dbVersion = null;
    String dbDriver = null;
    String dbUser = null;
    String dbPreparation = null;
    String dbQuery = null;
    String destination = null; // a producer span's topic: its remote node
    Boolean coldStart; // a Lambda invocation's, else null
    if (span instanceof Span) {
      Span s = (Span) span;
      method = s.method();
      url = s.url();
      route = s.route();
      status = s.status();
      awsService = s.awsService();
      awsOperation = awsService == null ? null : s.awsOperation();
      awsRegion = awsService == null ? null : s.awsRegion();
      queueUrl = "SQS".equals(awsService) ? s.awsResource() : s.queueUrl();
      destination = s.producerDestination();
      coldStart = s.faasColdStart();
      Throwable error = s.error();
      hasException = error != null;
      exceptionType = hasException ? error.getClass().getName() : null;
      exceptionMessage = hasException ? error.getMessage() : null;
      traceId = s.context().xrayTraceId(); // built once per trace, shared by its spans
      hasParent = s.parentSpanId() != null;
      Database db = s.database();
      if (db != null) {
        dbNode = db.node();
        dbUrl = db.url();
        dbType = db.productName() != null ? db.productName() : db.system();
        dbVersion = db.productVersion();
        dbDriver = db.driverVersion();
        dbUser = db.user();
        dbPreparation = s.dbPreparation();
        dbQuery = s.dbStatement();
      }
    } else {
      Attributes attributes = span.getAttributes();
      method = attributes.get(HTTP_METHOD);
      url = attributes.get(URL_FULL);
      route = attributes.get(HTTP_ROUTE);
      Long statusCode = attributes.get(HTTP_STATUS);
      status = statusCode == null ? 0 : statusCode.intValue();
      awsService =
          "aws-api".equals(attributes.get(RPC_SYSTEM)) ? attributes.get(RPC_SERVICE) : null;
      awsOperation = attributes.get(RPC_METHOD);
      awsRegion = attributes.get(CLOUD_REGION);
      queueUrl = attributes.get(AWS_QUEUE_URL);
      coldStart = attributes.get(FAAS_COLDSTART);
      EventData exception = exception(span);
      hasException = exception != null;
      exceptionType = hasException ? exception.getAttributes().get(EXCEPTION_TYPE) : null;
      exceptionMessage = hasException ? exception.getAttributes().get(EXCEPTION_MESSAGE) : null;
      traceId = SpanContext.xrayTraceId(span.getTraceId());
      hasParent = span.getParentSpanContext().isValid();
      dbType = attributes.get(DB_SYSTEM);
      if (dbType != null) {
        String name = attributes.get(DB_NAME);
        String host = attributes.get(SERVER_ADDRESS);
        Long port = attributes.get(SERVER_PORT);
        dbNode =
            (name != null ? name : dbType)
                + (host == null ? "" : "@" + host + (port == null ? "" : ":" + port));
        dbUser = attributes.get(DB_USER);
        dbQuery = attributes.get(DB_STATEMENT);
      }
    }

    // A span the application opened through its OpenTelemetry API: named as it named it.
    ManualData manual = span instanceof Span ? ((Span) span).manual() : null;
    boolean opened = manual != null && manual.opened();
    if (opened && !hasException) {
      EventData exception = exception(span); // recordException
      hasException = exception != null;
      exceptionType = hasException ? exception.getAttributes().get(EXCEPTION_TYPE) : null;
      exceptionMessage = hasException ? exception.getAttributes().get(EXCEPTION_MESSAGE) : null;
    }

    JsonWriter json = new JsonWriter(sb).beginObject();
    boolean segment = span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CONSUMER;
    if (!segment && !embedded) {
      json.name("type").value("subsegment");
    }
    json.name("name")
        .value(
            segment
                ? segmentName
                : opened
                    ? segmentName(span.getName())
                    : awsService != null
                        ? awsService
                        : segmentName(
                            dbNode != null
                                ? dbNode
                                : destination != null ? destination : Span.host(url)));
    json.name("id").value(span.getSpanId());
    if (!embedded) {
      json.name("trace_id").value(traceId);
    }
    if (!embedded && hasParent) {
      json.name("parent_id").value(span.getParentSpanId());
    }
    json.name("start_time").epochSeconds(span.getStartEpochNanos());
    json.name("end_time").epochSeconds(span.getEndEpochNanos());
    if (!segment
        && (!opened || span.getKind() == SpanKind.CLIENT || span.getKind() == SpanKind.PRODUCER)) {
      json.name("namespace").value(awsService != null ? "aws" : "remote");
    }
    if (method != null || url != null) {
      json.name("http").beginObject().name("request").beginObject();
      json.field("method", method);
      json.field("url", url);
      json.endObject();
      if (status > 0) {
        json.name("response").beginObject().name("status").value(status).endObject();
      }
      json.endObject();
    }
    if (status >= 500
        || (hasException && status < 400)
        || (opened && span.getStatus().getStatusCode() == StatusCode.ERROR)) {
      json.name("fault").value(true);
    } else if (status >= 400 && status < 500) {
      json.name("error").value(true);
      if (status == 429) {
        json.name("throttle").value(true);
      }
    }
    if (hasException) {
      json.name("cause")
          .beginObject()
          .name("exceptions")
          .beginArray()
          .beginObject()
          .name("id")
          .value(span.getSpanId())
          .field("message", exceptionMessage)
          .field("type", exceptionType)
          .endObject()
          .endArray()
          .endObject();
    }
    if (segment) {
      json.name("aws")
          .beginObject()
          .name("xray")
          .beginObject()
          .name("sdk")
          .value("Trailmark Java agent")
          .name("sdk_version")
          .value(agentVersion)
          .endObject()
          .field("queue_url", queueUrl) // a message's processing: the queue it came from
          .endObject();
      if (route != null || coldStart != null) {
        json.name("annotations").beginObject();
        if (route != null) {
          json.name("http_route").value(route);
        }
        if (coldStart != null) {
          json.name("faas_coldstart")
              .value(coldStart.booleanValue()); // a Lambda invocation's, searchable
        }
        json.endObject();
      }
      boolean withResource = withMetadata && !resource.isEmpty();
      if (withResource || manual != null) {
        json.name("metadata").beginObject();
        if (withResource) {
          json.name("resource").beginObject();
          for (Map.Entry<String, String> attribute : resource.entrySet()) {
            json.name(attribute.getKey()).value(attribute.getValue());
          }
          json.endObject();
        }
        if (manual != null) {
          applicationAttributes(json, manual);
        }
        json.endObject();
      }
    } else if (dbNode != null) {
      // X-Ray's SQL subsegment: the service map shows the database as a node of its own.
      json.name("sql")
          .beginObject()
          .field("url", dbUrl)
          .field("preparation", dbPreparation)
          .field("database_type", dbType)
          .field("database_version", dbVersion)
          .field("driver_version", dbDriver)
          .field("user", dbUser)
          .field("sanitized_query", dbQuery)
          .endObject();
    } else if (awsService != null) {
      json.name("aws")
          .beginObject()
          .field("operation", awsOperation)
          .field("region", awsRegion)
          .field("queue_url", queueUrl)
          .endObject();
    }
    if (!segment && manual != null) {
      json.name("metadata").beginObject();
      applicationAttributes(json, manual);
      json.endObject();
    }
    sb.append('}');
  }

  /**
   * What the application set through its OpenTelemetry API, as X-Ray's OpenTelemetry exporter
   * writes attributes it does not index: metadata in the {@code default} namespace.
   */
  private static void applicationAttributes(JsonWriter json, ManualData manual) {
    AttributesBuilder builder = Attributes.builder();
    manual.addAttributesTo(builder);
    json.name("default").beginObject();
    builder
        .build()
        .forEach(
            new java.util.function.BiConsumer<AttributeKey<?>, Object>() {
              @Override
              public void accept(AttributeKey<?> key, Object value) {
                json.name(key.getKey());
                if (value instanceof List) {
                  json.beginArray();
                  for (Object item : (List<?>) value) {
                    jsonValue(json, item);
                  }
                  json.endArray();
                } else {
                  jsonValue(json, value);
                }
              }
            });
    json.endObject();
  }

  private static void jsonValue(JsonWriter json, Object value) {
    if (value instanceof Long) {
      json.value((long) (Long) value);
    } else if (value instanceof Double) {
      json.value((double) (Double) value);
    } else if (value instanceof Boolean) {
      json.value((boolean) (Boolean) value);
    } else {
      json.value(String.valueOf(value));
    }
  }

  private static EventData exception(SpanData span) {
    List<EventData> events = span.getEvents();
    for (int i = 0; i < events.size(); i++) {
      if ("exception".equals(events.get(i).getName())) {
        return events.get(i);
      }
    }
    return null;
  }

  /** X-Ray accepts names of at most 200 characters from a restricted set. */
  static String segmentName(String name) {
    StringBuilder sb = new StringBuilder(Math.min(name.length(), 200));
    for (int i = 0; i < name.length() && sb.length() < 200; i++) {
      char c = name.charAt(i);
      sb.append(Character.isLetterOrDigit(c) || " _.:/%&#=+\\-@".indexOf(c) >= 0 ? c : '_');
    }
    return sb.length() == 0 ? "unknown" : sb.toString();
  }
}
