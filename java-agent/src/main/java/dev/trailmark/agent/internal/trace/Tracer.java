package dev.trailmark.agent.internal.trace;

import io.opentelemetry.contrib.awsxray.AwsXrayIdGenerator;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts and ends spans and keeps the current one per thread. Ended spans go to every listener (the
 * exporters, the RED metrics); unsampled spans still carry ids for propagation and logs.
 */
public final class Tracer {

  private static final ThreadLocal<Span> CURRENT = new ThreadLocal<>();

  private final Sampler sampler;
  private final Supplier<String> lambdaTraceHeader;
  private final List<Consumer<Span>> listeners;
  private final Resource resource;

  /**
   * X-Ray compatible trace ids (the epoch second first) and random span ids, from
   * opentelemetry-java-contrib.
   */
  private final IdGenerator ids = AwsXrayIdGenerator.getInstance();

  /**
   * @param lambdaTraceHeader the Lambda runtime's trace header of the current invocation, or null
   * @param listeners called with each ended span, sampled or not; each must not block
   */
  public Tracer(
      Sampler sampler, Supplier<String> lambdaTraceHeader, List<Consumer<Span>> listeners) {
    this(sampler, lambdaTraceHeader, listeners, Resource.empty());
  }

  /**
   * @param resource what every span says of the process that made it (service name, host...)
   */
  public Tracer(
      Sampler sampler,
      Supplier<String> lambdaTraceHeader,
      List<Consumer<Span>> listeners,
      Resource resource) {
    this.resource = resource;
    this.sampler = sampler;
    this.lambdaTraceHeader = lambdaTraceHeader;
    this.listeners = listeners;
  }

  /** The span current on this thread, or null. */
  public static Span current() {
    return CURRENT.get();
  }

  /** Makes {@code span} current; returns the previous one, to restore with {@link #restore}. */
  public static Span makeCurrent(Span span) {
    Span previous = CURRENT.get();
    CURRENT.set(span);
    return previous;
  }

  /** Restores the span current before {@link #makeCurrent}. */
  public static void restore(Span previous) {
    CURRENT.set(
        previous); // set(null), not remove(): the thread's map entry is reused, not reallocated
  }

  /**
   * Starts a server span under {@code remoteParent} (null: a new trace). Returns null when the
   * current span is a server span for the same {@code carrier}: one request, one server span.
   */
  public Span startServer(
      Object carrier, SpanContext remoteParent, String method, String url, String route) {
    Span current = CURRENT.get();
    if (current != null
        && current.kind() == Span.Kind.SERVER
        && carrier != null
        && current.carrier() == carrier) {
      return null;
    }
    Span span = start(Span.Kind.SERVER, remoteParent, null, carrier);
    span.http(method, url);
    span.route(route);
    return span;
  }

  /**
   * Starts a client span under the current span, or under the Lambda invocation's trace; returns
   * null outside any trace. Like X-Ray's SDKs, a call made by no request (a log shipper, a poller,
   * start-up work) starts no trace of its own, so background traffic does not flood the traces.
   */
  public Span startClient(Object carrier, String method, String url) {
    Span current = CURRENT.get();
    if (current != null
        && current.kind() == Span.Kind.CLIENT
        && carrier != null
        && current.carrier() == carrier) {
      return null;
    }
    Span span;
    if (current != null) {
      span = start(Span.Kind.CLIENT, null, current, carrier);
    } else {
      SpanContext lambda =
          lambdaTraceHeader == null ? null : Propagation.parseXray(lambdaTraceHeader.get());
      if (lambda == null) {
        return null;
      }
      span = start(Span.Kind.CLIENT, lambda, null, carrier);
    }
    span.http(method, url);
    return span;
  }

  /**
   * Starts the span of processing one message: under the producer's context carried by the message
   * ({@code producer}, null: a new trace), linked to {@code receive} (the traced receive call that
   * fetched it, or null). The span current on this thread, if any, is not its parent: a message
   * continues its producer's trace.
   */
  public Span startConsumer(
      Object carrier, SpanContext producer, Span receive, String queueUrl, String messageId) {
    Span span = start(Span.Kind.CONSUMER, producer, null, carrier);
    span.message(queueUrl, messageId, receive == null ? null : receive.context());
    return span;
  }

  /**
   * Starts the span of sending one message to {@code destination} of a broker ({@code system}, e.g.
   * {@code kafka}) under the span current on this thread; null outside any trace. Not made current:
   * it ends on the broker's acknowledgement, on another thread.
   */
  public Span startProducer(Object carrier, String system, String destination) {
    Span current = CURRENT.get();
    if (current == null) {
      return null;
    }
    Span span = start(Span.Kind.PRODUCER, null, current, carrier);
    span.brokerMessage(system, destination, null);
    return span;
  }

  /**
   * Starts the span of processing one message of a broker other than SQS ({@code system}) from
   * {@code destination}: under the producer's context the message carries ({@code producer}, null:
   * a new trace), whatever span is current on this thread.
   */
  public Span startBrokerConsumer(
      Object carrier, SpanContext producer, String system, String destination, String messageId) {
    Span span = start(Span.Kind.CONSUMER, producer, null, carrier);
    span.brokerMessage(system, destination, messageId);
    return span;
  }

  /**
   * Starts a span the application opened through its OpenTelemetry API ({@code manual} holds its
   * name, kind and attributes): under {@code localParent} (a span of this process), else under
   * {@code remoteParent}, else in a new trace. Not made current: the application does that.
   */
  public Span startManual(SpanContext remoteParent, Span localParent, ManualData manual) {
    Span span = start(Span.Kind.INTERNAL, remoteParent, localParent, null);
    span.manual(manual);
    return span;
  }

  /** Ends {@code span} at {@code epochNanos}, a time the application gave, and hands it on. */
  public void endAt(Span span, long epochNanos) {
    span.end(span.startNanoTime() + (epochNanos - span.startEpochNanos()));
    for (int i = 0; i < listeners.size(); i++) {
      listeners.get(i).accept(span);
    }
  }

  /**
   * Starts the span of one AWS Lambda invocation of {@code function}, under the runtime's trace
   * header of that invocation ({@code facade}: the function's segment; null: a new trace). {@code
   * trigger} is OpenTelemetry's {@code faas.trigger} ({@code http}, {@code pubsub}, {@code other}).
   */
  public Span startInvocation(
      Object carrier,
      SpanContext facade,
      String function,
      String requestId,
      boolean coldStart,
      String trigger) {
    Span span = start(Span.Kind.SERVER, facade, null, carrier);
    span.invocation(function, requestId, coldStart, trigger);
    return span;
  }

  /** Sets a Lambda invocation's {@code faas.trigger}. */
  public static void trigger(Span span, String trigger) {
    span.trigger(trigger);
  }

  /** Records the queue and size of an SQS-triggered invocation's batch. */
  public static void invocationMessages(Span span, String queueUrl, int messages) {
    span.invocationMessages(queueUrl, messages);
  }

  private Span start(Span.Kind kind, SpanContext remoteParent, Span localParent, Object carrier) {
    long epochNanos = System.currentTimeMillis() * 1_000_000L;
    long nanoTime = System.nanoTime();
    String spanId = ids.generateSpanId();
    SpanContext context;
    String parentSpanId;
    boolean parentRemote;
    if (localParent != null) {
      SpanContext p = localParent.context();
      context =
          new SpanContext(
              p.traceId(),
              spanId,
              p.sampled(),
              p.lineage(),
              p.traceState(),
              false,
              p.xrayTraceId());
      parentSpanId = p.spanId();
      parentRemote = false;
    } else if (remoteParent != null) {
      int sampled = sampler.sample(remoteParent, remoteParent.traceId()) ? 1 : 0;
      context =
          new SpanContext(
              remoteParent.traceId(),
              spanId,
              sampled,
              remoteParent.lineage(),
              remoteParent.traceState(),
              false,
              remoteParent.xrayTraceId());
      parentSpanId =
          remoteParent.spanId(); // null under a Root-only header: this span is the trace's root
      parentRemote = parentSpanId != null;
    } else {
      String traceId = ids.generateTraceId();
      int sampled = sampler.sample(null, traceId) ? 1 : 0;
      context = new SpanContext(traceId, spanId, sampled, null, null, false);
      parentSpanId = null;
      parentRemote = false;
    }
    return new Span(
        context,
        parentSpanId,
        parentRemote,
        kind,
        localParent,
        carrier,
        epochNanos,
        nanoTime,
        resource);
  }

  /** Sets the route template of a server span. */
  public static void route(Span span, String route) {
    span.route(route);
  }

  /** Records the HTTP method and URL of a span. */
  public static void http(Span span, String method, String url) {
    span.http(method, url);
  }

  /** Records the outcome of an HTTP call. */
  public static void result(Span span, int status, Throwable error) {
    span.result(status, error);
  }

  /**
   * Marks a span as a gRPC call of {@code service} ({@code package.Service}) and {@code method}.
   */
  public static void grpc(Span span, String service, String method) {
    span.grpc(service, method);
  }

  /** Records the outcome of a gRPC call: its status code and the application's exception. */
  public static void grpcResult(Span span, int code, Throwable error) {
    span.grpcResult(code, error);
  }

  /** Records what AWS call a client span made. */
  public static void aws(
      Span span, String service, String operation, String region, String resource) {
    span.aws(service, operation, region, resource);
  }

  /** Records what database call a client span made. */
  public static void db(
      Span span,
      Database database,
      String operation,
      String statement,
      String preparation,
      int batchSize) {
    span.db(database, operation, statement, preparation, batchSize);
  }

  /** Ends {@code span} and hands it to the listeners. */
  public void end(Span span) {
    span.end(System.nanoTime());
    for (int i = 0; i < listeners.size(); i++) { // no iterator: this runs for every span
      listeners.get(i).accept(span);
    }
  }
}
