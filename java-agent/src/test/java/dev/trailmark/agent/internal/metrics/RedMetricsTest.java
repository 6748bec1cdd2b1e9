package dev.trailmark.agent.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.TestSpans;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class RedMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RedMetrics metrics = new RedMetrics(registry, "orders");

  @Test
  void serverSpansAreTimedByRouteTemplateStatusClassAndOutcome() {
    metrics.accept(TestSpans.server("http://h/orders/1", 200, "/orders/{id}"));
    metrics.accept(TestSpans.server("http://h/orders/2", 200, "/orders/{id}"));
    metrics.accept(TestSpans.server("http://h/orders/3", 503, "/orders/{id}"));

    Timer ok =
        registry
            .get("http.server.requests")
            .tags(
                "service",
                "orders",
                "method",
                "GET",
                "route",
                "/orders/{id}",
                "status",
                "2xx",
                "outcome",
                "SUCCESS")
            .timer();
    Timer failed =
        registry
            .get("http.server.requests")
            .tags("status", "5xx", "outcome", "SERVER_ERROR")
            .timer();
    assertThat(ok.count()).isEqualTo(2);
    assertThat(failed.count()).isEqualTo(1);
    assertThat(ok.takeSnapshot().percentileValues())
        .extracting(p -> p.percentile())
        .containsExactly(0.5, 0.9, 0.99);
  }

  @Test
  void everyCombinationOfTagsKeepsItsOwnTimerAcrossRepeatedRequests() {
    for (int i = 0; i < 3; i++) {
      metrics.accept(TestSpans.server("http://h/a", 200, "/a"));
      metrics.accept(TestSpans.server("http://h/a", 404, "/a"));
      metrics.accept(TestSpans.server("http://h/b", 200, "/b"));
      metrics.accept(
          TestSpans.server("http://h/a", 700, "/a")); // past 5xx: still counted, by its own class
    }

    assertThat(
            registry
                .get("http.server.requests")
                .tags("route", "/a", "status", "2xx")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(
            registry
                .get("http.server.requests")
                .tags("route", "/a", "status", "4xx", "outcome", "CLIENT_ERROR")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(registry.get("http.server.requests").tags("route", "/b").timer().count())
        .isEqualTo(3);
    assertThat(
            registry
                .get("http.server.requests")
                .tags("route", "/a", "status", "7xx")
                .timer()
                .count())
        .isEqualTo(3);
    assertThat(registry.get("http.server.requests").timers()).hasSize(4);
  }

  @Test
  void aRouteIsNeverTheRawPath() {
    metrics.accept(TestSpans.server("http://h/orders/123456", 200, null));

    assertThat(registry.get("http.server.requests").timer().getId().getTag("route"))
        .isEqualTo("UNKNOWN");
  }

  @Test
  void clientSpansAreTimedByHostAndFailuresCounted() {
    Span server = TestSpans.server("http://h/", 200, null);
    metrics.accept(TestSpans.clientUnder(server, "http://payments:9000/pay", 404, null));
    metrics.accept(
        TestSpans.clientUnder(
            server, "http://payments:9000/pay", 0, new java.io.IOException("reset")));

    assertThat(
            registry
                .get("http.client.requests")
                .tags("route", "payments:9000", "outcome", "CLIENT_ERROR")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("http.client.requests")
                .tags("status", "NONE", "outcome", "SERVER_ERROR")
                .timer()
                .count())
        .isEqualTo(1);
  }
}
