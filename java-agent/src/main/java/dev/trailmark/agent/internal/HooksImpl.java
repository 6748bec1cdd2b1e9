package dev.trailmark.agent.internal;

import dev.trailmark.agent.bootstrap.Hooks;
import dev.trailmark.agent.internal.probe.LogbackProbe;
import dev.trailmark.agent.internal.probe.OtelApiProbe;
import dev.trailmark.agent.internal.probe.Probe;
import dev.trailmark.agent.internal.trace.Propagation;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.SpanContext;
import dev.trailmark.agent.internal.trace.Tracer;
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

  /** Exports what is queued, on the calling thread (set once the exporters exist). */
  private volatile Runnable flusher;

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

  /** The agent's tracer, for the OpenTelemetry API bridge, which opens spans of its own kind. */
  public Tracer tracer() {
    return tracer;
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
    return madeCurrent(tracer.startServer(carrier, parent, method, url, route));
  }

  /** The scope of a span just started, made current on this thread; null for no span. */
  private static Scope madeCurrent(Span span) {
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
    end(scope, status, error, true);
  }

  /**
   * Ends the span of {@code scope} with {@code status} and {@code error}; with {@code restore} (a
   * span that was made current), what was current before it is current again.
   */
  private void end(Object scope, int status, Throwable error, boolean restore) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      if (restore) {
        Tracer.restore(s.previous);
      }
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  public Object clientStart(Object carrier, String kind, String method, String url) {
    return madeCurrent(startClient(carrier, method, url));
  }

  /** A client span under the current one, or null when untraced or inside another client span. */
  private Span startClient(Object carrier, String method, String url) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    Span current = Tracer.current();
    if (current != null && current.kind() == Span.Kind.CLIENT) {
      return null; // one span per outbound call: the AWS SDK's or HttpClient's inner HTTP layer is
      // not another
    }
    return tracer.startClient(carrier, method, url);
  }

  /**
   * Starts a client span that is not made current, for calls whose start and end are separate
   * method calls (HttpURLConnection's connect, then getInputStream); end it with {@link
   * #clientEndDetached}.
   */
  public Object clientStartDetached(Object carrier, String method, String url) {
    Span span = startClient(carrier, method, url);
    return span == null ? null : new Scope(span, null);
  }

  /** Ends a span from {@link #clientStartDetached}; the current span is left alone. */
  public void clientEndDetached(Object scope, int status, Throwable error) {
    end(scope, status, error, false);
  }

  public String[] clientHeaders(Object scope) {
    return scope instanceof Scope ? propagation.inject(((Scope) scope).span.context()) : null;
  }

  public void clientEnd(Object scope, int status, Throwable error) {
    end(scope, status, error, true);
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
    return madeCurrent(span);
  }

  /** Ends a span from {@link #consumerStart} and restores what was current before it. */
  public void consumerEnd(Object scope) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      tracer.end(s.span);
    }
  }

  /**
   * Starts the span of sending one message to {@code destination} of {@code system} (e.g. a Kafka
   * topic) under the current span, not made current; null outside any trace. Its headers: {@link
   * #clientHeaders}; end it with {@link #producerEnd}, on any thread.
   */
  public Object producerStart(Object carrier, String system, String destination) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    Span span = tracer.startProducer(carrier, system, destination);
    return span == null ? null : new Scope(span, null);
  }

  /** Ends a span from {@link #producerStart}: {@code error} when the send failed. */
  public void producerEnd(Object scope, Throwable error) {
    end(scope, 0, error, false);
  }

  /**
   * Starts the processing span of one message of {@code system} (e.g. Kafka) from {@code
   * destination}, made current on this thread: in the producer's trace from the message's {@code
   * X-Amzn-Trace-Id} or {@code traceparent} header (a new trace without either). End it with {@link
   * #consumerEnd}.
   */
  public Object brokerConsumerStart(
      Object message,
      String xray,
      String traceparent,
      String system,
      String destination,
      String messageId) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    SpanContext producer = propagation.extract(xray, traceparent, null);
    return madeCurrent(
        tracer.startBrokerConsumer(message, producer, system, destination, messageId));
  }

  /** The span of a scope, to link to later (opaque to probes), or null. */
  public Object spanOf(Object scope) {
    return scope instanceof Scope ? ((Scope) scope).span : null;
  }

  /** Records the database, operation and sanitized statement of a database call. */
  public void clientDb(
      Object scope,
      dev.trailmark.agent.internal.trace.Database database,
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

  /** Sets what {@link #flushSpans} runs: every exporter's flush. */
  void flusher(Runnable flusher) {
    this.flusher = flusher;
  }

  /**
   * Exports every ended span now, on this thread, untraced: before a Lambda invocation's response,
   * after which the runtime may freeze the process.
   */
  public void flushSpans() {
    Runnable flush = flusher;
    if (flush == null) {
      return;
    }
    Boolean suppressed = SUPPRESSED.get();
    SUPPRESSED.set(Boolean.TRUE); // an exporter's own calls are not traced
    try {
      flush.run();
    } finally {
      SUPPRESSED.set(suppressed);
    }
  }

  /**
   * Stops tracing on this thread (the agent's host's own calls: the Lambda runtime reporting to its
   * API); returns what {@link #traced} restores.
   */
  public Object untraced() {
    Boolean previous = SUPPRESSED.get();
    SUPPRESSED.set(Boolean.TRUE);
    return previous == null ? Boolean.FALSE : previous;
  }

  /** Restores tracing as it was before {@link #untraced} returned {@code token}. */
  public void traced(Object token) {
    SUPPRESSED.set(Boolean.TRUE.equals(token) ? Boolean.TRUE : null);
  }

  /**
   * Starts the span of one AWS Lambda invocation under the runtime's trace header of that
   * invocation (a new trace without one), current on this thread until {@link #serverEnd}.
   */
  public Object invocationStart(
      Object carrier, String traceHeader, String function, String requestId, boolean coldStart) {
    SpanContext facade = traceHeader == null ? null : Propagation.parseXray(traceHeader);
    return madeCurrent(
        tracer.startInvocation(carrier, facade, function, requestId, coldStart, "other"));
  }

  /** An HTTP-triggered invocation (API Gateway, a function URL): its request. */
  public void invocationHttp(Object scope, String method, String url, String route) {
    if (scope instanceof Scope) {
      Span span = ((Scope) scope).span;
      Tracer.http(span, method, url);
      Tracer.route(span, route);
      Tracer.trigger(span, "http");
    }
  }

  /** An SQS-triggered invocation: its queue and the number of messages in its batch. */
  public void invocationMessages(Object scope, String queueUrl, int messages) {
    if (scope instanceof Scope) {
      Tracer.invocationMessages(((Scope) scope).span, queueUrl, messages);
    }
  }

  /** The ids and sampling decision of the span current on this thread, or null. */
  public SpanContext currentSpanContext() {
    Span current = Tracer.current();
    return current == null ? null : current.context();
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
    return new ContextRunnable(task, current, OtelApiProbe.contextToCarry());
  }

  public Map<String, String> logFields() {
    Span current = Tracer.current();
    return current == null ? null : current.logFields();
  }

  public String awsTraceHeader(Object scope) {
    return scope instanceof Scope ? Propagation.xrayHeader(((Scope) scope).span.context()) : null;
  }

  /**
   * Runs a task in the trace context of the thread that submitted it, with the application's
   * OpenTelemetry context (its baggage) when it had one current.
   */
  static final class ContextRunnable implements Runnable {
    private final Runnable task;
    private final Span context;
    private final Object applicationContext;

    ContextRunnable(Runnable task, Span context, Object applicationContext) {
      this.task = task;
      this.context = context;
      this.applicationContext = applicationContext;
    }

    @Override
    public void run() {
      Span previous = Tracer.makeCurrent(context);
      Object entered =
          applicationContext == null ? null : OtelApiProbe.enterCarried(applicationContext);
      try {
        task.run();
      } finally {
        if (applicationContext != null) {
          OtelApiProbe.leaveCarried(entered);
        }
        Tracer.restore(previous);
      }
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
