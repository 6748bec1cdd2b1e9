package dev.trailmark.agent.internal;

import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.internal.config.AgentConfig;
import dev.trailmark.agent.internal.export.BatchingSpanExporter;
import dev.trailmark.agent.internal.export.OtlpExport;
import dev.trailmark.agent.internal.export.XraySegmentEncoder;
import dev.trailmark.agent.internal.export.XrayUdpExporter;
import dev.trailmark.agent.internal.metrics.Metrics;
import dev.trailmark.agent.internal.probe.ApacheHttpClientProbe;
import dev.trailmark.agent.internal.probe.AwsSdkProbe;
import dev.trailmark.agent.internal.probe.ExecutorProbe;
import dev.trailmark.agent.internal.probe.GrpcProbe;
import dev.trailmark.agent.internal.probe.JdbcProbe;
import dev.trailmark.agent.internal.probe.JdkHttpClientProbe;
import dev.trailmark.agent.internal.probe.JdkHttpServerProbe;
import dev.trailmark.agent.internal.probe.JettyProbe;
import dev.trailmark.agent.internal.probe.KafkaProbe;
import dev.trailmark.agent.internal.probe.LambdaProbe;
import dev.trailmark.agent.internal.probe.LogbackProbe;
import dev.trailmark.agent.internal.probe.OkHttpProbe;
import dev.trailmark.agent.internal.probe.OtelApiProbe;
import dev.trailmark.agent.internal.probe.Probe;
import dev.trailmark.agent.internal.probe.ReactorNettyProbe;
import dev.trailmark.agent.internal.probe.ServletProbe;
import dev.trailmark.agent.internal.probe.SpringWebFluxProbe;
import dev.trailmark.agent.internal.probe.SqsConsumerProbe;
import dev.trailmark.agent.internal.probe.UrlConnectionProbe;
import dev.trailmark.agent.internal.probe.WithSpanProbe;
import dev.trailmark.agent.internal.probe.XraySdkProbe;
import dev.trailmark.agent.internal.trace.Propagation;
import dev.trailmark.agent.internal.trace.Sampler;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.Tracer;
import dev.trailmark.agent.internal.weave.Rule;
import dev.trailmark.agent.internal.weave.Weaver;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Starts the agent inside its own class loader: reads the settings, builds the tracer, installs the
 * advice.
 */
public final class AgentInstaller {

  static final String VERSION = dev.trailmark.agent.internal.trace.AgentVersion.VERSION;

  /** How long a Lambda invocation's response may wait for its spans to be exported. */
  static final long LAMBDA_FLUSH_MILLIS = 2_000;

  private AgentInstaller() {}

  /** Called reflectively by {@code AgentPremain}. */
  public static void install(
      java.lang.instrument.Instrumentation inst, String args, ClassLoader agentLoader) {
    AgentConfig config = AgentConfig.fromEnvironment();
    List<Probe> probes = probes(config);
    List<Rule> rules = new ArrayList<>();
    for (int hook = 0; hook < probes.size(); hook++) {
      rules.addAll(probes.get(hook).rules(hook << 4));
    }
    // Weave first: a class the agent's own set-up loads (java.net.http's client, say) must already
    // be
    // woven, since wrapping cannot be added to a loaded class. Hooks stay no-ops until set below.
    Weaver weaver = new Weaver(rules, inst, Bridge.class.getModule(), config.debug());
    weaver.install();
    for (Probe probe : probes) {
      probe.install(inst, weaver);
    }
    Telemetry telemetry = Telemetry.create(config, probes);
    Bridge.hooks = telemetry.hooks();
    if (config.debug()) {
      System.err.println(
          "[trailmark-agent] "
              + VERSION
              + " started for service '"
              + config.serviceName()
              + "' with "
              + config.settings()
              + "; watching "
              + rules);
    }
  }

  static List<Probe> probes(AgentConfig config) {
    SqsConsumerProbe sqsConsumer = new SqsConsumerProbe();
    boolean consumers = config.instrumentationEnabled(sqsConsumer.name());
    AwsSdkProbe awsSdk = new AwsSdkProbe(consumers ? sqsConsumer : null);
    List<Probe> all =
        List.of(
            new JdkHttpServerProbe(),
            new ServletProbe(),
            new JettyProbe(),
            new JdkHttpClientProbe(),
            new UrlConnectionProbe(),
            new ApacheHttpClientProbe(),
            new OkHttpProbe(),
            new GrpcProbe(),
            new ReactorNettyProbe(),
            new SpringWebFluxProbe(),
            awsSdk,
            sqsConsumer,
            new KafkaProbe(),
            new JdbcProbe(),
            new XraySdkProbe(config.instrumentationEnabled(awsSdk.name()) ? awsSdk : null),
            new LambdaProbe(),
            new LogbackProbe(),
            new ExecutorProbe(),
            new OtelApiProbe(),
            new WithSpanProbe());
    List<Probe> enabled = new ArrayList<>();
    for (Probe probe : all) {
      if (config.instrumentationEnabled(probe.name())) {
        enabled.add(probe);
      }
    }
    return enabled;
  }

  /** The tracer and its exporters, built from the settings. */
  static final class Telemetry {
    private final Tracer tracer;
    private final HooksImpl hooks;

    private Telemetry(Tracer tracer, HooksImpl hooks) {
      this.tracer = tracer;
      this.hooks = hooks;
    }

    static Telemetry create(AgentConfig config, List<Probe> probes) {
      List<Consumer<Span>> listeners = new ArrayList<>();
      Runnable untraced =
          new Runnable() {
            @Override
            public void run() {
              HooksImpl.SUPPRESSED.set(Boolean.TRUE); // an exporter's own calls are not traced
            }
          };
      List<BatchingSpanExporter> exporters = new ArrayList<>();
      if (config.tracesExporters().contains("xray")) {
        exporters.add(
            new BatchingSpanExporter(
                "xray",
                new XrayUdpExporter(
                    new XraySegmentEncoder(
                        config.serviceName(), config.resourceAttributes(), VERSION),
                    config.xrayDaemon()),
                config.exportQueueBytes(),
                untraced));
      }
      if (config.tracesExporters().contains("otlp")) {
        if (config.otlpEndpoint() == null) {
          throw new IllegalArgumentException(
              "OTEL_TRACES_EXPORTER=otlp needs OTEL_EXPORTER_OTLP_ENDPOINT");
        }
        exporters.add(
            new BatchingSpanExporter(
                "otlp",
                OtlpExport.exporter(config.otlpEndpoint()),
                config.exportQueueBytes(),
                untraced));
      }
      Map<String, LongSupplier> counters = new LinkedHashMap<>();
      for (BatchingSpanExporter exporter : exporters) {
        listeners.add(exporter);
        counters.put(
            "trailmark.spans.exported:" + exporter.name(),
            new LongSupplier() {
              @Override
              public long getAsLong() {
                return exporter.exported();
              }
            });
        counters.put(
            "trailmark.spans.dropped:" + exporter.name(),
            new LongSupplier() {
              @Override
              public long getAsLong() {
                return exporter.dropped();
              }
            });
        counters.put(
            "trailmark.spans.failed:" + exporter.name(),
            new LongSupplier() {
              @Override
              public long getAsLong() {
                return exporter.failed();
              }
            });
      }
      if (!"none".equals(config.metricsExporter())) {
        listeners.add(
            Metrics.start(
                config,
                new ThreadFactory() {
                  @Override
                  public Thread newThread(Runnable task) {
                    Thread thread =
                        new Thread(
                            new Runnable() {
                              @Override
                              public void run() {
                                HooksImpl.SUPPRESSED.set(
                                    Boolean.TRUE); // the publisher's own HTTP calls are not traced
                                task.run();
                              }
                            },
                            "trailmark-metrics");
                    thread.setDaemon(true);
                    return thread;
                  }
                },
                counters));
      }

      String lambdaEnv = config.lambdaTraceHeader();
      // The Lambda Java runtime sets this property per invocation; the variable holds the first
      // one.
      Supplier<String> lambda =
          new Supplier<String>() {
            @Override
            public String get() {
              String value = System.getProperty("com.amazonaws.xray.traceHeader");
              return value != null ? value : lambdaEnv;
            }
          };
      Tracer tracer =
          new Tracer(
              Sampler.of(config.sampler(), config.samplerArg()),
              lambda,
              listeners,
              resource(config));
      HooksImpl hooks = new HooksImpl(tracer, new Propagation(config.propagators()), probes);
      hooks.flusher(
          new Runnable() {
            @Override
            public void run() {
              for (BatchingSpanExporter exporter : exporters) {
                exporter.flush(LAMBDA_FLUSH_MILLIS);
              }
            }
          });
      return new Telemetry(tracer, hooks);
    }

    /**
     * The OpenTelemetry resource of every span: OTEL_RESOURCE_ATTRIBUTES, the service name, the
     * agent.
     */
    static Resource resource(AgentConfig config) {
      AttributesBuilder attributes = Attributes.builder();
      for (Map.Entry<String, String> attribute : config.resourceAttributes().entrySet()) {
        attributes.put(attribute.getKey(), attribute.getValue());
      }
      attributes.put("service.name", config.serviceName());
      attributes.put("telemetry.sdk.name", "opentelemetry");
      attributes.put("telemetry.sdk.language", "java");
      attributes.put("telemetry.distro.name", "trailmark-agent");
      attributes.put("telemetry.distro.version", VERSION);
      return Resource.create(attributes.build());
    }

    Tracer tracer() {
      return tracer;
    }

    HooksImpl hooks() {
      return hooks;
    }
  }
}
