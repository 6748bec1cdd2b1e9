package dev.trailmark.agent.export;

import dev.trailmark.agent.trace.Span;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes spans as X-Ray segment documents: a server span is a segment (named after the service), a
 * client span an independent subsegment whose {@code parent_id} is the span it was made under.
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
  private static final ThreadLocal<StringBuilder> BUFFER = new ThreadLocal<StringBuilder>() {
    @Override
    protected StringBuilder initialValue() {
      return new StringBuilder(2048);
    }
  };

  /** The datagram for {@code span}: header line plus document, never over {@link #MAX_DATAGRAM} bytes. */
  public byte[] datagram(Span span) {
    byte[] framed = framedDatagram(span, null);
    return java.util.Arrays.copyOfRange(framed, FRAME, FRAME + length(framed));
  }

  /** Bytes before the datagram in a framed array: its length, big-endian. */
  static final int FRAME = 4;

  /**
   * The datagram for {@code span} framed as its length ({@link #FRAME} bytes) and its bytes: written
   * into {@code reuse} when it fits there (and {@code reuse} returned), else into a new array of exact
   * size. The exporter recycles its arrays this way, so a span's datagram allocates nothing in the
   * steady state.
   */
  byte[] framedDatagram(Span span, byte[] reuse) {
    StringBuilder sb = BUFFER.get();
    sb.setLength(0);
    write(sb.append(HEADER), span, true);
    byte[] utf8 = isAscii(sb) ? null : sb.toString().getBytes(StandardCharsets.UTF_8);
    if ((utf8 == null ? sb.length() : utf8.length) > MAX_DATAGRAM) {
      // Only metadata is unbounded in count; without it a document is a few KB at most.
      sb.setLength(0);
      write(sb.append(HEADER), span, false);
      utf8 = isAscii(sb) ? null : sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    int length = utf8 == null ? sb.length() : utf8.length;
    byte[] out = reuse != null && reuse.length >= FRAME + length ? reuse : new byte[FRAME + length];
    out[0] = (byte) (length >>> 24);
    out[1] = (byte) (length >>> 16);
    out[2] = (byte) (length >>> 8);
    out[3] = (byte) length;
    if (utf8 != null) {
      System.arraycopy(utf8, 0, out, FRAME, length);
    } else {
      for (int i = 0; i < length; i++) {
        out[FRAME + i] = (byte) sb.charAt(i); // ASCII, as documents almost always are: one copy
      }
    }
    if (sb.capacity() > 16 * 1024) {
      BUFFER.remove(); // one huge span does not pin a huge buffer
    }
    return out;
  }

  /** The length of the datagram in an array from {@link #framedDatagram}. */
  static int length(byte[] framed) {
    return ((framed[0] & 0xff) << 24) | ((framed[1] & 0xff) << 16) | ((framed[2] & 0xff) << 8) | (framed[3] & 0xff);
  }

  private static boolean isAscii(StringBuilder sb) {
    for (int i = 0; i < sb.length(); i++) {
      if (sb.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** The segment or subsegment document of {@code span}. */
  public String document(Span span, boolean withMetadata) {
    StringBuilder sb = new StringBuilder(512);
    write(sb, span, withMetadata);
    return sb.toString();
  }

  private void write(StringBuilder sb, Span span, boolean withMetadata) {
    JsonWriter json = new JsonWriter(sb).beginObject();
    boolean segment = span.kind() == Span.Kind.SERVER;
    if (!segment) {
      json.name("type").value("subsegment");
    }
    json.name("name").value(segment ? segmentName : subsegmentName(span));
    json.name("id").value(span.context().spanId());
    json.name("trace_id").value(span.context().xrayTraceId());
    json.field("parent_id", span.parentSpanId());
    json.name("start_time").epochSeconds(span.startEpochNanos());
    json.name("end_time").epochSeconds(span.endEpochNanos());
    if (!segment) {
      json.name("namespace").value(span.awsService() != null ? "aws" : "remote");
    }
    if (span.method() != null || span.url() != null) {
      json.name("http").beginObject().name("request").beginObject();
      json.field("method", span.method());
      json.field("url", span.url());
      json.endObject();
      if (span.status() > 0) {
        json.name("response").beginObject().name("status").value(span.status()).endObject();
      }
      json.endObject();
    }
    if (span.isFault()) {
      json.name("fault").value(true);
    } else if (span.isClientError()) {
      json.name("error").value(true);
      if (span.status() == 429) {
        json.name("throttle").value(true);
      }
    }
    if (span.error() != null) {
      Throwable t = span.error();
      json.name("cause").beginObject().name("exceptions").beginArray().beginObject()
          .name("id").value(span.context().spanId())
          .field("message", t.getMessage())
          .name("type").value(t.getClass().getName())
          .endObject().endArray().endObject();
    }
    if (segment) {
      json.name("aws").beginObject().name("xray").beginObject()
          .name("sdk").value("Trailmark Java agent").name("sdk_version").value(agentVersion)
          .endObject().endObject();
      if (span.route() != null) {
        json.name("annotations").beginObject().name("http_route").value(span.route()).endObject();
      }
      if (withMetadata && !resource.isEmpty()) {
        json.name("metadata").beginObject().name("resource").beginObject();
        for (Map.Entry<String, String> attribute : resource.entrySet()) {
          json.name(attribute.getKey()).value(attribute.getValue());
        }
        json.endObject().endObject();
      }
    } else if (span.awsService() != null) {
      json.name("aws").beginObject()
          .field("operation", span.awsOperation())
          .field("region", span.awsRegion())
          .field("SQS".equals(span.awsService()) ? "queue_url" : "resource", span.awsResource())
          .endObject();
    }
    sb.append('}');
  }

  private static String subsegmentName(Span span) {
    return span.awsService() != null ? span.awsService() : segmentName(span.host());
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
