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
 * CloudWatchLogsAppender next to ca.pjer:logback-awslogs-appender 1.6.0 on the same collector in the
 * same run, with each one's loss counted in OpenSearch. Args: [events per run, default 200000].
 */
public final class ThroughputBench {
  private ThroughputBench() {}

  record Row(String kind, long events, double seconds, long delivered) {
    double perSecond() {
      return events / seconds;
    }

    long lost() {
      return events + 1 - delivered; // +1: the warmup event
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    List<String> kinds = List.of("trailmark", "trailmark-spool", "awslogs", "awslogs-blocking");
    List<Row> rows = new ArrayList<>();
    try (BenchStack stack = new BenchStack()) {
      for (String kind : kinds) {
        String group = "/bench/" + kind;
        String dataset = "bench-" + kind;
        long elapsed = fork(kind, stack.endpoint().toString(), group, n);
        long delivered = stack.settle(dataset, n + 1L, 15_000);
        Row r = new Row(kind, n, elapsed / 1e9, delivered);
        rows.add(r);
        System.out.printf(Locale.ROOT, "%-17s %,d events in %.2f s: %,.0f events/s, %,d delivered, %,d lost%n",
            kind, r.events(), r.seconds(), r.perSecond(), delivered, Math.max(0, r.lost()));
      }
    }
    Row base = rows.stream().filter(r -> r.kind().equals("awslogs")).findFirst().orElseThrow();
    System.out.println();
    System.out.println("| appender | events | seconds | events/s | delivered | lost | events/s vs awslogs async |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %,d | %,d | %.2fx |%n", label(r.kind()), r.events(),
          r.seconds(), r.perSecond(), r.delivered(), Math.max(0, r.lost()), r.perSecond() / base.perSecond());
    }
  }

  static String label(String kind) {
    return switch (kind) {
      case "trailmark" -> "Trailmark CloudWatchLogsAppender (memory, block)";
      case "trailmark-spool" -> "Trailmark CloudWatchLogsAppender (disk spool, block)";
      case "awslogs" -> "ca.pjer awslogs 1.6.0 async (maxBlockTimeMillis=0)";
      case "awslogs-blocking" -> "ca.pjer awslogs 1.6.0 (default maxBlockTimeMillis=5000)";
      default -> kind;
    };
  }

  private static long fork(String kind, String endpoint, String group, int n) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        ThroughputApp.class.getName(), kind, endpoint, group, Integer.toString(n)).redirectErrorStream(true).start();
    long elapsed = -1;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
