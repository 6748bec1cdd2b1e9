package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.trace.Span;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Rate, errors and duration of every request: each ended span, sampled or not, is recorded in the
 * {@code http.server.requests} or {@code http.client.requests} timer, tagged with service, method,
 * route template, status class and outcome (count, sum, max, and percentiles from a histogram).
 */
public final class RedMetrics implements Consumer<Span> {

  static final String SERVER = "http.server.requests";
  static final String CLIENT = "http.client.requests";

  private static final String[] STATUS_CLASSES = {"NONE", "1xx", "2xx", "3xx", "4xx", "5xx"};
  private static final String[] OUTCOMES = {
    "INFORMATIONAL", "SUCCESS", "REDIRECTION", "CLIENT_ERROR", "SERVER_ERROR", "UNKNOWN"
  };

  private final MeterRegistry registry;
  private final String service;
  // The timers already registered, by route, then method, then status class x outcome: found again
  // without
  // building a Meter.Id, its tags and a builder for every request (the registry's own lookup needs
  // all three).
  private final ConcurrentMap<String, ConcurrentMap<String, Timer[]>> serverTimers =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<String, ConcurrentMap<String, Timer[]>> clientTimers =
      new ConcurrentHashMap<>();

  /** Records into {@code registry}, every timer tagged {@code service=<service>}. */
  public RedMetrics(MeterRegistry registry, String service) {
    this.registry = registry;
    this.service = service;
  }

  @Override
  public void accept(Span span) {
    if (span.kind() == Span.Kind.CONSUMER
        || span.kind() == Span.Kind.PRODUCER
        || span.kind() == Span.Kind.INTERNAL) {
      return; // not a request (a message, an application's own span): its calls count apart
    }
    boolean server = span.kind() == Span.Kind.SERVER;
    record(
        server,
        method(span),
        route(span, server),
        span.status(),
        outcome(span),
        span.durationNanos());
  }

  /** The HTTP method, or for a database call its operation ({@code SELECT}). */
  static String method(Span span) {
    return span.database() != null ? span.dbOperation() : span.method();
  }

  /**
   * Records one request already reduced to its tags (what {@link StartingRedMetrics} holds while it
   * waits).
   */
  void record(
      boolean server, String method, String route, int status, String outcome, long durationNanos) {
    timer(
            server,
            method == null ? "UNKNOWN" : method,
            route == null ? "UNKNOWN" : route,
            status,
            outcome)
        .record(durationNanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(boolean server, String method, String route, int status, String outcome) {
    int statusIndex = statusIndex(status);
    int outcomeIndex = -1;
    for (int i = 0; i < OUTCOMES.length; i++) {
      if (OUTCOMES[i].equals(outcome)) {
        outcomeIndex = i;
        break;
      }
    }
    if (statusIndex < 0 || outcomeIndex < 0) {
      return register(
          server, method, route, statusClass(status), outcome); // a status past 5xx: not cached
    }
    ConcurrentMap<String, ConcurrentMap<String, Timer[]>> byRoute =
        server ? serverTimers : clientTimers;
    ConcurrentMap<String, Timer[]> byMethod = byRoute.get(route);
    if (byMethod == null) {
      byMethod = byRoute.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
    }
    Timer[] cells = byMethod.get(method);
    if (cells == null) {
      cells =
          byMethod.computeIfAbsent(method, m -> new Timer[STATUS_CLASSES.length * OUTCOMES.length]);
    }
    int cell = statusIndex * OUTCOMES.length + outcomeIndex;
    Timer timer = cells[cell];
    if (timer == null) {
      // Racing threads register the same id: the registry hands both the one timer.
      timer = register(server, method, route, STATUS_CLASSES[statusIndex], outcome);
      cells[cell] = timer;
    }
    return timer;
  }

  private Timer register(
      boolean server, String method, String route, String statusClass, String outcome) {
    return Timer.builder(server ? SERVER : CLIENT)
        .tags(
            Tags.of(
                "service", service,
                "method", method,
                "route", route,
                "status", statusClass,
                "outcome", outcome))
        .publishPercentiles(0.5, 0.9, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(2))
        .register(registry);
  }

  private static int statusIndex(int status) {
    if (status <= 0) {
      return 0;
    }
    int hundreds = status / 100;
    return hundreds <= 5 ? hundreds : -1;
  }

  static String route(Span span, boolean server) {
    if (span.awsService() != null) {
      return span.awsService() + "." + span.awsOperation();
    }
    if (server) {
      return span.route() == null
          ? "UNKNOWN"
          : span.route(); // never the raw path: unbounded cardinality
    }
    return span.host();
  }

  static String statusClass(int status) {
    int index = statusIndex(status);
    return index >= 0 ? STATUS_CLASSES[index] : (status / 100) + "xx";
  }

  static String outcome(Span span) {
    int status = span.status();
    if (status >= 500 || (status <= 0 && span.error() != null)) {
      return "SERVER_ERROR";
    }
    if (status >= 400) {
      return "CLIENT_ERROR";
    }
    if (status >= 300) {
      return "REDIRECTION";
    }
    if (status >= 200) {
      return "SUCCESS";
    }
    return status >= 100 ? "INFORMATIONAL" : "UNKNOWN";
  }
}
