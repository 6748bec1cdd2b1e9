package dev.trailmark.shipper.file;

import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import dev.trailmark.shipper.internal.aws.CloudWatchLogsDestination;
import dev.trailmark.shipper.internal.aws.FirehoseDestination;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import dev.trailmark.shipper.internal.delivery.Destination;
import dev.trailmark.shipper.internal.delivery.OverflowPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@code trailmark ship}: tails log files into CloudWatch Logs or Firehose through the delivery
 * engine.
 *
 * <pre>
 * ship --from 'logs/*.log' [--from ...] --to cloudwatch:GROUP/STREAM | firehose:STREAM
 *      [--name NAME] [--endpoint URL] [--region R] [--format auto|json|plain] [--multiline java|none]
 *      [--service NAME] [--state-dir DIR] [--poll-millis 250] [--once]
 * </pre>
 */
public final class FileShipperMain {
  private FileShipperMain() {}

  static final String USAGE =
      """
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
        --progress-seconds N   how often to print a progress line with each file's lag (30; 0: never)
        --verbose              print the libraries' detail (DEBUG, stack traces) here, not only in the log file
      Exit status: 0 stopped cleanly; 1 failed; 2 bad arguments; 3 no AWS credentials could be found.
      """;

  /** Exit status when shipping to AWS and no credentials can be resolved. */
  static final int NO_CREDENTIALS = 3;

  /**
   * Entry point; exit status 0 on a clean stop, 2 on bad arguments, 3 without credentials, 1 on a
   * failure.
   */
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
    String region =
        firstNonBlank(
            System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"), "us-east-1");
    String format = "auto";
    String multiline = "java";
    String service = System.getenv("OTEL_SERVICE_NAME");
    String stateDir = null;
    long pollMillis = 250;
    boolean once = false;
    boolean verbose = false;
    long progressSeconds = 30;
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
        case "--verbose", "-v" -> verbose = true;
        case "--progress-seconds" -> progressSeconds = nonNegative(value(args, ++i, a), a);
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
    Path state =
        stateDir != null ? Path.of(stateDir) : trailmarkHome().resolve("shipper").resolve(name);
    Path logFile = state.resolve("ship.log");
    configureLogging(logFile, verbose);
    boolean toAws = endpoint == null || endpoint.isBlank();
    if (toAws) {
      String problem = missingCredentials();
      if (problem != null) {
        System.err.println("trailmark ship: no AWS credentials found (" + problem + ").");
        System.err.println(
            "trailmark ship: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or "
                + (localCollectorRunning()
                    ? "ship to the local collector that is running now: add --endpoint "
                        + localEndpoint()
                    : "start the local stack (./trailmark up) and add --endpoint "
                        + localEndpoint()));
        return NO_CREDENTIALS;
      }
    }
    ShipReporter reporter = new ShipReporter(System.err, Duration.ofSeconds(progressSeconds));
    AwsEndpointSettings aws =
        new AwsEndpointSettings(
            region,
            endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint),
            firstNonBlank(
                System.getenv("AWS_ACCESS_KEY_ID"), endpoint != null ? "trailmark" : null, null),
            firstNonBlank(
                System.getenv("AWS_SECRET_ACCESS_KEY"),
                endpoint != null ? "trailmark" : null,
                null),
            Duration.ofSeconds(10));
    Destination destination = destination(to, aws);
    DeliveryEngine engine =
        DeliveryEngine.builder(destination)
            .overflowPolicy(
                OverflowPolicy.BLOCK) // the files are the buffer: never drop, just read slower
            .maxBufferBytes(32L * 1024 * 1024)
            .maxBatchDelay(Duration.ofMillis(200))
            .threadName("trailmark-ship-" + name)
            .listener(reporter)
            .start();
    FileShipper shipper =
        new FileShipper(
                new FileShipper.Config(
                    from,
                    name,
                    state,
                    format,
                    multiline.equals("java"),
                    service,
                    Duration.ofMillis(pollMillis),
                    Duration.ofSeconds(10),
                    once),
                engine)
            .reporter(reporter);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              shipper.stop();
              try {
                finished.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "trailmark-ship-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    reporter.started(
        String.join(", ", from),
        destination.name() + (toAws ? " in " + region : " at " + endpoint),
        state.toString(),
        logFile.toString());
    try {
      shipper.run();
    } finally {
      boolean complete = shipper.closeAll();
      var stats = engine.stats();
      System.err.println(
          "trailmark ship: stopped: "
              + ShipReporter.count(stats.sent())
              + " lines shipped"
              + (stats.dropped() > 0
                  ? ", " + ShipReporter.count(stats.dropped()) + " refused by the destination"
                  : "")
              + (complete ? "" : "; unsent lines are read again from the files at the next start"));
      finished.countDown();
    }
    return 0;
  }

  /**
   * The collector that {@code ./trailmark up} starts (its port from {@code
   * TRAILMARK_COLLECTOR_PORT}).
   */
  static String localEndpoint() {
    return "http://127.0.0.1:" + System.getenv().getOrDefault("TRAILMARK_COLLECTOR_PORT", "4318");
  }

  /**
   * Points Logback at the command's own configuration (unless the caller chose one) before any
   * library asks for a logger: without it Logback's default prints every AWS SDK DEBUG line on the
   * terminal.
   */
  static void configureLogging(Path logFile, boolean verbose) throws java.io.IOException {
    java.nio.file.Files.createDirectories(logFile.getParent());
    System.setProperty("trailmark.log.file", logFile.toString());
    if (verbose) {
      System.setProperty("trailmark.log.console", "DEBUG");
      System.setProperty("trailmark.log.root", "DEBUG");
      System.setProperty("trailmark.log.exceptions", "");
    }
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile", "dev/trailmark/shipper/file/logback-ship.xml");
    }
  }

  /** Why the SDK's default chain finds no credentials, or null when it finds some. */
  static String missingCredentials() {
    try (var chain =
        software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build()) {
      chain.resolveCredentials();
      return null;
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      return "environment, profile, web identity, container and instance role were all tried";
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /**
   * Whether {@code ./trailmark up}'s collector answers on this machine (its port from the
   * environment).
   */
  static boolean localCollectorRunning() {
    URI local = URI.create(localEndpoint());
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(local.getHost(), local.getPort()), 300);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static Destination destination(String to, AwsEndpointSettings aws) {
    int colon = to.indexOf(':');
    String kind = colon < 0 ? "" : to.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : to.substring(colon + 1);
    if (kind.equals("cloudwatch")) {
      int slash = rest.lastIndexOf('/');
      if (slash <= 0 || slash == rest.length() - 1) {
        throw new IllegalArgumentException(
            "--to cloudwatch:GROUP/STREAM needs a group and a stream");
      }
      String group = rest.substring(0, slash);
      String stream = rest.substring(slash + 1);
      return new CloudWatchLogsDestination(aws, group, t -> stream, true);
    }
    if (kind.equals("firehose") && !rest.isBlank()) {
      return new FirehoseDestination(aws, rest, 5 * 1024);
    }
    throw new IllegalArgumentException(
        "--to must be cloudwatch:GROUP/STREAM or firehose:STREAM, not " + to);
  }

  static Path trailmarkHome() {
    String home = System.getenv("TRAILMARK_HOME");
    return home != null && !home.isBlank()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".trailmark");
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static long nonNegative(String v, String flag) {
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(flag + " must be a whole number of 0 or more, not " + v);
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
