package dev.trailmark.agent.internal.weave;

/**
 * Methods of every shape the weaver wraps: reference, primitive and void results, a throw, a
 * static.
 */
public class Sample {

  private final String prefix;

  public Sample(String prefix) {
    this.prefix = prefix;
  }

  public String greet(String name) {
    return prefix + name;
  }

  public long add(int a, long b, double ignored) {
    return a + b;
  }

  public void fail(String message) {
    throw new IllegalStateException(message);
  }

  public static String twice(String s) {
    return s + s;
  }

  public void run(Runnable task) {
    task.run();
  }
}
