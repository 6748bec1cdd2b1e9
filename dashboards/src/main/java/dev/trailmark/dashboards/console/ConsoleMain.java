package dev.trailmark.dashboards.console;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./trailmark console}: serves the console in the foreground until Ctrl-C and prints its
 * URL.
 */
public final class ConsoleMain {

  private ConsoleMain() {}

  /** Entry point; see {@link #USAGE}. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-console-logback.xml");
    }
    Console.Builder builder = Console.builder();
    String env = System.getenv("TRAILMARK_INDEX_PREFIX");
    if (env != null) {
      builder.indexPrefix(env);
    }
    String port = System.getenv("TRAILMARK_CONSOLE_PORT");
    String openSearch =
        "http://127.0.0.1:" + System.getenv().getOrDefault("TRAILMARK_OPENSEARCH_PORT", "9200");
    try {
      if (port != null) {
        builder.port(Integer.parseInt(port));
      }
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--port" -> builder.port(Integer.parseInt(value(args, ++i, a)));
          case "--host" -> builder.host(value(args, ++i, a));
          case "--opensearch" -> openSearch = value(args, ++i, a);
          case "--index-prefix" -> builder.indexPrefix(value(args, ++i, a));
          case "--query-timeout-seconds" ->
              builder.queryTimeout(Duration.ofSeconds(Long.parseLong(value(args, ++i, a))));
          case "-h", "--help" -> {
            System.out.print(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      builder.openSearch(URI.create(openSearch));
    } catch (IllegalArgumentException e) {
      System.err.println("trailmark console: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    Console console;
    try {
      console = builder.start();
    } catch (java.net.BindException e) {
      System.err.println(
          "trailmark console: cannot listen: "
              + e.getMessage()
              + " (is a console already running? choose another with --port)");
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  console.close();
                  stopped.countDown();
                },
                "trailmark-console-stop"));
    System.out.println(
        "console at " + console.url() + " (OpenSearch " + openSearch + "; Ctrl-C stops it)");
    stopped.await();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  static final String USAGE =
      """
      usage: ./trailmark console [--port 5601] [--host 127.0.0.1] [--opensearch http://127.0.0.1:9200]
                                 [--index-prefix PREFIX] [--query-timeout-seconds 10]
        Serves the local web console (services, service map, traces, logs, metrics, audit findings, alerts)
        in the foreground and prints its URL. Read-only; loopback only unless --host says otherwise.
        Environment: TRAILMARK_CONSOLE_PORT, TRAILMARK_INDEX_PREFIX, TRAILMARK_OPENSEARCH_PORT.
      """;
}
