package dev.trailmark.agent;

import dev.trailmark.agent.bootstrap.Hooks;
import dev.trailmark.agent.probe.LogbackProbe;
import dev.trailmark.agent.probe.Probe;
import dev.trailmark.agent.trace.Propagation;
import dev.trailmark.agent.trace.Span;
import dev.trailmark.agent.trace.SpanContext;
import dev.trailmark.agent.trace.Tracer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's side of the bridge: turns calls from instrumented code into spans, headers and log
 * fields.
 */
public final class HooksImpl extends Hooks {

  /** Set on threads whose work must not be traced (the exporters' own HTTP calls). */
  static final ThreadLocal<Boolean> SUPPRESSED = new ThreadLocal<>();

  private final Tracer tracer;
  private final Propagation propagation;

  private final Probe[] probes;

  HooksImpl(Tracer tracer, Propagation propagation, List<Probe> probes) {
    this.tracer = tracer;
    this.propagation = propagation;
    this.probes = probes.toArray(new Probe[0]);
  }

  /**
   * The hook woven into the rules of {@code probes.get(i)} is {@code i * 16 + tag}, tag telling its
   * methods apart.
   */
  @Override
  public Object enter(int hook, Object self, Object[] args) {
    return probes[hook >> 4].enter(this, hook & 15, self, args);
  }

  @Override
  public Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
    return probes[hook >> 4].exit(this, hook & 15, scope, self, result, thrown);
  }

  @Override
  public void logEvent(Object event) {
    Span current = Tracer.current();
    if (current != null) {
      LogbackProbe.addTraceFields(event, current.logFields());
    }
  }

  /** What a start hook returns: the span and the span that was current before it. */
  public static final class Scope {
    final Span span;
    final Span previous;

    Scope(Span span, Span previous) {
      this.span = span;
      this.previous = previous;
    }

    private Object response;

    /** The response object of a server span, for probes that read its status at the end. */
    public Object response() {
      return response;
    }

    public void response(Object response) {
      this.response = response;
    }

    /** The request object the span was started for. */
    public Object carrier() {
      return span.carrier();
    }
  }

  public Object serverStart(
      Object carrier,
      String method,
      String url,
      String route,
      String xray,
      String traceparent,
      String tracestate) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    SpanContext parent = propagation.extract(xray, traceparent, tracestate);
    Span span = tracer.startServer(carrier, parent, method, url, route);
    return span == null ? null : new Scope(span, Tracer.makeCurrent(span));
  }

  /** Whether a server span is current on this thread (a nested dispatch of the same request). */
  public boolean inServerSpan() {
    for (Span s = Tracer.current(); s != null; s = s.localParent()) {
      if (s.kind() == Span.Kind.SERVER) {
        return true;
      }
    }
    return false;
  }

  /** Sets the route template of the server span of {@code scope}, when one is known. */
  public void setRoute(Object scope, String route) {
    if (scope instanceof Scope && route != null) {
      Tracer.route(((Scope) scope).span, route);
    }
  }

  public void serverRoute(String route) {
    Span current = Tracer.current();
    while (current != null && current.kind() != Span.Kind.SERVER) {
      current = current.localParent();
    }
    if (current != null && route != null) {
      Tracer.route(current, route);
    }
  }

  public void serverEnd(Object scope, int status, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  public Object clientStart(Object carrier, String kind, String method, String url) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    Span current = Tracer.current();
    if (current != null && current.kind() == Span.Kind.CLIENT) {
      return null; // one span per outbound call: the AWS SDK's or HttpClient's inner HTTP layer is
      // not another
    }
    Span span = tracer.startClient(carrier, method, url);
    return span == null ? null : new Scope(span, Tracer.makeCurrent(span));
  }

  /**
   * Starts a client span that is not made current, for calls whose start and end are separate
   * method calls (HttpURLConnection's connect, then getInputStream); end it with {@link
   * #clientEndDetached}.
   */
  public Object clientStartDetached(Object carrier, String method, String url) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    Span current = Tracer.current();
    if (current != null && current.kind() == Span.Kind.CLIENT) {
      return null;
    }
    Span span = tracer.startClient(carrier, method, url);
    return span == null ? null : new Scope(span, null);
  }

  /** Ends a span from {@link #clientStartDetached}; the current span is left alone. */
  public void clientEndDetached(Object scope, int status, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  public String[] clientHeaders(Object scope) {
    return scope instanceof Scope ? propagation.inject(((Scope) scope).span.context()) : null;
  }

  public Object withTraceHeaders(Object scope, Object request) {
    String[] headers = clientHeaders(scope);
    if (headers == null || !(request instanceof HttpRequest)) {
      return request;
    }
    return requestWithHeaders((HttpRequest) request, headers);
  }

  /**
   * {@code request} with {@code headers} (name, value pairs) set, replacing any of the same name.
   * The client copies every request it is given into its own internal request anyway, so this is a
   * view, not a copy: rebuilding the request through {@code HttpRequest.newBuilder} validated and
   * copied every header twice more, the largest part of what adding the trace headers cost each
   * outbound call.
   */
  static HttpRequest requestWithHeaders(HttpRequest request, String[] headers) {
    return new TracedRequest(request, headers);
  }

  /**
   * The application's request as the client sees it, trace headers included; every other part is
   * the application's.
   */
  static final class TracedRequest extends HttpRequest {
    private static final java.util.function.BiPredicate<String, String> ALL =
        new java.util.function.BiPredicate<String, String>() {
          @Override
          public boolean test(String name, String value) {
            return true;
          }
        };

    private final HttpRequest request;
    private final java.net.http.HttpHeaders headers;

    TracedRequest(HttpRequest request, String[] extra) {
      this.request = request;
      Map<String, List<String>> merged = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      merged.putAll(request.headers().map());
      for (int i = 0; i < extra.length; i += 2) {
        merged.put(extra[i], List.of(extra[i + 1]));
      }
      this.headers = java.net.http.HttpHeaders.of(merged, ALL);
    }

    @Override
    public java.util.Optional<BodyPublisher> bodyPublisher() {
      return request.bodyPublisher();
    }

    @Override
    public String method() {
      return request.method();
    }

    @Override
    public java.util.Optional<java.time.Duration> timeout() {
      return request.timeout();
    }

    @Override
    public boolean expectContinue() {
      return request.expectContinue();
    }

    @Override
    public java.net.URI uri() {
      return request.uri();
    }

    @Override
    public java.util.Optional<java.net.http.HttpClient.Version> version() {
      return request.version();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return headers;
    }

    @Override
    public String toString() {
      return request.toString();
    }
  }

  public void clientEnd(Object scope, int status, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  public void clientEndWhenDone(Object scope, Object future) {
    if (!(scope instanceof Scope)) {
      return;
    }
    Scope s = (Scope) scope;
    Tracer.restore(s.previous);
    if (!(future instanceof CompletableFuture)) {
      tracer.end(s.span);
      return;
    }
    ((CompletableFuture<?>) future)
        .whenComplete(
            new java.util.function.BiConsumer<Object, Throwable>() {
              @Override
              public void accept(Object response, Throwable error) {
                int status =
                    response instanceof HttpResponse
                        ? ((HttpResponse<?>) response).statusCode()
                        : 0;
                Tracer.result(s.span, status, error);
                tracer.end(s.span);
              }
            });
  }

  public void clientAws(
      Object scope, String service, String operation, String region, String resource) {
    if (scope instanceof Scope) {
      Tracer.aws(((Scope) scope).span, service, operation, region, resource);
    }
  }

  /**
   * Starts the processing span of one message received from {@code queueUrl}, made current on this
   * thread: in the producer's trace from {@code awsTraceHeader} (a new trace without one), linked
   * to {@code receive} (what {@link #spanOf} gave for the receive call, or null). End it with
   * {@link #consumerEnd}.
   */
  public Object consumerStart(
      Object message, String awsTraceHeader, Object receive, String queueUrl, String messageId) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    SpanContext producer = awsTraceHeader == null ? null : Propagation.parseXray(awsTraceHeader);
    Span span =
        tracer.startConsumer(
            message,
            producer,
            receive instanceof Span ? (Span) receive : null,
            queueUrl,
            messageId);
    return new Scope(span, Tracer.makeCurrent(span));
  }

  /** Ends a span from {@link #consumerStart} and restores what was current before it. */
  public void consumerEnd(Object scope) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      tracer.end(s.span);
    }
  }

  /** The span of a scope, to link to later (opaque to probes), or null. */
  public Object spanOf(Object scope) {
    return scope instanceof Scope ? ((Scope) scope).span : null;
  }

  /** Records the database, operation and sanitized statement of a database call. */
  public void clientDb(
      Object scope,
      dev.trailmark.agent.trace.Database database,
      String operation,
      String statement,
      String preparation,
      int batchSize) {
    if (scope instanceof Scope) {
      Tracer.db(((Scope) scope).span, database, operation, statement, preparation, batchSize);
    }
  }

  /** Marks the span of {@code scope} as a gRPC call of {@code service} and {@code method}. */
  public void grpc(Object scope, String service, String method) {
    if (scope instanceof Scope) {
      Tracer.grpc(((Scope) scope).span, service, method);
    }
  }

  /**
   * Ends the span of {@code scope} with the gRPC status {@code code}; the current span is left
   * alone (gRPC calls end on transport or executor threads, not where they started).
   */
  public void grpcEnd(Object scope, int code, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.grpcResult(s.span, code, error);
      tracer.end(s.span);
    }
  }

  /** Records the resource (queue URL, table...) an AWS call addressed. */
  public void clientAwsResource(Object scope, String resource) {
    if (scope instanceof Scope) {
      Span span = ((Scope) scope).span;
      Tracer.aws(span, span.awsService(), span.awsOperation(), span.awsRegion(), resource);
    }
  }

  /** Records the HTTP method and URL of a call once they are known. */
  public void setHttp(Object scope, String method, String url) {
    if (scope instanceof Scope) {
      Tracer.http(((Scope) scope).span, method, url);
    }
  }

  public Object currentContext() {
    return Tracer.current();
  }

  public Object attach(Object context) {
    return context instanceof Span ? new Scope(null, Tracer.makeCurrent((Span) context)) : null;
  }

  public void detach(Object token) {
    if (token instanceof Scope) {
      Tracer.restore(((Scope) token).previous);
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    Span current = Tracer.current();
    if (current == null || task == null || task instanceof ContextRunnable) {
      return task;
    }
    return new ContextRunnable(task, current);
  }

  public Map<String, String> logFields() {
    Span current = Tracer.current();
    return current == null ? null : current.logFields();
  }

  public String awsTraceHeader(Object scope) {
    return scope instanceof Scope ? Propagation.xrayHeader(((Scope) scope).span.context()) : null;
  }

  /** Runs a task in the trace context of the thread that submitted it. */
  static final class ContextRunnable implements Runnable {
    private final Runnable task;
    private final Span context;

    ContextRunnable(Runnable task, Span context) {
      this.task = task;
      this.context = context;
    }

    @Override
    public void run() {
      Span previous = Tracer.makeCurrent(context);
      try {
        task.run();
      } finally {
        Tracer.restore(previous);
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
