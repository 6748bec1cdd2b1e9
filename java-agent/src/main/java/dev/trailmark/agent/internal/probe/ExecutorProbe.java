package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.weave.Rule;
import java.util.List;

/**
 * Carries the trace context onto pool threads: a task handed to a {@code ThreadPoolExecutor} or a
 * {@code ForkJoinPool} runs in the context of the thread that submitted it; so do {@code
 * CompletableFuture}'s async stages, which go to the common pool, or to a thread per task when the
 * common pool has fewer than two threads (a 2-core machine). Tasks submitted outside a trace are
 * not wrapped. These classes are loaded before the agent starts, so they are retransformed in
 * place.
 */
public final class ExecutorProbe extends Probe {

  @Override
  public String name() {
    return "executors";
  }

  @Override
  public List<Rule> rules(int hook) {
    String execute = "(Ljava/lang/Runnable;)V";
    return List.of(
        Rule.wrapTaskArgument(
            name(), "java.util.concurrent.ThreadPoolExecutor", "execute", execute, 0),
        Rule.wrapTaskArgument(name(), "java.util.concurrent.ForkJoinPool", "execute", execute, 0),
        Rule.wrapTaskArgument(
            name(),
            "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor",
            "execute",
            execute,
            0));
  }
}
