package dev.trailmark.bench.shipper;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;

/**
 * The forked application of {@link ThroughputBench}: logs {@code count} events as fast as one
 * thread can, stops Logback (which flushes), and prints {@code elapsedNanos=<n>}. Args: kind
 * endpoint group count.
 */
public final class ThroughputApp {
  private ThroughputApp() {}

  public static void main(String[] args) throws Exception {
    LoggerContext ctx =
        BenchStack.logback(args[0], args[1], args[2], Files.createTempDirectory("bench-spool"));
    Logger log = ctx.getLogger("com.example.orders.OrderService");
    int count = Integer.parseInt(args[3]);
    // warm the path (and create group and stream) outside the measurement
    log.info("warmup");
    Thread.sleep(2000);
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      log.info("order {} placed by customer {} for {} items", i, "c-" + (i % 1000), i % 7);
    }
    long logged = System.nanoTime() - t0;
    Object a = ctx.getLogger("ROOT").getAppender("ship");
    ctx.stop();
    long elapsed = System.nanoTime() - t0;
    System.out.println("app thread: " + logged / 1_000_000 + " ms to log " + count + " events");
    if (a instanceof dev.trailmark.shipper.logback.DeliveryAppender) {
      var s = ((dev.trailmark.shipper.logback.DeliveryAppender) a).getStats();
      System.out.println(
          "requests="
              + s.requests()
              + " requestMillisTotal="
              + s.totalBatchNanos() / 1_000_000
              + " "
              + s);
    }
    System.out.println("elapsedNanos=" + elapsed);
  }
}
