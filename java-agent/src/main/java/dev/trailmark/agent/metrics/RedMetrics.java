package dev.trailmark.agent.metrics;

import dev.trailmark.agent.trace.Span;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Rate, errors and duration of every request: each ended span, sampled or not, is recorded in the
 * {@code http.server.requests} or {@code http.client.requests} timer, tagged with service, method, route
 * template, status class and outcome (count, sum, max, and percentiles from a histogram).
 */
public final class RedMetrics implements Consumer<Span> {

  static final String SERVER = "http.server.requests";
  static final String CLIENT = "http.client.requests";

  private final MeterRegistry registry;
  private final String service;

  /** Records into {@code registry}, every timer tagged {@code service=<service>}. */
  public RedMetrics(MeterRegistry registry, String service) {
    this.registry = registry;
    this.service = service;
  }

  @Override
  public void accept(Span span) {
    boolean server = span.kind() == Span.Kind.SERVER;
    record(server, span.method(), route(span, server), span.status(), outcome(span), span.durationNanos());
  }

  /** Records one request already reduced to its tags (what {@link StartingRedMetrics} holds while it waits). */
  void record(boolean server, String method, String route, int status, String outcome, long durationNanos) {
    Timer.builder(server ? SERVER : CLIENT)
        .tags(Tags.of(
            "service", service,
            "method", method == null ? "UNKNOWN" : method,
            "route", route == null ? "UNKNOWN" : route,
            "status", statusClass(status),
            "outcome", outcome))
        .publishPercentiles(0.5, 0.9, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(2))
        .register(registry)
        .record(durationNanos, TimeUnit.NANOSECONDS);
  }

  static String route(Span span, boolean server) {
    if (span.awsService() != null) {
      return span.awsService() + "." + span.awsOperation();
    }
    if (server) {
      return span.route() == null ? "UNKNOWN" : span.route(); // never the raw path: unbounded cardinality
    }
    return span.host();
  }

  static String statusClass(int status) {
    return status <= 0 ? "NONE" : (status / 100) + "xx";
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
