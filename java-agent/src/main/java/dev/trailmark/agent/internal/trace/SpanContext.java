package dev.trailmark.agent.internal.trace;

/**
 * The part of a span that crosses process boundaries: ids, the sampling decision and what the X-Ray
 * and W3C headers carry beside them. Immutable.
 */
public final class SpanContext {

  /** Sampling decision still open ({@code Sampled=?} or absent). */
  public static final int SAMPLED_UNKNOWN = -1;

  private final String traceId; // 32 lower-case hex; X-Ray time-prefixed when started here
  private final String spanId; // 16 lower-case hex, or null for a Root-only header
  private final int sampled; // 1, 0 or SAMPLED_UNKNOWN
  private final String lineage; // X-Ray Lineage value, kept verbatim once validated
  private final String traceState; // W3C tracestate, kept verbatim once validated
  private final boolean remote;
  private String xrayTraceId;

  SpanContext(
      String traceId,
      String spanId,
      int sampled,
      String lineage,
      String traceState,
      boolean remote) {
    this(traceId, spanId, sampled, lineage, traceState, remote, null);
  }

  /**
   * @param xrayTraceId {@link #xrayTraceId()} when already known (a parent's, or the header's
   *     Root): every span of a trace shares one string instead of building its own
   */
  SpanContext(
      String traceId,
      String spanId,
      int sampled,
      String lineage,
      String traceState,
      boolean remote,
      String xrayTraceId) {
    this.xrayTraceId = xrayTraceId;
    this.traceId = traceId;
    this.spanId = spanId;
    this.sampled = sampled;
    this.lineage = lineage;
    this.traceState = traceState;
    this.remote = remote;
  }

  public String traceId() {
    return traceId;
  }

  public String spanId() {
    return spanId;
  }

  public int sampled() {
    return sampled;
  }

  public boolean isSampled() {
    return sampled == 1;
  }

  public String lineage() {
    return lineage;
  }

  public String traceState() {
    return traceState;
  }

  public boolean isRemote() {
    return remote;
  }

  /** The X-Ray form of the trace id: {@code 1-<8 hex epoch seconds>-<24 hex>}. */
  public String xrayTraceId() {
    String id = xrayTraceId;
    if (id == null) {
      id = xrayTraceId(traceId);
      xrayTraceId = id; // a benign race: every thread computes the same string
    }
    return id;
  }

  /** The X-Ray form of a 32-hex-digit trace id. */
  public static String xrayTraceId(String traceId) {
    char[] out = new char[35];
    out[0] = '1';
    out[1] = '-';
    traceId.getChars(0, 8, out, 2);
    out[10] = '-';
    traceId.getChars(8, 32, out, 11);
    return new String(out);
  }

  @Override
  public String toString() {
    return "SpanContext{" + traceId + "/" + spanId + " sampled=" + sampled + "}";
  }
}
