package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.config.AgentConfig;
import dev.trailmark.agent.internal.trace.Span;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Starts the metrics pipeline named by {@code TRAILMARK_METRICS_EXPORTER}: {@code emf} (Embedded
 * Metric Format lines on stdout), {@code cloudwatch} (Micrometer's CloudWatch registry, credentials
 * from the AWS SDK's default chain) or {@code collector} (the same registry sending to the local
 * collector). Only called when one is set. This class names no Micrometer or AWS SDK type, so that
 * loading it at premain loads neither: {@link MetricsPipeline} does the work on a background
 * thread.
 */
public final class Metrics {

  /**
   * Requests held while the registry starts; past it they are counted in {@code
   * trailmark.metrics.dropped}.
   */
  static final long STARTING_BYTES = 256 * 1024;

  private Metrics() {}

  /**
   * Returns the span listener recording RED metrics at once, and builds the registry, its JVM
   * meters and (for CloudWatch) the AWS SDK client on a background daemon thread, off the
   * application's start-up path.
   *
   * @param agentThreads makes the threads that build and publish, which must not be traced
   *     themselves
   * @param exporterCounters the span exporters' counters, keyed {@code <meter name>:<exporter>}
   * @throws IllegalArgumentException for an exporter name that is none of emf, cloudwatch,
   *     collector
   */
  public static Consumer<Span> start(
      AgentConfig config, ThreadFactory agentThreads, Map<String, LongSupplier> exporterCounters) {
    String exporter = config.metricsExporter().toLowerCase(Locale.ROOT);
    if (!exporter.equals("emf")
        && !exporter.equals("cloudwatch")
        && !exporter.equals("collector")) {
      throw new IllegalArgumentException(
          "TRAILMARK_METRICS_EXPORTER '"
              + exporter
              + "' is not one of none|emf|cloudwatch|collector");
    }
    ThreadFactory threads = inAgentLoader(agentThreads);
    StartingRedMetrics red = new StartingRedMetrics(STARTING_BYTES);
    threads
        .newThread(
            new Runnable() {
              @Override
              public void run() {
                try {
                  MetricsPipeline.start(config, exporter, threads, exporterCounters, red);
                } catch (Throwable e) {
                  red.fail();
                  System.err.println("[trailmark-agent] metrics (" + exporter + ") disabled: " + e);
                }
              }
            })
        .start();
    return red;
  }

  /**
   * The agent's threads, daemons, with the agent's class loader as context loader: the SDK and
   * Netty look classes and resources up there first, and must find their own (relocated) ones,
   * never the application's.
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
