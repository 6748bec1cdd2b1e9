package dev.trailmark.agent.internal.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, read once at start from system properties (lower-case, dotted: {@code
 * otel.service.name}) and environment variables ({@code OTEL_SERVICE_NAME}); a system property
 * wins.
 */
public final class AgentConfig {

  /** Default bound of the span export queue, in bytes of encoded documents. */
  public static final long DEFAULT_EXPORT_QUEUE_BYTES = 1L << 20;

  private final String serviceName;
  private final Map<String, String> resourceAttributes;
  private final List<String> propagators;
  private final String sampler;
  private final String samplerArg;
  private final List<String> tracesExporters;
  private final String otlpEndpoint;
  private final InetSocketAddress xrayDaemon;
  private final long exportQueueBytes;
  private final boolean debug;
  private final String metricsExporter;
  private final String metricsEndpoint;
  private final String metricsNamespace;
  private final long metricsStepMillis;
  private final String region;
  private final String lambdaTraceHeader;
  private final Map<String, String> raw;

  private AgentConfig(Map<String, String> env, Properties props) {
    Map<String, String> raw = new LinkedHashMap<>();
    this.raw = raw;
    Reader r = new Reader(env, props, raw);
    this.resourceAttributes = parsePairs(r.get("otel.resource.attributes", ""));
    String service = r.get("otel.service.name", null);
    if (service == null || service.isBlank()) {
      service = resourceAttributes.getOrDefault("service.name", "unknown_service:java");
    }
    this.serviceName = service.trim();
    this.propagators = parseList(r.get("otel.propagators", "xray,tracecontext"));
    this.sampler = r.get("otel.traces.sampler", "parentbased_xray").trim().toLowerCase(Locale.ROOT);
    this.samplerArg = r.get("otel.traces.sampler.arg", null);
    this.otlpEndpoint = r.get("otel.exporter.otlp.endpoint", null);
    String exporters = r.get("otel.traces.exporter", otlpEndpoint == null ? "xray" : "xray,otlp");
    this.tracesExporters = parseList(exporters);
    for (String exporter : tracesExporters) {
      if (!exporter.equals("xray") && !exporter.equals("otlp") && !exporter.equals("none")) {
        throw new IllegalArgumentException(
            "OTEL_TRACES_EXPORTER '" + exporter + "' is not one of xray|otlp|none");
      }
    }
    this.xrayDaemon = parseDaemon(r.get("aws.xray.daemon.address", "127.0.0.1:2000"));
    this.exportQueueBytes =
        parseLong(r.get("trailmark.export.queue.bytes", null), DEFAULT_EXPORT_QUEUE_BYTES);
    this.debug = Boolean.parseBoolean(r.get("trailmark.debug", "false"));
    this.metricsExporter =
        r.get("trailmark.metrics.exporter", "none").trim().toLowerCase(Locale.ROOT);
    this.metricsEndpoint = r.get("trailmark.metrics.endpoint", null);
    this.metricsNamespace = r.get("trailmark.metrics.namespace", "Trailmark");
    this.metricsStepMillis = parseLong(r.get("trailmark.metrics.step.millis", null), 60_000L);
    String region = r.get("aws.region", null);
    this.region = region != null ? region : r.get("aws.default.region", "us-east-1");
    this.lambdaTraceHeader = r.get("_x.amzn.trace.id", null);
  }

  /** Reads the process's environment and system properties. */
  public static AgentConfig fromEnvironment() {
    return new AgentConfig(System.getenv(), System.getProperties());
  }

  /** Reads the given environment and properties (tests). */
  public static AgentConfig from(Map<String, String> env, Properties props) {
    return new AgentConfig(env, props);
  }

  public String serviceName() {
    return serviceName;
  }

  public Map<String, String> resourceAttributes() {
    return resourceAttributes;
  }

  /** Lower-case propagator names in extraction order: {@code xray}, {@code tracecontext}. */
  public List<String> propagators() {
    return propagators;
  }

  public String sampler() {
    return sampler;
  }

  public String samplerArg() {
    return samplerArg;
  }

  /** {@code xray}, {@code otlp} or {@code none}. */
  public List<String> tracesExporters() {
    return tracesExporters;
  }

  public String otlpEndpoint() {
    return otlpEndpoint;
  }

  public InetSocketAddress xrayDaemon() {
    return xrayDaemon;
  }

  public long exportQueueBytes() {
    return exportQueueBytes;
  }

  public boolean debug() {
    return debug;
  }

  /** {@code none}, {@code cloudwatch}, {@code emf} or {@code collector}. */
  public String metricsExporter() {
    return metricsExporter;
  }

  public String metricsEndpoint() {
    return metricsEndpoint;
  }

  public String metricsNamespace() {
    return metricsNamespace;
  }

  public long metricsStepMillis() {
    return metricsStepMillis;
  }

  public String region() {
    return region;
  }

  /** The Lambda runtime's {@code _X_AMZN_TRACE_ID}, or null outside Lambda. */
  public String lambdaTraceHeader() {
    return lambdaTraceHeader;
  }

  /**
   * Whether {@code trailmark.instrumentation.<name>.enabled} (default true) lets an instrumentation
   * in.
   */
  public boolean instrumentationEnabled(String name) {
    return !"false"
        .equalsIgnoreCase(
            raw.get("trailmark.instrumentation." + name.replace('-', '.') + ".enabled"));
  }

  /** Every Trailmark, OTel and X-Ray setting that was read, for the debug print. */
  public Map<String, String> settings() {
    return Collections.unmodifiableMap(raw);
  }

  private static final class Reader {
    private final Map<String, String> env;
    private final Properties props;
    private final Map<String, String> seen;

    Reader(Map<String, String> env, Properties props, Map<String, String> seen) {
      this.env = env;
      this.props = props;
      this.seen = seen;
      // Per-instrumentation switches are open-ended: collect them all.
      for (String name : props.stringPropertyNames()) {
        if (name.startsWith("trailmark.instrumentation.")) {
          seen.put(name.replace('-', '.'), props.getProperty(name));
        }
      }
      for (Map.Entry<String, String> e : env.entrySet()) {
        if (e.getKey().startsWith("TRAILMARK_INSTRUMENTATION_")) {
          seen.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
        }
      }
    }

    String get(String property, String fallback) {
      String value = props.getProperty(property);
      if (value == null) {
        String envName = property.toUpperCase(Locale.ROOT).replace('.', '_');
        value = env.get(envName);
      }
      if (value != null) {
        seen.put(property, value);
        return value;
      }
      return fallback;
    }
  }

  static List<String> parseList(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim().toLowerCase(Locale.ROOT);
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return Collections.unmodifiableList(out);
  }

  static Map<String, String> parsePairs(String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  static InetSocketAddress parseDaemon(String value) {
    // Either "host:port" or the SDK's "tcp:host:port udp:host:port" form; spans go over UDP.
    String address = value.trim();
    for (String part : address.split("\\s+")) {
      if (part.startsWith("udp:")) {
        address = part.substring(4);
      }
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "AWS_XRAY_DAEMON_ADDRESS must be host:port, got '" + value + "'");
    }
    return InetSocketAddress.createUnresolved(
        address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
  }

  private static long parseLong(String value, long fallback) {
    return value == null ? fallback : Long.parseLong(value.trim());
  }
}
