package dev.trailmark.agent.metrics;

import dev.trailmark.agent.config.AgentConfig;
import dev.trailmark.agent.trace.Span;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Builds the metrics pipeline named by {@code TRAILMARK_METRICS_EXPORTER}: {@code emf} (lines on stdout),
 * {@code cloudwatch} (PutMetricData to CloudWatch) or {@code collector} (PutMetricData to the local
 * collector). Only called when one is set, so Micrometer's classes are never loaded otherwise. Besides the RED
 * and JVM meters it counts the agent's own spans: {@code trailmark.spans.exported}, {@code .dropped} (queue
 * full) and {@code .failed}, tagged by exporter.
 */
public final class Metrics {

  /** Micrometer's start-up INFO line would land in the application's output: warnings only. Held: JUL keeps loggers weakly. */
  private static final java.util.logging.Logger MICROMETER_LOG = java.util.logging.Logger.getLogger("io.micrometer");

  private Metrics() {}

  /**
   * Starts the registry and its JVM meters; returns the span listener recording RED metrics.
   *
   * @param publisherThreads makes the threads that publish, which must not be traced themselves
   */
  public static Consumer<Span> start(AgentConfig config, ThreadFactory publisherThreads,
      Map<String, LongSupplier> exporterCounters) {
    MICROMETER_LOG.setLevel(java.util.logging.Level.WARNING);
    String exporter = config.metricsExporter().toLowerCase(Locale.ROOT);
    Consumer<List<MetricDatum>> sink;
    switch (exporter) {
      case "emf":
        sink = new EmfWriter(System.out, config.metricsNamespace());
        break;
      case "cloudwatch":
      case "collector":
        String endpoint = config.metricsEndpoint();
        if (endpoint == null) {
          if (exporter.equals("collector")) {
            endpoint = "http://127.0.0.1:4318";
          } else {
            endpoint = "https://monitoring." + config.region() + ".amazonaws.com";
          }
        }
        String accessKey = env("AWS_ACCESS_KEY_ID", exporter.equals("collector") ? "trailmark" : null);
        String secretKey = env("AWS_SECRET_ACCESS_KEY", exporter.equals("collector") ? "trailmark" : null);
        if (accessKey == null || secretKey == null) {
          throw new IllegalArgumentException(
              "TRAILMARK_METRICS_EXPORTER=cloudwatch needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        sink = new PutMetricDataSender(URI.create(endpoint), config.metricsNamespace(),
            new SigV4(accessKey, secretKey, System.getenv("AWS_SESSION_TOKEN"), config.region(), "monitoring"));
        break;
      default:
        throw new IllegalArgumentException(
            "TRAILMARK_METRICS_EXPORTER '" + exporter + "' is not one of none|emf|cloudwatch|collector");
    }
    CloudWatchStepRegistry registry =
        new CloudWatchStepRegistry(Duration.ofMillis(config.metricsStepMillis()), sink);
    registry.config().commonTags(Tags.of("service", config.serviceName()));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // The agent's own health: spans exported, dropped by a full queue, failed to send, per exporter.
    for (Map.Entry<String, LongSupplier> counter : exporterCounters.entrySet()) {
      String[] nameAndExporter = counter.getKey().split(":");
      LongSupplier value = counter.getValue();
      FunctionCounter.builder(nameAndExporter[0], value, LongSupplier::getAsLong)
          .tag("exporter", nameAndExporter[1])
          .register(registry);
    }
    registry.start(publisherThreads);
    // The last, partial step is published at exit, so that short-lived processes report too.
    Runtime.getRuntime().addShutdownHook(publisherThreads.newThread(new Runnable() {
      @Override
      public void run() {
        registry.close();
      }
    }));
    return new RedMetrics(registry, config.serviceName());
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
