package dev.trailmark.agent.internal.weave;

/**
 * One change to one method of one class. Three kinds, from most to least capable:
 *
 * <ul>
 *   <li>{@link #wrap}: the method is renamed and a method of the original name calls {@link
 *       dev.trailmark.agent.bootstrap.Bridge#enter}, the original, and {@link
 *       dev.trailmark.agent.bootstrap.Bridge#exit} (also when it throws). Adds a method, so only
 *       for classes being loaded, never for retransformed ones.
 *   <li>{@link #wrapTaskArgument}: replaces a Runnable argument on entry. Safe for loaded classes.
 *   <li>{@link #constructorExit}: calls a bridge method with {@code this} before a constructor
 *       returns. Safe for loaded classes.
 * </ul>
 */
public final class Rule {

  enum Kind {
    WRAP,
    TASK_ARGUMENT,
    CONSTRUCTOR_EXIT
  }

  final Kind kind;
  final String className; // internal name: java/util/concurrent/ThreadPoolExecutor
  final String method;
  final String descriptor;
  final int hook;
  final int argument;
  final String instrumentation;
  final String site; // a WRAP rule's constant passed after the arguments, or null

  private Rule(
      Kind kind,
      String instrumentation,
      String className,
      String method,
      String descriptor,
      int hook,
      int argument,
      String site) {
    this.site = site;
    this.kind = kind;
    this.instrumentation = instrumentation;
    this.className = className.replace('.', '/');
    this.method = method;
    this.descriptor = descriptor;
    this.hook = hook;
    this.argument = argument;
  }

  /**
   * Wraps {@code method} with enter/exit calls carrying {@code hook}; {@code descriptor} is exact,
   * or null for every overload of that name (JDBC's many {@code execute} variants share one probe).
   */
  public static Rule wrap(
      String instrumentation, String className, String method, String descriptor, int hook) {
    return new Rule(Kind.WRAP, instrumentation, className, method, descriptor, hook, -1, null);
  }

  /**
   * Like {@link #wrap}, for many methods sharing one hook: the enter hook's argument array has one
   * more element after the method's arguments, {@code site}, which tells them apart.
   */
  public static Rule wrapSite(
      String instrumentation,
      String className,
      String method,
      String descriptor,
      int hook,
      String site) {
    return new Rule(Kind.WRAP, instrumentation, className, method, descriptor, hook, -1, site);
  }

  /** Passes argument {@code argument} (a Runnable) through {@code Bridge.wrapTask} on entry. */
  public static Rule wrapTaskArgument(
      String instrumentation, String className, String method, String descriptor, int argument) {
    return new Rule(
        Kind.TASK_ARGUMENT, instrumentation, className, method, descriptor, 0, argument, null);
  }

  /** Calls {@code Bridge.logEvent(this)} before the constructor with {@code descriptor} returns. */
  public static Rule constructorExit(String instrumentation, String className, String descriptor) {
    return new Rule(
        Kind.CONSTRUCTOR_EXIT, instrumentation, className, "<init>", descriptor, 0, -1, null);
  }

  boolean matches(String name, String desc) {
    return method.equals(name) && (descriptor == null || descriptor.equals(desc));
  }

  /** Whether this rule can be applied to a class that is already loaded. */
  boolean retransformable() {
    return kind != Kind.WRAP;
  }

  @Override
  public String toString() {
    return instrumentation
        + ": "
        + className.replace('/', '.')
        + "."
        + method
        + (descriptor == null ? "(*)" : descriptor);
  }
}
