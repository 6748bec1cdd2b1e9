package dev.trailmark.shipper.file;

import dev.trailmark.shipper.cloudwatch.CloudWatchLogsDestination;
import dev.trailmark.shipper.delivery.AwsClients;
import dev.trailmark.shipper.delivery.DeliveryEngine;
import dev.trailmark.shipper.delivery.DeliveryListener;
import dev.trailmark.shipper.delivery.Destination;
import dev.trailmark.shipper.delivery.OverflowPolicy;
import dev.trailmark.shipper.firehose.FirehoseDestination;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code trailmark ship}: tails log files into CloudWatch Logs or Firehose through the delivery engine.
 *
 * <pre>
 * ship --from 'logs/*.log' [--from ...] --to cloudwatch:GROUP/STREAM | firehose:STREAM
 *      [--name NAME] [--endpoint URL] [--region R] [--format auto|json|plain] [--multiline java|none]
 *      [--service NAME] [--state-dir DIR] [--poll-millis 250] [--once]
 * </pre>
 */
public final class FileShipperMain {
  private FileShipperMain() {}

  static final String USAGE = """
      usage: trailmark ship --from GLOB [--from GLOB ...] --to cloudwatch:GROUP/STREAM|firehose:STREAM [options]
        --name NAME            shipper name for state and status (default: from --to)
        --endpoint URL         endpoint override, e.g. the local collector http://127.0.0.1:4318
                               (default: $TRAILMARK_ENDPOINT, else AWS)
        --region REGION        AWS region (default: $AWS_REGION, else us-east-1)
        --format auto|json|plain  JSON lines are sent as they are, plain lines wrapped in the log schema (auto)
        --multiline java|none  join Java stack trace lines to their event (java)
        --service NAME         resource.service.name of plain lines (default: $OTEL_SERVICE_NAME)
        --state-dir DIR        checkpoints and status.json (default: $TRAILMARK_HOME/shipper/NAME)
        --poll-millis N        how often to look for new data (250)
        --once                 ship what the files hold now, then exit
      """;

  /** Entry point; exit status 0 on a clean stop, 2 on bad arguments, 1 on a failure. */
  public static void main(String[] args) {
    int status;
    try {
      status = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("trailmark ship: " + e.getMessage());
      System.err.print(USAGE);
      status = 2;
    } catch (Exception e) {
      System.err.println("trailmark ship: " + e);
      status = 1;
    }
    System.exit(status);
  }

  static int run(String[] args) throws Exception {
    List<String> from = new ArrayList<>();
    String to = null;
    String name = null;
    String endpoint = System.getenv("TRAILMARK_ENDPOINT");
    String region = firstNonBlank(System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"), "us-east-1");
    String format = "auto";
    String multiline = "java";
    String service = System.getenv("OTEL_SERVICE_NAME");
    String stateDir = null;
    long pollMillis = 250;
    boolean once = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--from" -> from.add(value(args, ++i, a));
        case "--to" -> to = value(args, ++i, a);
        case "--name" -> name = value(args, ++i, a);
        case "--endpoint" -> endpoint = value(args, ++i, a);
        case "--region" -> region = value(args, ++i, a);
        case "--format" -> format = oneOf(value(args, ++i, a), a, "auto", "json", "plain");
        case "--multiline" -> multiline = oneOf(value(args, ++i, a), a, "java", "none");
        case "--service" -> service = value(args, ++i, a);
        case "--state-dir" -> stateDir = value(args, ++i, a);
        case "--poll-millis" -> pollMillis = Long.parseLong(value(args, ++i, a));
        case "--once" -> once = true;
        case "-h", "--help" -> {
          System.out.print(USAGE);
          return 0;
        }
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (from.isEmpty()) {
      throw new IllegalArgumentException("--from is required");
    }
    if (to == null) {
      throw new IllegalArgumentException("--to is required");
    }
    if (name == null) {
      name = to.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^-+|-+$", "");
    }
    Path state = stateDir != null ? Path.of(stateDir) : trailmarkHome().resolve("shipper").resolve(name);
    AwsClients aws = new AwsClients(region, endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint),
        firstNonBlank(System.getenv("AWS_ACCESS_KEY_ID"), endpoint != null ? "trailmark" : null, null),
        firstNonBlank(System.getenv("AWS_SECRET_ACCESS_KEY"), endpoint != null ? "trailmark" : null, null),
        Duration.ofSeconds(10));
    Destination destination = destination(to, aws);
    DeliveryEngine engine = DeliveryEngine.builder(destination)
        .overflowPolicy(OverflowPolicy.BLOCK) // the files are the buffer: never drop, just read slower
        .maxBufferBytes(32L * 1024 * 1024)
        .maxBatchDelay(Duration.ofMillis(200))
        .threadName("trailmark-ship-" + name)
        .listener(new DeliveryListener() {
          @Override
          public void warn(String message, Throwable error) {
            System.err.println(Instant.now() + " WARN " + message + (error != null ? ": " + error : ""));
          }
        })
        .start();
    FileShipper shipper = new FileShipper(new FileShipper.Config(from, name, state, format,
        multiline.equals("java"), service, Duration.ofMillis(pollMillis), Duration.ofSeconds(10), once), engine);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      shipper.stop();
      try {
        finished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "trailmark-ship-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.err.println("trailmark ship: " + from + " -> " + destination.name() + " (state " + state + ")");
    try {
      shipper.run();
    } finally {
      boolean complete = shipper.closeAll();
      System.err.println("trailmark ship: stopped; " + engine.stats() + (complete ? "" : " (unsent events are re-read from the files at the next start)"));
      finished.countDown();
    }
    return 0;
  }

  static Destination destination(String to, AwsClients aws) {
    int colon = to.indexOf(':');
    String kind = colon < 0 ? "" : to.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : to.substring(colon + 1);
    if (kind.equals("cloudwatch")) {
      int slash = rest.lastIndexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException("--to cloudwatch:GROUP/STREAM needs a group and a stream");
      }
      String group = rest.substring(0, slash);
      String stream = rest.substring(slash + 1);
      return new CloudWatchLogsDestination(aws, group, t -> stream, true);
    }
    if (kind.equals("firehose") && !rest.isBlank()) {
      return new FirehoseDestination(aws, rest, 5 * 1024);
    }
    throw new IllegalArgumentException("--to must be cloudwatch:GROUP/STREAM or firehose:STREAM, not " + to);
  }

  static Path trailmarkHome() {
    String home = System.getenv("TRAILMARK_HOME");
    return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".trailmark");
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static String oneOf(String v, String flag, String... allowed) {
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new IllegalArgumentException(flag + " must be one of " + String.join(", ", allowed));
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
