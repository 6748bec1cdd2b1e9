package dev.trailmark.shipper.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.shipper.internal.delivery.BatchLimits;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import dev.trailmark.shipper.internal.delivery.Destination;
import dev.trailmark.shipper.internal.delivery.Event;
import dev.trailmark.shipper.internal.delivery.OverflowPolicy;
import dev.trailmark.shipper.internal.delivery.SendResult;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShipperMetricsTest {
  @Test
  void registersQueuedSentDroppedBufferedAndLatencyInTheGlobalRegistry() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.addRegistry(registry);
    Destination d =
        new Destination() {
          @Override
          public BatchLimits limits() {
            return new BatchLimits(100, 100_000, 0, 1000, 0, false);
          }

          @Override
          public SendResult send(List<Event> batch) {
            return SendResult.ok();
          }

          @Override
          public String name() {
            return "test:metrics";
          }
        };
    DeliveryEngine engine =
        DeliveryEngine.builder(d)
            .overflowPolicy(OverflowPolicy.DROP_NEWEST)
            .maxBufferBytes(1000)
            .maxBatchDelay(Duration.ofMillis(10))
            .start();
    AutoCloseable binding = ShipperMetrics.bindIfPresent(engine, "app");
    try {
      byte[] small = new byte[10];
      byte[] big = new byte[999]; // never fits with the per-event overhead: dropped
      engine.offer(1, small, 0, small.length);
      engine.offer(1, big, 0, big.length);
      assertThat(engine.flush(Duration.ofSeconds(5))).isTrue();
      assertThat(
              registry
                  .get("trailmark.shipper.events.queued")
                  .tag("appender", "app")
                  .functionCounter()
                  .count())
          .isEqualTo(1);
      assertThat(
              registry
                  .get("trailmark.shipper.events.sent")
                  .tag("destination", "test:metrics")
                  .functionCounter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("trailmark.shipper.events.dropped").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.get("trailmark.shipper.batch.latency").functionTimer().count())
          .isEqualTo(1);
      assertThat(registry.get("trailmark.shipper.buffered.bytes").gauge().value()).isZero();
    } finally {
      binding.close();
      engine.close(Duration.ofSeconds(1));
      Metrics.removeRegistry(registry);
    }
    assertThat(registry.find("trailmark.shipper.events.sent").meters()).isEmpty();
  }
}
