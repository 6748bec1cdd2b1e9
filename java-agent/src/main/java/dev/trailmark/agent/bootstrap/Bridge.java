package dev.trailmark.agent.bootstrap;

/**
 * The one static field instrumented code reaches the agent through; lives on the bootstrap class path so
 * that every class loader, the JDK's included, sees the same one.
 */
public final class Bridge {

  /** The agent's hooks; no-ops until the agent has started. */
  public static volatile Hooks hooks = new Hooks();

  private Bridge() {}
}
