package dev.trailmark.bench.shipper;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.trailmark.shipper.logback.DeliveryAppender;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Application-thread cost of one {@code log.info} with the appender attached, sampled per call
 * (p50/p99), at a steady 20-40k events/s so that the sender keeps up and nothing is dropped. Every
 * appender ships to the same local collector (CloudWatch Logs with the memory buffer or the disk
 * spool, Firehose, the peer); {@code nop} is Logback with an appender that does nothing; {@code
 * trailmark-stub} is the memory CloudWatchLogsAppender shipping to an endpoint that does nothing
 * (its cost without the collector's and OpenSearch's work on the same cores).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class AppenderCostBenchmark {
  @Param({"nop", "trailmark", "trailmark-firehose", "trailmark-spool", "trailmark-stub", "awslogs"})
  public String appender;

  private BenchStack stack;
  private StubEndpoint stub;
  private LoggerContext ctx;
  private Logger log;
  private int i;

  @Setup(Level.Trial)
  public void start() throws Exception {
    stack = new BenchStack();
    String kind = appender;
    String endpoint = stack.endpoint().toString();
    if (appender.equals("trailmark-stub")) {
      stub = new StubEndpoint();
      kind = "trailmark";
      endpoint = stub.endpoint().toString();
    }
    ctx =
        BenchStack.logback(
            kind, endpoint, "/bench/jmh-" + appender, Files.createTempDirectory("bench-spool"));
    log = ctx.getLogger("com.example.orders.OrderService");
  }

  /** The application's own pace between two log calls (not measured). */
  @Setup(Level.Invocation)
  public void pace() {
    LockSupport.parkNanos(20_000);
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
  private long allocatedAtStart;
  private int opsAtStart;

  /**
   * JMH's gc profiler counts every thread (the sender too); this counts the logging thread alone.
   */
  @Setup(Level.Iteration)
  public void markAllocation() {
    allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
    opsAtStart = i;
  }

  @TearDown(Level.Iteration)
  public void reportAllocation() {
    long bytes = THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
    int ops = i - opsAtStart;
    System.out.printf(
        "%n[%s] logging thread allocated %.0f bytes/event over %d events%n",
        appender, ops == 0 ? 0.0 : (double) bytes / ops, ops);
  }

  @Benchmark
  public void logInfo() {
    log.info("order {} placed by customer {} for {} items", i++, "c-42", 3);
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    Object a = ctx.getLogger("ROOT").getAppender("ship");
    if (a instanceof DeliveryAppender) {
      ((DeliveryAppender) a).flush(60_000);
      System.out.println("\n[" + appender + "] " + ((DeliveryAppender) a).getStats());
    }
    ctx.stop();
    if (stub != null) {
      stub.close();
    }
    stack.close();
  }
}
