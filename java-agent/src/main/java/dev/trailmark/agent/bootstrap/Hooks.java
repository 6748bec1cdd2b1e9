package dev.trailmark.agent.bootstrap;

/**
 * The agent's side of {@link Bridge}; these defaults do nothing, so woven code is harmless before
 * the agent has started. Only JDK types cross this boundary: woven code runs in class loaders that
 * cannot see the agent's classes.
 */
public class Hooks {

  /** See {@link Bridge#enter}. Returns a scope object, or null to skip the matching exit. */
  public Object enter(int hook, Object self, Object[] args) {
    return null;
  }

  /** See {@link Bridge#exit}. */
  public Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
    return result;
  }

  /** See {@link Bridge#wrapTask}. */
  public Runnable wrap(Runnable task) {
    return task;
  }

  /** See {@link Bridge#logEvent}. */
  public void logEvent(Object event) {}
}
