package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.config.AgentConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.step.StepMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * The registry of the chosen exporter with every meter bound; run on the agent's background thread.
 */
final class MetricsPipeline {

  private MetricsPipeline() {}

  static void start(
      AgentConfig config,
      String exporter,
      ThreadFactory threads,
      Map<String, LongSupplier> exporterCounters,
      StartingRedMetrics red) {
    StepMeterRegistry registry;
    if (exporter.equals("emf")) {
      registry =
          new CloudWatchStepRegistry(
              Duration.ofMillis(config.metricsStepMillis()),
              new EmfWriter(System.out, config.metricsNamespace()));
      registry.start(threads);
    } else {
      registry =
          CloudWatchRegistries.create(config, exporter, threads); // started by its constructor
    }
    registry.config().commonTags(Tags.of("service", config.serviceName()));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // The agent's own health: spans exported, dropped by a full queue, failed to send, per
    // exporter.
    for (Map.Entry<String, LongSupplier> counter : exporterCounters.entrySet()) {
      String[] nameAndExporter = counter.getKey().split(":");
      FunctionCounter.builder(nameAndExporter[0], counter.getValue(), LongSupplier::getAsLong)
          .tag("exporter", nameAndExporter[1])
          .register(registry);
    }
    FunctionCounter.builder("trailmark.metrics.dropped", red, StartingRedMetrics::dropped)
        .description("requests not counted: ended while the registry started, past its bound")
        .register(registry);
    red.start(new RedMetrics(registry, config.serviceName()));
    // The last, partial step is published at exit, so that short-lived processes report too.
    Runtime.getRuntime()
        .addShutdownHook(
            threads.newThread(
                new Runnable() {
                  @Override
                  public void run() {
                    registry.close();
                  }
                }));
  }
}
