package dev.trailmark.bench.shipper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sustained events per second from a forked application to the local collector, Trailmark's
 * CloudWatchLogsAppender next to ca.pjer:logback-awslogs-appender 1.6.0 on the same collector in
 * the same run, with each one's loss counted in OpenSearch. Args: [events per run, default 20000].
 */
public final class ThroughputBench {
  private ThroughputBench() {}

  record Row(String kind, long events, double seconds, long delivered) {
    double perSecond() {
      return events / seconds;
    }

    /** Events that actually arrived, per second of the run. */
    double deliveredPerSecond() {
      return Math.max(0, delivered - 1) / seconds;
    }

    long lost() {
      return events + 1 - delivered; // +1: the warmup event
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    List<String> kinds = List.of("trailmark", "trailmark-spool", "awslogs", "awslogs-sync");
    List<Row> rows = new ArrayList<>();
    try (BenchStack stack = new BenchStack()) {
      for (String kind : kinds) {
        String group = "/bench/" + kind;
        String dataset = "bench-" + kind;
        // one request per event: at about 25 requests/s a full run would take many minutes; its
        // rate
        // per second is what the table compares
        int events = kind.equals("awslogs-sync") ? Math.min(n, 1000) : n;
        long elapsed = fork(kind, stack.endpoint().toString(), group, events);
        long delivered = stack.settle(dataset, events + 1L, 15_000);
        Row r = new Row(kind, events, elapsed / 1e9, delivered);
        rows.add(r);
        System.out.printf(
            Locale.ROOT,
            "%-17s %,d events in %.2f s: %,.0f events/s, %,d delivered, %,d lost%n",
            kind,
            r.events(),
            r.seconds(),
            r.perSecond(),
            delivered,
            Math.max(0, r.lost()));
      }
    }
    // the peer's best delivered rate, whichever of its modes achieved it
    double peer =
        rows.stream()
            .filter(r -> r.kind().startsWith("awslogs"))
            .mapToDouble(Row::deliveredPerSecond)
            .max()
            .orElse(1);
    System.out.println();
    System.out.println(
        "seconds = from the first log call until Logback's stop() returned (flushed); "
            + "delivered = documents counted in OpenSearch");
    System.out.println(
        "| appender | events | seconds | logged/s | delivered | lost | delivered/s | delivered/s vs best awslogs |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %.2f | %,.0f | %,d | %,d | %,.0f | %.1fx |%n",
          label(r.kind()),
          r.events(),
          r.seconds(),
          r.perSecond(),
          Math.max(0, r.delivered() - 1),
          Math.max(0, r.lost()),
          r.deliveredPerSecond(),
          r.deliveredPerSecond() / Math.max(1e-9, peer));
    }
  }

  static String label(String kind) {
    return switch (kind) {
      case "trailmark" -> "Trailmark CloudWatchLogsAppender (memory, block)";
      case "trailmark-spool" -> "Trailmark CloudWatchLogsAppender (disk spool, block)";
      case "awslogs" ->
          "ca.pjer awslogs 1.6.0 async (maxFlushTimeMillis=1000, maxBlockTimeMillis=0)";
      case "awslogs-sync" ->
          "ca.pjer awslogs 1.6.0 synchronous (maxFlushTimeMillis=0: one request per event)";
      default -> kind;
    };
  }

  private static long fork(String kind, String endpoint, String group, int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                ThroughputApp.class.getName(),
                kind,
                endpoint,
                group,
                Integer.toString(n))
            .redirectErrorStream(true)
            .start();
    long elapsed = -1;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      int other = 0;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("elapsedNanos=")) {
          elapsed = Long.parseLong(line.substring(13));
        } else if (other++ < 20) {
          System.out.println("  [" + kind + "] " + line);
        }
      }
    }
    if (p.waitFor() != 0 || elapsed < 0) {
      throw new IllegalStateException(kind + " run failed with exit code " + p.exitValue());
    }
    return elapsed;
  }
}
