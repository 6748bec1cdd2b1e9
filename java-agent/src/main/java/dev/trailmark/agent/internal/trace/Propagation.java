package dev.trailmark.agent.internal.trace;

import java.util.List;

/**
 * Reads and writes {@code X-Amzn-Trace-Id} and W3C {@code traceparent}/{@code tracestate}. Anything
 * malformed is treated as absent: the request starts a new trace and the bad value never travels
 * on.
 */
public final class Propagation {

  /** X-Ray's header. */
  public static final String XRAY = "X-Amzn-Trace-Id";

  /** W3C trace context headers. */
  public static final String TRACEPARENT = "traceparent";

  public static final String TRACESTATE = "tracestate";

  /** Longest X-Amzn-Trace-Id accepted (X-Ray's own limit). */
  static final int MAX_XRAY_LENGTH = 256;

  static final int MAX_TRACESTATE_LENGTH = 512;

  private final boolean xray;
  private final boolean w3c;
  private final boolean xrayFirst;

  /**
   * Uses the propagators named as by {@code OTEL_PROPAGATORS} ({@code xray}, {@code tracecontext}).
   */
  public Propagation(List<String> propagators) {
    this.xray = propagators.contains("xray") || propagators.contains("xray-lambda");
    this.w3c = propagators.contains("tracecontext");
    int x = propagators.indexOf("xray");
    int t = propagators.indexOf("tracecontext");
    this.xrayFirst = x >= 0 && (t < 0 || x < t);
  }

  /** The remote parent carried by the headers, or null when none is valid. */
  public SpanContext extract(String xrayHeader, String traceparent, String tracestate) {
    SpanContext fromXray = xray ? parseXray(xrayHeader) : null;
    if (fromXray != null
        && xrayFirst
        && fromXray.spanId() != null
        && fromXray.sampled() != SpanContext.SAMPLED_UNKNOWN
        && tracestate == null) {
      // X-Ray wins and is complete: a traceparent could add only its tracestate, and there is none,
      // so
      // whether it is valid, and of the same trace, cannot change the result (the usual hop between
      // two
      // services that both write both headers; the W3C header is then not parsed at all).
      return fromXray;
    }
    SpanContext fromW3c = w3c ? parseTraceparent(traceparent, tracestate) : null;
    if (fromXray != null && fromW3c != null) {
      SpanContext first = xrayFirst ? fromXray : fromW3c;
      // Same trace through both headers: keep what each adds (X-Ray's lineage, W3C's tracestate).
      if (fromXray.traceId().equals(fromW3c.traceId())) {
        return new SpanContext(
            first.traceId(),
            first.spanId() != null ? first.spanId() : (xrayFirst ? fromW3c : fromXray).spanId(),
            first.sampled() != SpanContext.SAMPLED_UNKNOWN
                ? first.sampled()
                : (xrayFirst ? fromW3c : fromXray).sampled(),
            fromXray.lineage(),
            fromW3c.traceState(),
            true,
            fromXray.xrayTraceId());
      }
      return first;
    }
    return fromXray != null ? fromXray : fromW3c;
  }

  /** Writes the headers for a call made by {@code span}'s context, as name, value pairs. */
  public String[] inject(SpanContext context) {
    String sampled = context.isSampled() ? "1" : "0";
    String[] out = new String[(xray ? 2 : 0) + (w3c ? (context.traceState() != null ? 4 : 2) : 0)];
    int i = 0;
    if (xray) {
      StringBuilder value =
          new StringBuilder(96)
              .append("Root=")
              .append(context.xrayTraceId())
              .append(";Parent=")
              .append(context.spanId())
              .append(";Sampled=")
              .append(sampled);
      if (context.lineage() != null) {
        value.append(";Lineage=").append(context.lineage());
      }
      out[i++] = XRAY;
      out[i++] = value.toString();
    }
    if (w3c) {
      out[i++] = TRACEPARENT;
      out[i++] = traceparent(context);
      if (context.traceState() != null) {
        out[i++] = TRACESTATE;
        out[i] = context.traceState();
      }
    }
    return out;
  }

  /**
   * {@code 00-<trace id>-<span id>-0[01]}, built in one exact-size array (this runs on every
   * outbound call).
   */
  static String traceparent(SpanContext context) {
    char[] out = new char[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    context.traceId().getChars(0, 32, out, 3);
    out[35] = '-';
    context.spanId().getChars(0, 16, out, 36);
    out[52] = '-';
    out[53] = '0';
    out[54] = context.isSampled() ? '1' : '0';
    return new String(out);
  }

  /** The {@code X-Amzn-Trace-Id} value for a context (SQS AWSTraceHeader, Lambda). */
  public static String xrayHeader(SpanContext context) {
    StringBuilder value = new StringBuilder(96).append("Root=").append(context.xrayTraceId());
    if (context.spanId() != null) {
      value.append(";Parent=").append(context.spanId());
    }
    value.append(";Sampled=").append(context.isSampled() ? '1' : '0');
    if (context.lineage() != null) {
      value.append(";Lineage=").append(context.lineage());
    }
    return value.toString();
  }

  /**
   * Parses {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}; Root
   * is required, Parent and Sampled optional (an ALB sends Root only, or {@code Sampled=?}).
   */
  public static SpanContext parseXray(String header) {
    if (header == null || header.isEmpty() || header.length() > MAX_XRAY_LENGTH) {
      return null;
    }
    // One pass over "k=v;k=v": substrings only for the values kept (this runs on every request).
    String traceId = null;
    String root = null;
    String parent = null;
    int decision = SpanContext.SAMPLED_UNKNOWN;
    boolean sampledSeen = false;
    String lineage = null;
    int length = header.length();
    int at = 0;
    while (at < length) {
      int end = header.indexOf(';', at);
      if (end < 0) {
        end = length;
      }
      int keyStart = skipSpaces(header, at, end);
      int eq = header.indexOf('=', keyStart);
      if (keyStart == end) {
        at = end + 1;
        continue;
      }
      if (eq < 0 || eq >= end || eq == keyStart) {
        return null;
      }
      int keyEnd = eq;
      while (keyEnd > keyStart && header.charAt(keyEnd - 1) == ' ') {
        keyEnd--;
      }
      int valueStart = skipSpaces(header, eq + 1, end);
      int valueEnd = end;
      while (valueEnd > valueStart && header.charAt(valueEnd - 1) == ' ') {
        valueEnd--;
      }
      int keyLength = keyEnd - keyStart;
      if (keyLength == 4 && header.startsWith("Root", keyStart)) {
        if (traceId != null
            || valueEnd - valueStart != 35
            || !header.startsWith("1-", valueStart)
            || header.charAt(valueStart + 10) != '-') {
          return null;
        }
        traceId =
            new StringBuilder(32)
                .append(header, valueStart + 2, valueStart + 10)
                .append(header, valueStart + 11, valueEnd)
                .toString(); // one copy, not two substrings and a concat
        if (!Ids.isLowerHex(traceId, 32)) {
          return null;
        }
        root =
            header.substring(valueStart, valueEnd); // already the X-Ray form every span of it needs
      } else if (keyLength == 6 && header.startsWith("Parent", keyStart)) {
        if (parent != null || valueEnd - valueStart != 16) {
          return null;
        }
        parent = header.substring(valueStart, valueEnd);
        if (!Ids.isLowerHex(parent, 16)) {
          return null;
        }
      } else if (keyLength == 7 && header.startsWith("Sampled", keyStart)) {
        if (sampledSeen || valueEnd - valueStart != 1) {
          return null;
        }
        sampledSeen = true;
        char c = header.charAt(valueStart);
        if (c == '1') {
          decision = 1;
        } else if (c == '0') {
          decision = 0;
        } else if (c != '?') {
          return null;
        }
      } else if (keyLength == 7 && header.startsWith("Lineage", keyStart)) {
        String value = header.substring(valueStart, valueEnd);
        if (lineage != null || !validLineage(value)) {
          return null;
        }
        lineage = value;
      }
      // Self= (added by ALBs) and other fields belong to the hop that wrote them: dropped.
      at = end + 1;
    }
    return traceId == null
        ? null
        : new SpanContext(traceId, parent, decision, lineage, null, true, root);
  }

  private static int skipSpaces(String s, int from, int to) {
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    return from;
  }

  private static boolean validLineage(String value) {
    // X-Ray lineage: "<counter>:<8 hex hash>:<counter>" entries; accept its character set, bounded.
    if (value.isEmpty() || value.length() > 200) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == ':' || c == '|' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Parses a version-00 {@code traceparent}; any other version, case or length is malformed. */
  public static SpanContext parseTraceparent(String traceparent, String tracestate) {
    if (traceparent == null || traceparent.length() != 55) {
      return null;
    }
    if (!traceparent.startsWith("00-")
        || traceparent.charAt(35) != '-'
        || traceparent.charAt(52) != '-') {
      return null;
    }
    // Validated in place: the id strings are cut only once the whole header is known to be good.
    if (!Ids.isLowerHex(traceparent, 3, 32)
        || !Ids.isLowerHex(traceparent, 36, 16)
        || hexDigit(traceparent.charAt(53)) < 0
        || hexDigit(traceparent.charAt(54)) < 0) {
      return null;
    }
    int sampled = hexDigit(traceparent.charAt(54)) & 1;
    return new SpanContext(
        traceparent.substring(3, 35),
        traceparent.substring(36, 52),
        sampled,
        null,
        validTraceState(tracestate),
        true);
  }

  /** The value of a lower-case hex digit, or -1. */
  private static int hexDigit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
  }

  private static String validTraceState(String tracestate) {
    if (tracestate == null) {
      return null;
    }
    String value = tracestate.trim();
    if (value.isEmpty() || value.length() > MAX_TRACESTATE_LENGTH) {
      return null;
    }
    for (String member : value.split(",")) {
      String m = member.trim();
      int eq = m.indexOf('=');
      if (m.isEmpty()) {
        continue;
      }
      if (eq <= 0 || eq == m.length() - 1) {
        return null;
      }
      for (int i = 0; i < m.length(); i++) {
        char c = m.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          return null;
        }
      }
    }
    return value;
  }
}
