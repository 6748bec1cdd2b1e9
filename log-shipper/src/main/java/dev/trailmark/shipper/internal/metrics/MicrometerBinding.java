package dev.trailmark.shipper.internal.metrics;

import dev.trailmark.shipper.DeliveryStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** The Micrometer meters of one engine, read from its live counters (nothing is recorded twice). */
final class MicrometerBinding {
  private MicrometerBinding() {}

  static AutoCloseable bindGlobal(DeliveryStats s, String appender, String destination) {
    return bind(io.micrometer.core.instrument.Metrics.globalRegistry, s, appender, destination);
  }

  static AutoCloseable bind(
      MeterRegistry registry, DeliveryStats s, String appender, String destination) {
    Tags tags = Tags.of("appender", appender == null ? "" : appender, "destination", destination);
    List<Meter> meters = new ArrayList<>();
    meters.add(
        counter(
            registry,
            "trailmark.shipper.events.queued",
            "events accepted from the application",
            s,
            tags,
            DeliveryStats::accepted));
    meters.add(
        counter(
            registry,
            "trailmark.shipper.events.sent",
            "events acknowledged by the destination",
            s,
            tags,
            DeliveryStats::sent));
    meters.add(
        counter(
            registry,
            "trailmark.shipper.events.retried",
            "event sends repeated after a failure",
            s,
            tags,
            DeliveryStats::retried));
    meters.add(
        counter(
            registry,
            "trailmark.shipper.events.dropped",
            "events lost to overflow, shutdown or rejection",
            s,
            tags,
            DeliveryStats::dropped));
    meters.add(
        counter(
            registry,
            "trailmark.shipper.events.rejected",
            "events refused by the destination",
            s,
            tags,
            DeliveryStats::rejected));
    meters.add(
        gauge(registry, "trailmark.shipper.buffered.bytes", s, tags, DeliveryStats::bufferedBytes));
    meters.add(
        gauge(registry, "trailmark.shipper.spooled.bytes", s, tags, DeliveryStats::spooledBytes));
    meters.add(
        FunctionTimer.builder(
                "trailmark.shipper.batch.latency",
                s,
                DeliveryStats::requests,
                DeliveryStats::totalBatchNanos,
                TimeUnit.NANOSECONDS)
            .description("duration of one request to the destination")
            .tags(tags)
            .register(registry));
    return () -> meters.forEach(registry::remove);
  }

  private static Meter counter(
      MeterRegistry r,
      String name,
      String description,
      DeliveryStats s,
      Tags tags,
      ToDoubleFunction<DeliveryStats> f) {
    return FunctionCounter.builder(name, s, f).description(description).tags(tags).register(r);
  }

  private static Meter gauge(
      MeterRegistry r, String name, DeliveryStats s, Tags tags, ToDoubleFunction<DeliveryStats> f) {
    return Gauge.builder(name, s, f).baseUnit("bytes").tags(tags).register(r);
  }
}
