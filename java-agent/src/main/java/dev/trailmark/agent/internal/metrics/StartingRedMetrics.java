package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.trace.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The span listener handed to the tracer at premain, while the registry (and for CloudWatch the AWS
 * SDK client) is still being built on a background thread: requests ended meanwhile are held,
 * reduced to their tags, up to {@code maxBytes}, and recorded once the registry is ready. A request
 * past the bound is not counted but {@link #dropped()}, which the agent publishes as {@code
 * trailmark.metrics.dropped}. If the registry never starts, everything held is released and later
 * requests are ignored.
 */
final class StartingRedMetrics implements Consumer<Span> {

  /**
   * Rough heap cost of one held request besides its strings: the object, its list slot, the
   * strings' headers.
   */
  static final int REQUEST_OVERHEAD_BYTES = 96;

  private final long maxBytes;
  private volatile RedMetrics ready;
  private List<Request> held = new ArrayList<>(); // guarded by this; null once ready or failed
  private long heldBytes;
  private long dropped;
  private volatile boolean failed;

  StartingRedMetrics(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void accept(Span span) {
    RedMetrics red = ready;
    if (red != null) {
      red.accept(span);
      return;
    }
    if (failed) {
      return;
    }
    if (span.kind() == Span.Kind.CONSUMER
        || span.kind() == Span.Kind.PRODUCER
        || span.kind() == Span.Kind.INTERNAL) {
      return; // not a request (a message, an application's own span): its calls count apart
    }
    boolean server = span.kind() == Span.Kind.SERVER;
    Request request =
        new Request(
            server,
            RedMetrics.method(span),
            RedMetrics.route(span, server),
            span.status(),
            RedMetrics.outcome(span),
            span.durationNanos());
    synchronized (this) {
      if (held != null) {
        long bytes = request.bytes();
        if (heldBytes + bytes > maxBytes) {
          dropped++;
        } else {
          held.add(request);
          heldBytes += bytes;
        }
        return;
      }
    }
    red = ready; // became ready while this thread reduced the span
    if (red != null) {
      request.recordIn(red);
    }
  }

  /** Records what was held into {@code red}, then passes every later span straight to it. */
  void start(RedMetrics red) {
    synchronized (this) {
      for (Request request : held) {
        request.recordIn(red);
      }
      held = null;
      heldBytes = 0;
      ready = red;
    }
  }

  /** The registry could not be built: forget what was held, ignore what comes. */
  void fail() {
    synchronized (this) {
      failed = true;
      held = null;
      heldBytes = 0;
    }
  }

  synchronized long dropped() {
    return dropped;
  }

  synchronized long heldBytes() {
    return heldBytes;
  }

  private static final class Request {
    final boolean server;
    final String method;
    final String route;
    final int status;
    final String outcome;
    final long durationNanos;

    Request(
        boolean server,
        String method,
        String route,
        int status,
        String outcome,
        long durationNanos) {
      this.server = server;
      this.method = method;
      this.route = route;
      this.status = status;
      this.outcome = outcome;
      this.durationNanos = durationNanos;
    }

    long bytes() {
      return REQUEST_OVERHEAD_BYTES
          + 2L * ((method == null ? 0 : method.length()) + (route == null ? 0 : route.length()));
    }

    void recordIn(RedMetrics red) {
      red.record(server, method, route, status, outcome, durationNanos);
    }
  }
}
