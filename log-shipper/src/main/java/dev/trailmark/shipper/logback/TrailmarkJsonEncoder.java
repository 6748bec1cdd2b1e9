package dev.trailmark.shipper.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.trailmark.shipper.internal.json.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * Logback encoder writing each event as one line of JSON in Trailmark's log schema (OpenSearch
 * SS4O), or with Elastic Common Schema names when {@code format} is {@code ecs}.
 *
 * <p>Each event gets a stable id ({@code attributes.log.record.uid}, ECS {@code event.id}) so that
 * a copy delivered twice after a crash can be dropped downstream.
 */
public class TrailmarkJsonEncoder extends EncoderBase<ILoggingEvent> {
  /**
   * MDC keys the Trailmark agent sets; the ids become top-level {@code traceId} / {@code spanId}.
   */
  static final String MDC_TRACE_ID = "trace_id";

  static final String MDC_SPAN_ID = "span_id";

  private static final byte[] NL = {'\n'};
  private static final int MAX_DEPTH_CAUSES = 32;

  private String serviceName;
  private String format = "ss4o";
  private boolean includeMdc = true;
  private boolean includeKeyValues = true;
  private boolean includeMarkers = true;
  private boolean includeThreadName = true;
  private int maxStackTraceChars = 32 * 1024;

  private boolean ecs;
  private byte[] resourceJson; // pre-encoded once at start: never recomputed per event
  private byte[] uidPrefix; // "<random hex>-" unique per encoder instance and JVM run
  private final AtomicLong sequence = new AtomicLong();
  private final ThreadLocal<JsonWriter> writers =
      ThreadLocal.withInitial(() -> new JsonWriter(1024));
  private final IsoTimestamps timestamps = new IsoTimestamps();

  @Override
  public void start() {
    ecs = "ecs".equalsIgnoreCase(format);
    if (!ecs && !"ss4o".equalsIgnoreCase(format)) {
      addError("Unknown format '" + format + "': use ss4o or ecs; writing ss4o");
    }
    Resource resource = Resource.detect(serviceName);
    JsonWriter w = new JsonWriter(256);
    if (ecs) {
      w.beginObject();
      resource.writeFlatMembers(w);
      w.endObject();
      // keep the members only, without the braces, to splice them into the top-level object
      byte[] all = w.toByteArray();
      resourceJson =
          all.length > 2 ? java.util.Arrays.copyOfRange(all, 1, all.length - 1) : new byte[0];
    } else {
      resource.writeNested(w);
      resourceJson = w.toByteArray();
    }
    uidPrefix =
        (Long.toHexString(System.currentTimeMillis())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000)
                + "-")
            .getBytes(StandardCharsets.US_ASCII);
    super.start();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  /** Encodes one event as a JSON line (with the trailing newline). */
  @Override
  public byte[] encode(ILoggingEvent event) {
    JsonWriter w = writer();
    write(event, w);
    w.writeBytes(NL, 0, 1);
    return w.toByteArray();
  }

  /** Above this a thread's writer is not kept: one huge event must not pin megabytes per thread. */
  static final int MAX_RETAINED_BYTES = 256 * 1024;

  /** The calling thread's reusable writer, reset. */
  JsonWriter writer() {
    JsonWriter w = writers.get();
    if (w.buffer().length > MAX_RETAINED_BYTES) {
      w = new JsonWriter(1024);
      writers.set(w);
    }
    return w.reset();
  }

  /** Writes the event's JSON object, without newline, into {@code w}. */
  void write(ILoggingEvent event, JsonWriter w) {
    if (ecs) {
      writeEcs(event, w);
    } else {
      writeSs4o(event, w);
    }
  }

  private static final byte[] N_TIMESTAMP = JsonWriter.quotedName("@timestamp");
  private static final byte[] N_OBSERVED = JsonWriter.quotedName("observedTimestamp");
  private static final byte[] N_TRACE_ID = JsonWriter.quotedName("traceId");
  private static final byte[] N_SPAN_ID = JsonWriter.quotedName("spanId");
  private static final byte[] N_SEVERITY = JsonWriter.quotedName("severity");
  private static final byte[] N_TEXT = JsonWriter.quotedName("text");
  private static final byte[] N_NUMBER = JsonWriter.quotedName("number");
  private static final byte[] N_BODY = JsonWriter.quotedName("body");
  private static final byte[] N_SCOPE = JsonWriter.quotedName("instrumentationScope");
  private static final byte[] N_NAME = JsonWriter.quotedName("name");
  private static final byte[] N_ATTRIBUTES = JsonWriter.quotedName("attributes");
  private static final byte[] N_RESOURCE = JsonWriter.quotedName("resource");
  private static final byte[] N_UID = JsonWriter.quotedName("log.record.uid");
  private static final byte[] N_THREAD = JsonWriter.quotedName("thread.name");
  private static final byte[] N_MARKERS = JsonWriter.quotedName("log.markers");
  private static final byte[] N_EXCEPTION = JsonWriter.quotedName("exception");
  private static final byte[] N_TYPE = JsonWriter.quotedName("type");
  private static final byte[] N_MESSAGE = JsonWriter.quotedName("message");
  private static final byte[] N_STACKTRACE = JsonWriter.quotedName("stacktrace");

  private void writeSs4o(ILoggingEvent e, JsonWriter w) {
    Map<String, String> mdc = includeMdc ? e.getMDCPropertyMap() : Map.of();
    w.beginObject();
    long time = e.getTimeStamp();
    w.rawName(N_TIMESTAMP);
    int at = w.size();
    timestamps.writeQuoted(w, time);
    int stamp = w.size() - at;
    w.rawName(N_OBSERVED);
    long observed = System.currentTimeMillis();
    if (observed == time) {
      w.rawValue(
          w.buffer(), at, stamp); // usually the same millisecond: copy rather than format again
    } else {
      timestamps.writeQuoted(w, observed);
    }
    String traceId = mdc.get(MDC_TRACE_ID);
    if (traceId != null) {
      w.rawName(N_TRACE_ID).value(traceId);
    }
    String spanId = mdc.get(MDC_SPAN_ID);
    if (spanId != null) {
      w.rawName(N_SPAN_ID).value(spanId);
    }
    w.rawName(N_SEVERITY).beginObject();
    w.rawName(N_TEXT).value(e.getLevel().levelStr);
    w.rawName(N_NUMBER).value(severityNumber(e.getLevel()));
    w.endObject();
    w.rawName(N_BODY);
    FormattedMessages.write(w, e);
    w.rawName(N_SCOPE).beginObject().rawName(N_NAME).value(e.getLoggerName()).endObject();

    w.rawName(N_ATTRIBUTES).beginObject();
    writeUid(w, N_UID);
    if (includeThreadName) {
      w.rawName(N_THREAD).value(e.getThreadName());
    }
    for (Map.Entry<String, String> m : mdc.entrySet()) {
      String k = m.getKey();
      if (!MDC_TRACE_ID.equals(k) && !MDC_SPAN_ID.equals(k)) {
        w.name(k).value(m.getValue());
      }
    }
    writeKeyValues(e, w);
    writeMarkers(e, w, N_MARKERS);
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      w.rawName(N_EXCEPTION).beginObject();
      w.rawName(N_TYPE).value(t.getClassName());
      w.rawName(N_MESSAGE).value(t.getMessage());
      w.rawName(N_STACKTRACE);
      writeStackTrace(w, t);
      w.endObject();
    }
    w.endObject();

    w.rawName(N_RESOURCE).rawValue(resourceJson, 0, resourceJson.length);
    w.endObject();
  }

  private static final byte[] E_LEVEL = JsonWriter.quotedName("log.level");
  private static final byte[] E_MESSAGE = JsonWriter.quotedName("message");
  private static final byte[] E_ECS_VERSION = JsonWriter.quotedName("ecs.version");
  private static final byte[] E_LOGGER = JsonWriter.quotedName("log.logger");
  private static final byte[] E_THREAD = JsonWriter.quotedName("process.thread.name");
  private static final byte[] E_TRACE = JsonWriter.quotedName("trace.id");
  private static final byte[] E_SPAN = JsonWriter.quotedName("span.id");
  private static final byte[] E_EVENT_ID = JsonWriter.quotedName("event.id");
  private static final byte[] E_TAGS = JsonWriter.quotedName("tags");
  private static final byte[] E_ERROR_TYPE = JsonWriter.quotedName("error.type");
  private static final byte[] E_ERROR_MESSAGE = JsonWriter.quotedName("error.message");
  private static final byte[] E_ERROR_STACK = JsonWriter.quotedName("error.stack_trace");

  private void writeEcs(ILoggingEvent e, JsonWriter w) {
    Map<String, String> mdc = includeMdc ? e.getMDCPropertyMap() : Map.of();
    w.beginObject();
    w.rawName(N_TIMESTAMP);
    timestamps.writeQuoted(w, e.getTimeStamp());
    w.rawName(E_LEVEL).value(e.getLevel().levelStr);
    w.rawName(E_MESSAGE);
    FormattedMessages.write(w, e);
    w.rawName(E_ECS_VERSION).value("1.2.0");
    w.rawName(E_LOGGER).value(e.getLoggerName());
    if (includeThreadName) {
      w.rawName(E_THREAD).value(e.getThreadName());
    }
    writeUid(w, E_EVENT_ID);
    for (Map.Entry<String, String> m : mdc.entrySet()) {
      String k = m.getKey();
      if (MDC_TRACE_ID.equals(k)) {
        w.rawName(E_TRACE).value(m.getValue());
      } else if (MDC_SPAN_ID.equals(k)) {
        w.rawName(E_SPAN).value(m.getValue());
      } else {
        w.name(k).value(m.getValue());
      }
    }
    writeKeyValues(e, w);
    writeMarkers(e, w, E_TAGS);
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      w.rawName(E_ERROR_TYPE).value(t.getClassName());
      w.rawName(E_ERROR_MESSAGE).value(t.getMessage());
      w.rawName(E_ERROR_STACK);
      writeStackTrace(w, t);
    }
    if (resourceJson.length > 0) {
      w.writeByte(',');
      w.writeBytes(resourceJson, 0, resourceJson.length);
    }
    w.endObject();
  }

  private void writeUid(JsonWriter w, byte[] name) {
    w.rawName(name).beginString();
    w.writeBytes(uidPrefix, 0, uidPrefix.length);
    w.writeLong(sequence.incrementAndGet());
    w.endString();
  }

  private void writeKeyValues(ILoggingEvent e, JsonWriter w) {
    if (!includeKeyValues) {
      return;
    }
    List<KeyValuePair> kvs = e.getKeyValuePairs();
    if (kvs == null) {
      return;
    }
    for (int i = 0, n = kvs.size(); i < n; i++) {
      KeyValuePair kv = kvs.get(i);
      if (kv.key != null) {
        w.name(kv.key).value(kv.value);
      }
    }
  }

  private void writeMarkers(ILoggingEvent e, JsonWriter w, byte[] name) {
    if (!includeMarkers) {
      return;
    }
    List<Marker> markers = e.getMarkerList();
    if (markers == null || markers.isEmpty()) {
      return;
    }
    w.rawName(name).beginArray();
    for (int i = 0, n = markers.size(); i < n; i++) {
      w.value(markers.get(i).getName());
    }
    w.endArray();
  }

  /**
   * Writes the trace as a JSON string in the familiar printStackTrace layout, capped in characters.
   */
  private void writeStackTrace(JsonWriter w, IThrowableProxy t) {
    w.beginString();
    StackBudget budget = new StackBudget(maxStackTraceChars);
    writeThrowable(w, t, "", "", budget, 0);
    if (budget.exhausted) {
      String marker = "\n\t... [stack trace truncated by Trailmark]";
      w.writeEscaped(marker, 0, marker.length());
    }
    w.endString();
  }

  private static final class StackBudget {
    int left;
    boolean exhausted;

    StackBudget(int left) {
      this.left = left;
    }

    boolean take(CharSequence s, JsonWriter w) {
      if (exhausted) {
        return false;
      }
      if (s.length() > left) {
        exhausted = true;
        return false;
      }
      left -= s.length();
      w.writeEscaped(s, 0, s.length());
      return true;
    }
  }

  private void writeThrowable(
      JsonWriter w, IThrowableProxy t, String caption, String indent, StackBudget b, int depth) {
    if (depth > MAX_DEPTH_CAUSES) {
      return;
    }
    b.take(indent, w);
    b.take(caption, w);
    b.take(t.getClassName(), w);
    if (t.getMessage() != null) {
      b.take(": ", w);
      b.take(t.getMessage(), w);
    }
    StackTraceElementProxy[] frames = t.getStackTraceElementProxyArray();
    int common = t.getCommonFrames();
    for (int i = 0; i < frames.length; i++) {
      b.take(CoreConstants.LINE_SEPARATOR, w);
      b.take(indent, w);
      b.take("\t", w);
      if (!b.take(frames[i].getSTEAsString(), w)) {
        break;
      }
    }
    if (common > 0) {
      b.take(CoreConstants.LINE_SEPARATOR, w);
      b.take(indent, w);
      b.take("\t... " + common + " common frames omitted", w);
    }
    IThrowableProxy[] suppressed = t.getSuppressed();
    if (suppressed != null) {
      for (IThrowableProxy s : suppressed) {
        b.take(CoreConstants.LINE_SEPARATOR, w);
        writeThrowable(w, s, "Suppressed: ", indent + "\t", b, depth + 1);
      }
    }
    IThrowableProxy cause = t.getCause();
    if (cause != null) {
      b.take(CoreConstants.LINE_SEPARATOR, w);
      writeThrowable(w, cause, "Caused by: ", indent, b, depth + 1);
    }
  }

  static int severityNumber(Level level) {
    switch (level.levelInt) {
      case Level.TRACE_INT:
        return 1;
      case Level.DEBUG_INT:
        return 5;
      case Level.INFO_INT:
        return 9;
      case Level.WARN_INT:
        return 13;
      case Level.ERROR_INT:
        return 17;
      default:
        return 0;
    }
  }

  /** Service name written as {@code resource.service.name}; default {@code OTEL_SERVICE_NAME}. */
  public void setServiceName(String serviceName) {
    this.serviceName = serviceName;
  }

  /** {@code ss4o} (default) or {@code ecs}. */
  public void setFormat(String format) {
    this.format = format;
  }

  /** Whether to write MDC entries as attributes (default true). */
  public void setIncludeMdc(boolean includeMdc) {
    this.includeMdc = includeMdc;
  }

  /** Whether to write SLF4J 2 key-value pairs as attributes (default true). */
  public void setIncludeKeyValues(boolean includeKeyValues) {
    this.includeKeyValues = includeKeyValues;
  }

  /** Whether to write marker names (default true). */
  public void setIncludeMarkers(boolean includeMarkers) {
    this.includeMarkers = includeMarkers;
  }

  /** Whether to write the thread name (default true). */
  public void setIncludeThreadName(boolean includeThreadName) {
    this.includeThreadName = includeThreadName;
  }

  /**
   * Cap on the characters of one stack trace (default 32768); longer ones end with a visible
   * marker.
   */
  public void setMaxStackTraceChars(int maxStackTraceChars) {
    this.maxStackTraceChars = maxStackTraceChars;
  }
}
