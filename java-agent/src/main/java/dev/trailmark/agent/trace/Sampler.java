package dev.trailmark.agent.trace;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Decides whether a new trace is recorded. Parent-based: a decision carried by the caller is followed;
 * only a trace that starts here (or arrives with {@code Sampled=?}) is decided by the root rule.
 */
public abstract class Sampler {

  // Anonymous classes, not lambdas, on the start-up path: a lambda's first bootstrap costs tens of ms.
  private static final LongSupplier NANO_TIME = new LongSupplier() {
    @Override
    public long getAsLong() {
      return System.nanoTime();
    }
  };

  /** Decides for a trace with no decision yet. */
  abstract boolean sampleRoot(String traceId);

  /** Decides for a span whose remote parent is {@code parent} (null when the trace starts here). */
  public final boolean sample(SpanContext parent, String traceId) {
    if (parent != null && parentBased() && parent.sampled() != SpanContext.SAMPLED_UNKNOWN) {
      return parent.isSampled();
    }
    return sampleRoot(traceId);
  }

  boolean parentBased() {
    return true;
  }

  /** The sampler named by {@code OTEL_TRACES_SAMPLER} and {@code OTEL_TRACES_SAMPLER_ARG}. */
  public static Sampler of(String name, String arg) {
    boolean parentBased = name.startsWith("parentbased_");
    String root = parentBased ? name.substring("parentbased_".length()) : name;
    Sampler rootSampler;
    switch (root.toLowerCase(Locale.ROOT)) {
      case "always_on":
        rootSampler = new Fixed(true);
        break;
      case "always_off":
        rootSampler = new Fixed(false);
        break;
      case "traceidratio":
        rootSampler = new Ratio(arg == null ? 1.0 : Double.parseDouble(arg));
        break;
      case "xray":
        rootSampler = new XrayDefault(NANO_TIME, 1, arg == null ? 0.05 : Double.parseDouble(arg));
        break;
      default:
        throw new IllegalArgumentException(
            "OTEL_TRACES_SAMPLER '" + name + "' is not one of [parentbased_]always_on|always_off|traceidratio|xray");
    }
    if (!parentBased) {
      Sampler inner = rootSampler;
      return new Sampler() {
        @Override
        boolean sampleRoot(String traceId) {
          return inner.sampleRoot(traceId);
        }

        @Override
        boolean parentBased() {
          return false;
        }
      };
    }
    return rootSampler;
  }

  static final class Fixed extends Sampler {
    private final boolean decision;

    Fixed(boolean decision) {
      this.decision = decision;
    }

    @Override
    boolean sampleRoot(String traceId) {
      return decision;
    }
  }

  /** Samples a fixed share of trace ids, deterministically (every service agrees on the same trace). */
  static final class Ratio extends Sampler {
    private final long bound;

    Ratio(double ratio) {
      if (ratio < 0 || ratio > 1) {
        throw new IllegalArgumentException("OTEL_TRACES_SAMPLER_ARG must be within [0, 1], got " + ratio);
      }
      this.bound = (long) (ratio * Long.MAX_VALUE);
    }

    @Override
    boolean sampleRoot(String traceId) {
      long low = Long.parseUnsignedLong(traceId.substring(16), 16) & Long.MAX_VALUE;
      return low < bound;
    }
  }

  /** X-Ray's default rule: a reservoir of {@code perSecond} traces each second, then {@code rate} of the rest. */
  static final class XrayDefault extends Sampler {
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
    boolean sampleRoot(String traceId) {
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
  }
}
