package dev.trailmark.agent.metrics;

import dev.trailmark.agent.config.AgentConfig;
import dev.trailmark.agent.trace.Span;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.step.StepMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Builds the metrics pipeline named by {@code TRAILMARK_METRICS_EXPORTER}: {@code emf} (Embedded Metric Format
 * lines on stdout), {@code cloudwatch} (Micrometer's CloudWatch registry, credentials from the AWS SDK's default
 * chain) or {@code collector} (the same registry sending to the local collector). Only called when one is set,
 * so Micrometer's classes are never loaded otherwise. Besides the RED and JVM meters it counts the agent's own
 * spans: {@code trailmark.spans.exported}, {@code .dropped} (queue full) and {@code .failed}, tagged by exporter.
 */
public final class Metrics {

  /** Requests held while the registry starts; past it they are counted in {@code trailmark.metrics.dropped}. */
  static final long STARTING_BYTES = 256 * 1024;

  private Metrics() {}

  /**
   * Returns the span listener recording RED metrics at once, and builds the registry, its JVM meters and (for
   * CloudWatch) the AWS SDK client on a background thread, off the application's start-up path.
   *
   * @param agentThreads makes the threads that build and publish, which must not be traced themselves
   * @throws IllegalArgumentException for an exporter name that is none of emf, cloudwatch, collector
   */
  public static Consumer<Span> start(AgentConfig config, ThreadFactory agentThreads,
      Map<String, LongSupplier> exporterCounters) {
    String exporter = config.metricsExporter().toLowerCase(Locale.ROOT);
    if (!exporter.equals("emf") && !exporter.equals("cloudwatch") && !exporter.equals("collector")) {
      throw new IllegalArgumentException(
          "TRAILMARK_METRICS_EXPORTER '" + exporter + "' is not one of none|emf|cloudwatch|collector");
    }
    ThreadFactory threads = inAgentLoader(agentThreads);
    StartingRedMetrics red = new StartingRedMetrics(STARTING_BYTES);
    Thread init = threads.newThread(new Runnable() {
      @Override
      public void run() {
        try {
          StepMeterRegistry registry;
          if (exporter.equals("emf")) {
            registry = new CloudWatchStepRegistry(Duration.ofMillis(config.metricsStepMillis()),
                new EmfWriter(System.out, config.metricsNamespace()));
            registry.start(threads);
          } else {
            registry = CloudWatchRegistries.create(config, exporter, threads); // started by its constructor
          }
          bind(registry, config, exporterCounters, red);
          red.start(new RedMetrics(registry, config.serviceName()));
          // The last, partial step is published at exit, so that short-lived processes report too.
          Runtime.getRuntime().addShutdownHook(threads.newThread(new Runnable() {
            @Override
            public void run() {
              registry.close();
            }
          }));
        } catch (Throwable e) {
          red.fail();
          System.err.println("[trailmark-agent] metrics (" + exporter + ") disabled: " + e);
        }
      }
    });
    init.start();
    return red;
  }

  private static void bind(StepMeterRegistry registry, AgentConfig config, Map<String, LongSupplier> exporterCounters,
      StartingRedMetrics red) {
    registry.config().commonTags(Tags.of("service", config.serviceName()));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // The agent's own health: spans exported, dropped by a full queue, failed to send, per exporter.
    for (Map.Entry<String, LongSupplier> counter : exporterCounters.entrySet()) {
      String[] nameAndExporter = counter.getKey().split(":");
      FunctionCounter.builder(nameAndExporter[0], counter.getValue(), LongSupplier::getAsLong)
          .tag("exporter", nameAndExporter[1])
          .register(registry);
    }
    FunctionCounter.builder("trailmark.metrics.dropped", red, StartingRedMetrics::dropped)
        .description("requests not counted: ended while the registry started, past its bound")
        .register(registry);
  }

  /**
   * The agent's threads with the agent's class loader as context loader: the SDK and Netty look classes and
   * resources up there first, and must find their own (relocated) ones, never the application's.
   */
  private static ThreadFactory inAgentLoader(ThreadFactory agentThreads) {
    ClassLoader agentLoader = Metrics.class.getClassLoader();
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable task) {
        Thread thread = agentThreads.newThread(task);
        thread.setContextClassLoader(agentLoader);
        thread.setDaemon(true);
        return thread;
      }
    };
  }
}
