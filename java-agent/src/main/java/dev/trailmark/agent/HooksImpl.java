package dev.trailmark.agent;

import dev.trailmark.agent.bootstrap.Hooks;
import dev.trailmark.agent.trace.Propagation;
import dev.trailmark.agent.trace.Span;
import dev.trailmark.agent.trace.SpanContext;
import dev.trailmark.agent.trace.Tracer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The agent's side of the bridge: turns calls from instrumented code into spans, headers and log fields. */
final class HooksImpl extends Hooks {

  /** Set on threads whose work must not be traced (the exporters' own HTTP calls). */
  static final ThreadLocal<Boolean> SUPPRESSED = new ThreadLocal<>();

  private final Tracer tracer;
  private final Propagation propagation;

  HooksImpl(Tracer tracer, Propagation propagation) {
    this.tracer = tracer;
    this.propagation = propagation;
  }

  /** What a start hook returns: the span and the span that was current before it. */
  static final class Scope {
    final Span span;
    final Span previous;

    Scope(Span span, Span previous) {
      this.span = span;
      this.previous = previous;
    }
  }

  @Override
  public Object serverStart(
      Object carrier, String method, String url, String route, String xray, String traceparent, String tracestate) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    SpanContext parent = propagation.extract(xray, traceparent, tracestate);
    Span span = tracer.startServer(carrier, parent, method, url, route);
    return span == null ? null : new Scope(span, Tracer.makeCurrent(span));
  }

  @Override
  public void serverRoute(String route) {
    Span current = Tracer.current();
    while (current != null && current.kind() != Span.Kind.SERVER) {
      current = current.localParent();
    }
    if (current != null && route != null) {
      Tracer.route(current, route);
    }
  }

  @Override
  public void serverEnd(Object scope, int status, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  @Override
  public Object clientStart(Object carrier, String kind, String method, String url) {
    if (SUPPRESSED.get() != null) {
      return null;
    }
    Span current = Tracer.current();
    if (current != null && current.kind() == Span.Kind.CLIENT) {
      return null; // one span per outbound call: the AWS SDK's or HttpClient's inner HTTP layer is not another
    }
    Span span = tracer.startClient(carrier, method, url);
    return span == null ? null : new Scope(span, Tracer.makeCurrent(span));
  }

  @Override
  public String[] clientHeaders(Object scope) {
    return scope instanceof Scope ? propagation.inject(((Scope) scope).span.context()) : null;
  }

  @Override
  public Object withTraceHeaders(Object scope, Object request) {
    String[] headers = clientHeaders(scope);
    if (headers == null || !(request instanceof HttpRequest)) {
      return request;
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder((HttpRequest) request, (name, value) -> true);
    for (int i = 0; i < headers.length; i += 2) {
      builder.setHeader(headers[i], headers[i + 1]);
    }
    return builder.build();
  }

  @Override
  public void clientEnd(Object scope, int status, Throwable error) {
    if (scope instanceof Scope) {
      Scope s = (Scope) scope;
      Tracer.restore(s.previous);
      Tracer.result(s.span, status, error);
      tracer.end(s.span);
    }
  }

  @Override
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
    ((CompletableFuture<?>) future).whenComplete(
        (response, error) -> {
          int status = response instanceof HttpResponse ? ((HttpResponse<?>) response).statusCode() : 0;
          Tracer.result(s.span, status, error);
          tracer.end(s.span);
        });
  }

  @Override
  public void clientAws(Object scope, String service, String operation, String region, String resource) {
    if (scope instanceof Scope) {
      Tracer.aws(((Scope) scope).span, service, operation, region, resource);
    }
  }

  @Override
  public Object currentContext() {
    return Tracer.current();
  }

  @Override
  public Object attach(Object context) {
    return context instanceof Span ? new Scope(null, Tracer.makeCurrent((Span) context)) : null;
  }

  @Override
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

  @Override
  public Map<String, String> logFields() {
    Span current = Tracer.current();
    return current == null ? null : current.logFields();
  }

  @Override
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
