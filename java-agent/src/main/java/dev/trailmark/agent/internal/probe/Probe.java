package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import dev.trailmark.agent.internal.weave.Weaver;
import java.util.List;

/**
 * One instrumentation: the methods it weaves ({@link #rules}) and what happens when they are
 * entered and left. Each is switched off by {@code TRAILMARK_INSTRUMENTATION_<NAME>_ENABLED=false}.
 */
public abstract class Probe {

  /** The name used by the enable switch and the debug print, e.g. {@code jdk-httpserver}. */
  public abstract String name();

  /**
   * The rules to weave, each carrying {@code hook} plus a tag below 16 when the probe must tell its
   * methods apart (the tag is handed back to {@link #enter} and {@link #exit}).
   */
  public abstract List<Rule> rules(int hook);

  /**
   * Called once the weaver is installed, for a probe whose methods are found otherwise than by name
   * (by annotation); most probes have nothing to do here.
   */
  public void install(java.lang.instrument.Instrumentation inst, Weaver weaver) {}

  /**
   * On entry of a wrapped method; returns a scope for {@link #exit}, or null. May replace {@code
   * args}.
   */
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    return null;
  }

  /**
   * When a wrapped method returns ({@code result}, boxed) or throws ({@code thrown}); returns the
   * result to hand back, normally {@code result} itself.
   */
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    return result;
  }
}
