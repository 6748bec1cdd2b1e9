package dev.trailmark.agent;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.bootstrap.Hooks;
import dev.trailmark.agent.config.AgentConfig;
import dev.trailmark.agent.export.XraySegmentEncoder;
import dev.trailmark.agent.export.XrayUdpExporter;
import dev.trailmark.agent.instrument.Instrumentation;
import dev.trailmark.agent.instrument.executor.ExecutorInstrumentation;
import dev.trailmark.agent.instrument.httpclient.JdkHttpClientInstrumentation;
import dev.trailmark.agent.instrument.httpserver.HttpServerInstrumentation;
import dev.trailmark.agent.instrument.logback.LogbackInstrumentation;
import dev.trailmark.agent.trace.Propagation;
import dev.trailmark.agent.trace.Sampler;
import dev.trailmark.agent.trace.Span;
import dev.trailmark.agent.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/** Starts the agent inside its own class loader: reads the settings, builds the tracer, installs the advice. */
public final class AgentInstaller {

  static final String VERSION = "0.1.0";

  private AgentInstaller() {}

  /** Called reflectively by {@code AgentPremain}. */
  public static void install(java.lang.instrument.Instrumentation inst, String args, ClassLoader agentLoader) {
    AgentConfig config = AgentConfig.fromEnvironment();
    Telemetry telemetry = Telemetry.create(config);
    Bridge.hooks = telemetry.hooks();
    installAdvice(inst, config, agentLoader, instrumentations(config));
    if (config.debug()) {
      System.err.println("[trailmark-agent] " + VERSION + " started for service '" + config.serviceName()
          + "' with " + config.settings());
    }
  }

  static List<Instrumentation> instrumentations(AgentConfig config) {
    List<Instrumentation> all = List.of(
        new HttpServerInstrumentation(),
        new JdkHttpClientInstrumentation(),
        new LogbackInstrumentation(),
        new ExecutorInstrumentation());
    List<Instrumentation> enabled = new ArrayList<>();
    for (Instrumentation i : all) {
      if (config.instrumentationEnabled(i.name())) {
        enabled.add(i);
      }
    }
    return enabled;
  }

  private static void installAdvice(
      java.lang.instrument.Instrumentation inst,
      AgentConfig config,
      ClassLoader agentLoader,
      List<Instrumentation> instrumentations) {
    AgentBuilder builder = new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        // JDK classes are instrumented too (the HTTP server and client, the executors): only ours are skipped.
        .ignore(nameStartsWith("dev.trailmark.agent.").or(nameStartsWith("net.bytebuddy.")).or(isSynthetic()))
        .assureReadEdgeTo(inst, Bridge.class, Hooks.class)
        .with(new Reporter(config.debug()));
    for (Instrumentation instrumentation : instrumentations) {
      AgentBuilder.Transformer.ForAdvice transformer = new AgentBuilder.Transformer.ForAdvice()
          .include(agentLoader)
          .withExceptionHandler(net.bytebuddy.asm.Advice.ExceptionHandler.Default.PRINTING);
      for (Instrumentation.MethodAdvice advice : instrumentation.advice()) {
        transformer = transformer.advice(advice.methods(), advice.adviceClass());
      }
      builder = builder.type(instrumentation.types()).transform(transformer);
    }
    builder.installOn(inst);
  }

  /** Prints what was instrumented when debugging, and every failure to instrument always. */
  private static final class Reporter extends AgentBuilder.Listener.Adapter {
    private final boolean debug;

    Reporter(boolean debug) {
      this.debug = debug;
    }

    @Override
    public void onTransformation(
        TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
      if (debug) {
        System.err.println("[trailmark-agent] instrumented " + type.getName()
            + " (" + (loader == null ? "bootstrap" : loader.getClass().getName()) + ")");
      }
    }

    @Override
    public void onError(String name, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      System.err.println("[trailmark-agent] could not instrument " + name + ": " + error);
    }
  }

  /** The tracer and its exporters, built from the settings. */
  static final class Telemetry {
    private final Tracer tracer;
    private final HooksImpl hooks;
    private final XrayUdpExporter xray;

    private Telemetry(Tracer tracer, HooksImpl hooks, XrayUdpExporter xray) {
      this.tracer = tracer;
      this.hooks = hooks;
      this.xray = xray;
    }

    static Telemetry create(AgentConfig config) {
      List<Consumer<Span>> listeners = new ArrayList<>();
      XrayUdpExporter xray = null;
      if (config.tracesExporters().contains("xray")) {
        xray = new XrayUdpExporter(
            new XraySegmentEncoder(config.serviceName(), config.resourceAttributes(), VERSION),
            config.xrayDaemon(),
            config.exportQueueBytes());
        listeners.add(xray);
      }
      String lambdaEnv = config.lambdaTraceHeader();
      // The Lambda Java runtime sets this property per invocation; the variable holds the first one.
      Supplier<String> lambda = () -> {
        String value = System.getProperty("com.amazonaws.xray.traceHeader");
        return value != null ? value : lambdaEnv;
      };
      Tracer tracer = new Tracer(Sampler.of(config.sampler(), config.samplerArg()), lambda, listeners);
      return new Telemetry(tracer, new HooksImpl(tracer, new Propagation(config.propagators())), xray);
    }

    Tracer tracer() {
      return tracer;
    }

    HooksImpl hooks() {
      return hooks;
    }

    XrayUdpExporter xray() {
      return xray;
    }
  }
}
