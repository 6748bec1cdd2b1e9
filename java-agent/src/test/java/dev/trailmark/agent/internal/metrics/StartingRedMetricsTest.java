package dev.trailmark.agent.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.trace.TestSpans;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class StartingRedMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void requestsEndedWhileTheRegistryStartsAreCountedOnceItIsReady() {
    StartingRedMetrics red = new StartingRedMetrics(Metrics.STARTING_BYTES);
    red.accept(TestSpans.server("http://h/orders/1", 200, "/orders/{id}"));
    red.accept(TestSpans.server("http://h/orders/2", 503, "/orders/{id}"));

    red.start(new RedMetrics(registry, "orders"));
    red.accept(TestSpans.server("http://h/orders/3", 200, "/orders/{id}"));

    assertThat(
            registry
                .get("http.server.requests")
                .tags("route", "/orders/{id}", "outcome", "SUCCESS")
                .timer()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get("http.server.requests")
                .tags("status", "5xx", "outcome", "SERVER_ERROR")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(red.heldBytes()).isZero();
    assertThat(red.dropped()).isZero();
  }

  @Test
  void pastItsByteBoundARequestIsDroppedAndCountedNotHeld() {
    long oneRequest =
        StartingRedMetrics.REQUEST_OVERHEAD_BYTES + 2 * ("GET".length() + "/orders/{id}".length());
    StartingRedMetrics red = new StartingRedMetrics(3 * oneRequest);
    for (int i = 0; i < 5; i++) {
      red.accept(TestSpans.server("http://h/orders/" + i, 200, "/orders/{id}"));
    }

    assertThat(red.heldBytes()).isEqualTo(3 * oneRequest);
    assertThat(red.dropped()).isEqualTo(2);
    red.start(new RedMetrics(registry, "orders"));
    assertThat(registry.get("http.server.requests").timer().count()).isEqualTo(3);
  }

  @Test
  void aRegistryThatNeverStartsReleasesWhatWasHeldAndIgnoresTheRest() {
    StartingRedMetrics red = new StartingRedMetrics(Metrics.STARTING_BYTES);
    red.accept(TestSpans.server("http://h/", 200, "/"));

    red.fail();
    red.accept(TestSpans.server("http://h/", 200, "/"));

    assertThat(red.heldBytes()).isZero();
    assertThat(red.dropped()).isZero();
  }
}
