package dev.trailmark.agent.bootstrap;

/**
 * What woven code calls: static methods on the bootstrap class path, so that every class loader,
 * the JDK's included, sees the same ones. Each one swallows whatever the agent throws, so
 * instrumentation can never break the application; the agent installs its {@link Hooks} at start.
 */
public final class Bridge {

  /** The agent's hooks; no-ops until the agent has started. */
  public static volatile Hooks hooks = new Hooks();

  private Bridge() {}

  /** Called on entry to a wrapped method; may replace reference arguments in {@code args}. */
  public static Object enter(int hook, Object self, Object[] args) {
    try {
      return hooks.enter(hook, self, args);
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * Called when a wrapped method returns or throws; {@code scope} is what {@link #enter} returned.
   * Returns what the method returns: {@code result}, or a replacement of the same type (reference
   * results only; a primitive result is never replaced).
   */
  public static Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
    if (scope == null) {
      return result;
    }
    try {
      return hooks.exit(hook, scope, self, result, thrown);
    } catch (Throwable t) {
      return result; // never into the application
    }
  }

  /** Wraps a task handed to an executor so that it runs in the submitter's trace context. */
  public static Object wrapTask(Object task) {
    try {
      return task instanceof Runnable ? hooks.wrap((Runnable) task) : task;
    } catch (Throwable t) {
      return task;
    }
  }

  /** Called at the end of a Logback {@code LoggingEvent} constructor. */
  public static void logEvent(Object event) {
    try {
      hooks.logEvent(event);
    } catch (Throwable t) {
      // never into the application
    }
  }
}
