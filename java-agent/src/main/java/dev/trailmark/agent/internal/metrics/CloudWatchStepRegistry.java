package dev.trailmark.agent.internal.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.step.StepMeterRegistry;
import io.micrometer.core.instrument.step.StepRegistryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Micrometer step registry whose every step becomes CloudWatch data, named as Micrometer's
 * CloudWatch registry names them ({@code http.server.requests.count}, {@code .sum}, {@code .max},
 * gauges as {@code jvm.memory.used.value}, percentiles as {@code
 * http.server.requests.percentile.value} with a {@code phi} dimension), handed to a sink: the EMF
 * writer. It needs no AWS SDK, which is why the {@code emf} exporter uses it rather than
 * Micrometer's CloudWatch registry.
 */
final class CloudWatchStepRegistry extends StepMeterRegistry {

  private final Consumer<List<MetricDatum>> sink;

  CloudWatchStepRegistry(Duration step, Consumer<List<MetricDatum>> sink) {
    super(
        new StepRegistryConfig() {
          @Override
          public String prefix() {
            return "trailmark";
          }

          @Override
          public String get(String key) {
            return null;
          }

          @Override
          public Duration step() {
            return step;
          }
        },
        Clock.SYSTEM);
    this.sink = sink;
  }

  @Override
  protected TimeUnit getBaseTimeUnit() {
    return TimeUnit.MILLISECONDS;
  }

  @Override
  protected void publish() {
    List<MetricDatum> data = new ArrayList<>();
    for (Meter meter : getMeters()) {
      Map<String, String> dimensions = new LinkedHashMap<>();
      for (Tag tag : meter.getId().getTagsAsIterable()) {
        dimensions.put(tag.getKey(), tag.getValue());
      }
      String base = meter.getId().getName();
      boolean timer =
          meter.getId().getType() == Meter.Type.TIMER
              || meter.getId().getType() == Meter.Type.LONG_TASK_TIMER;
      for (Measurement m : meter.measure()) {
        double value = m.getValue();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
          continue;
        }
        String statistic;
        String unit;
        switch (m.getStatistic()) {
          case COUNT:
            statistic = "count";
            unit = "Count";
            break;
          case TOTAL:
          case TOTAL_TIME:
            statistic = "sum";
            unit = timer ? "Milliseconds" : "None";
            break;
          case MAX:
            statistic = "max";
            unit = timer ? "Milliseconds" : "None";
            break;
          case ACTIVE_TASKS:
            statistic = "activeTasks";
            unit = "Count";
            break;
          case DURATION:
            statistic = "duration";
            unit = "Milliseconds";
            break;
          default: // a gauge's VALUE, as the CloudWatch registry names it
            statistic = "value";
            unit =
                base.contains("bytes") || base.startsWith("jvm.memory")
                    ? "Bytes"
                    : base.endsWith(".percentile") ? "Milliseconds" : "None";
        }
        data.add(new MetricDatum(base + "." + statistic, unit, value, dimensions));
      }
    }
    if (!data.isEmpty()) {
      sink.accept(data);
    }
  }
}
