package dev.trailmark.agent.instrument.executor;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.instrument.Instrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Carries the trace context onto pool threads: a task handed to a {@code ThreadPoolExecutor} or a
 * {@code ForkJoinPool} (which is where {@code CompletableFuture}'s async stages go) runs in the context
 * of the thread that submitted it. Tasks submitted outside any trace are not wrapped.
 */
public final class ExecutorInstrumentation implements Instrumentation {

  @Override
  public String name() {
    return "executors";
  }

  @Override
  public ElementMatcher<TypeDescription> types() {
    // ThreadPerTaskExecutor is where CompletableFuture's async stages go when the common pool has a
    // parallelism below 2 (a 2-core machine).
    return namedOneOf(
        "java.util.concurrent.ThreadPoolExecutor",
        "java.util.concurrent.ForkJoinPool",
        "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor");
  }

  @Override
  public MethodAdvice[] advice() {
    return new MethodAdvice[] {
      new MethodAdvice(
          named("execute").and(takesArguments(1)).and(takesArgument(0, named("java.lang.Runnable"))),
          ExecuteAdvice.class.getName())
    };
  }

  /** Inlined into {@code execute(Runnable)}. */
  public static final class ExecuteAdvice {

    private ExecuteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
      task = Bridge.hooks.wrap(task);
    }
  }
}
