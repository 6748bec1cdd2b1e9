package dev.trailmark.agent.internal.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Decides whether a new trace is recorded. Parent-based: a decision carried by the caller is
 * followed; only a trace that starts here (or arrives with {@code Sampled=?}) is decided by the
 * root sampler, an OpenTelemetry SDK {@link io.opentelemetry.sdk.trace.samplers.Sampler}: the SDK's
 * own {@code always_on}, {@code always_off} and {@code traceidratio} (so a trace gets the same
 * decision here as in a service running the OpenTelemetry SDK), or {@link XrayDefault}, X-Ray's
 * default rule.
 *
 * <p>The parent-based step is done here rather than by the SDK's {@code parentBased} sampler
 * because an X-Ray header can carry a trace with no decision ({@code Sampled=?}), which an SDK span
 * context cannot.
 */
public final class Sampler {

  // Anonymous classes, not lambdas, on the start-up path: a lambda's first bootstrap costs tens of
  // ms.
  private static final LongSupplier NANO_TIME =
      new LongSupplier() {
        @Override
        public long getAsLong() {
          return System.nanoTime();
        }
      };

  private static final List<LinkData> NO_LINKS = Collections.emptyList();

  private final io.opentelemetry.sdk.trace.samplers.Sampler root;
  private final boolean parentBased;

  Sampler(io.opentelemetry.sdk.trace.samplers.Sampler root, boolean parentBased) {
    this.root = root;
    this.parentBased = parentBased;
  }

  /** Decides for a span whose remote parent is {@code parent} (null when the trace starts here). */
  public boolean sample(SpanContext parent, String traceId) {
    if (parent != null && parentBased && parent.sampled() != SpanContext.SAMPLED_UNKNOWN) {
      return parent.isSampled();
    }
    // The root sampler sees no parent: the decision is this service's to make (no allocation per
    // call).
    return root.shouldSample(
                Context.root(), traceId, "", SpanKind.SERVER, Attributes.empty(), NO_LINKS)
            .getDecision()
        == SamplingDecision.RECORD_AND_SAMPLE;
  }

  /** The sampler named by {@code OTEL_TRACES_SAMPLER} and {@code OTEL_TRACES_SAMPLER_ARG}. */
  public static Sampler of(String name, String arg) {
    boolean parentBased = name.startsWith("parentbased_");
    String root = parentBased ? name.substring("parentbased_".length()) : name;
    io.opentelemetry.sdk.trace.samplers.Sampler rootSampler;
    switch (root.toLowerCase(Locale.ROOT)) {
      case "always_on":
        rootSampler = io.opentelemetry.sdk.trace.samplers.Sampler.alwaysOn();
        break;
      case "always_off":
        rootSampler = io.opentelemetry.sdk.trace.samplers.Sampler.alwaysOff();
        break;
      case "traceidratio":
        rootSampler =
            io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(ratio(arg, 1.0));
        break;
      case "xray":
        rootSampler = new XrayDefault(NANO_TIME, 1, ratio(arg, 0.05));
        break;
      default:
        throw new IllegalArgumentException(
            "OTEL_TRACES_SAMPLER '"
                + name
                + "' is not one of [parentbased_]always_on|always_off|traceidratio|xray");
    }
    return new Sampler(rootSampler, parentBased);
  }

  private static double ratio(String arg, double fallback) {
    double ratio;
    try {
      ratio = arg == null ? fallback : Double.parseDouble(arg.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "OTEL_TRACES_SAMPLER_ARG must be a number within [0, 1], got '" + arg + "'");
    }
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException(
          "OTEL_TRACES_SAMPLER_ARG must be within [0, 1], got " + arg);
    }
    return ratio;
  }

  /**
   * X-Ray's default sampling rule as an SDK sampler: a reservoir of {@code perSecond} traces each
   * second, then {@code rate} of the rest.
   */
  static final class XrayDefault implements io.opentelemetry.sdk.trace.samplers.Sampler {
    private final LongSupplier nanoClock;
    private final int perSecond;
    private final double rate;
    private long second = Long.MIN_VALUE;
    private int taken;

    XrayDefault(LongSupplier nanoClock, int perSecond, double rate) {
      this.nanoClock = nanoClock;
      this.perSecond = perSecond;
      this.rate = rate;
    }

    @Override
    public SamplingResult shouldSample(
        Context parentContext,
        String traceId,
        String name,
        SpanKind spanKind,
        Attributes attributes,
        List<LinkData> parentLinks) {
      return sample() ? SamplingResult.recordAndSample() : SamplingResult.drop();
    }

    boolean sample() {
      long now = nanoClock.getAsLong() / 1_000_000_000L;
      synchronized (this) {
        if (now != second) {
          second = now;
          taken = 0;
        }
        if (taken < perSecond) {
          taken++;
          return true;
        }
      }
      return ThreadLocalRandom.current().nextDouble() < rate;
    }

    @Override
    public String getDescription() {
      return "XrayDefaultRule{" + perSecond + "/s, then " + rate + "}";
    }
  }
}
