package dev.trailmark.agent.bootstrap;

import java.util.Map;

/**
 * What instrumented code calls: the agent installs its implementation in {@link Bridge#hooks}; these
 * defaults do nothing, so advice inlined before (or without) the agent is harmless. Only JDK types cross
 * this boundary, since advice runs in application class loaders that cannot see the agent's classes.
 */
public class Hooks {

  /** Starts a server span for an inbound request; returns a scope for {@link #serverEnd}, or null. */
  public Object serverStart(
      Object carrier, String method, String url, String route, String xray, String traceparent, String tracestate) {
    return null;
  }

  /** Names the current server span by the framework's route template (never the raw path). */
  public void serverRoute(String route) {}

  /** Ends a server span started by {@link #serverStart}; {@code status} 0 when unknown. */
  public void serverEnd(Object scope, int status, Throwable error) {}

  /** Starts a client span for an outbound call; returns a scope for {@link #clientEnd}, or null. */
  public Object clientStart(Object carrier, String kind, String method, String url) {
    return null;
  }

  /** The headers to add to an outbound request of {@code scope}, as name, value, name, value... */
  public String[] clientHeaders(Object scope) {
    return null;
  }

  /** Ends a client span; {@code status} 0 when unknown. */
  public void clientEnd(Object scope, int status, Throwable error) {}

  /**
   * For asynchronous calls: restores the caller's context now and ends the client span when {@code
   * future} (a CompletableFuture of the call's response) completes.
   */
  public void clientEndWhenDone(Object scope, Object future) {}

  /** Returns {@code request} (a java.net.http.HttpRequest) with the trace headers of {@code scope} added. */
  public Object withTraceHeaders(Object scope, Object request) {
    return request;
  }

  /** Adds AWS call details (service, operation, region, queue url...) to a client span. */
  public void clientAws(Object scope, String service, String operation, String region, String resource) {}

  /** The current trace context, to carry onto another thread; null when there is none. */
  public Object currentContext() {
    return null;
  }

  /** Makes {@code context} current; returns what to hand to {@link #detach}. */
  public Object attach(Object context) {
    return null;
  }

  /** Restores the context that was current before {@link #attach}. */
  public void detach(Object token) {}

  /** Wraps a task so that it runs in the caller's trace context; returns {@code task} when there is none. */
  public Runnable wrap(Runnable task) {
    return task;
  }

  /** The log fields of the current context (trace_id, span_id, ...), or null when there is none. */
  public Map<String, String> logFields() {
    return null;
  }

  /** The X-Amzn-Trace-Id value for an SQS AWSTraceHeader of the current context, or null. */
  public String awsTraceHeader(Object scope) {
    return null;
  }
}
