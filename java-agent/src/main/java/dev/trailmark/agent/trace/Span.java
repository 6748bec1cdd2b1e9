package dev.trailmark.agent.trace;

import java.util.Map;

/**
 * One timed operation: an inbound request (server), an outbound call (client) or an AWS call. Mutated
 * only by the thread that owns it until {@link Tracer#end}; read by exporters after that.
 */
public final class Span {

  /** What side of a call a span is. */
  public enum Kind {
    SERVER,
    CLIENT
  }

  private final SpanContext context;
  private final String parentSpanId;
  private final boolean parentRemote;
  private final Kind kind;
  private final Span localParent;
  private final Object carrier;
  private final long startEpochNanos;
  private final long startNanoTime;
  private long endEpochNanos;
  private String method;
  private String url;
  private String route;
  private int status;
  private Throwable error;
  private String awsService;
  private String awsOperation;
  private String awsRegion;
  private String awsResource;
  private Map<String, String> logFields;

  Span(
      SpanContext context,
      String parentSpanId,
      boolean parentRemote,
      Kind kind,
      Span localParent,
      Object carrier,
      long startEpochNanos,
      long startNanoTime) {
    this.context = context;
    this.parentSpanId = parentSpanId;
    this.parentRemote = parentRemote;
    this.kind = kind;
    this.localParent = localParent;
    this.carrier = carrier;
    this.startEpochNanos = startEpochNanos;
    this.startNanoTime = startNanoTime;
  }

  public SpanContext context() {
    return context;
  }

  /** The parent span's id, or null for the first span of a trace (or under a Root-only header). */
  public String parentSpanId() {
    return parentSpanId;
  }

  public boolean parentRemote() {
    return parentRemote;
  }

  public Kind kind() {
    return kind;
  }

  /** The span that was current when this one started in this process, or null. */
  public Span localParent() {
    return localParent;
  }

  /** The request object this span was started for (nested instrumentation of one request is skipped). */
  public Object carrier() {
    return carrier;
  }

  public long startEpochNanos() {
    return startEpochNanos;
  }

  long startNanoTime() {
    return startNanoTime;
  }

  public long endEpochNanos() {
    return endEpochNanos;
  }

  void end(long nanoTime) {
    this.endEpochNanos = startEpochNanos + (nanoTime - startNanoTime);
  }

  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  public String method() {
    return method;
  }

  public String url() {
    return url;
  }

  /** The route template ({@code /orders/{id}}), or null when the framework does not know one. */
  public String route() {
    return route;
  }

  public int status() {
    return status;
  }

  public Throwable error() {
    return error;
  }

  public String awsService() {
    return awsService;
  }

  public String awsOperation() {
    return awsOperation;
  }

  public String awsRegion() {
    return awsRegion;
  }

  public String awsResource() {
    return awsResource;
  }

  void http(String method, String url) {
    this.method = method;
    this.url = url;
  }

  void route(String route) {
    this.route = route;
  }

  void result(int status, Throwable error) {
    this.status = status;
    this.error = error;
  }

  void aws(String service, String operation, String region, String resource) {
    this.awsService = service;
    this.awsOperation = operation;
    this.awsRegion = region;
    this.awsResource = resource;
  }

  /** The OpenTelemetry-style span name: {@code GET /orders/{id}} for servers, {@code SQS.SendMessage} for AWS. */
  public String name() {
    if (awsService != null) {
      return awsService + "." + awsOperation;
    }
    String m = method == null ? "HTTP" : method;
    if (kind == Kind.SERVER) {
      return route == null ? m : m + " " + route;
    }
    return m;
  }

  /** The host of {@link #url()}, for X-Ray's remote subsegment name. */
  public String host() {
    if (url == null) {
      return "unknown";
    }
    int start = url.indexOf("://");
    start = start < 0 ? 0 : start + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    return url.substring(start, end);
  }

  /** Whether the outcome was a server fault (5xx or an exception). */
  public boolean isFault() {
    return status >= 500 || (error != null && status < 400);
  }

  /** Whether the outcome was a client error (4xx). */
  public boolean isClientError() {
    return status >= 400 && status < 500;
  }

  /** The MDC fields of log events made under this span; computed once, shared by all of them. */
  public Map<String, String> logFields() {
    Map<String, String> fields = logFields;
    if (fields == null) {
      fields = Map.of(
          "trace_id", context.traceId(),
          "span_id", context.spanId(),
          "trace_flags", context.isSampled() ? "01" : "00",
          "AWS-XRAY-TRACE-ID", new StringBuilder(52).append(context.xrayTraceId()).append('@')
              .append(context.spanId()).toString());
      logFields = fields; // a benign race: every thread computes the same map
    }
    return fields;
  }
}
