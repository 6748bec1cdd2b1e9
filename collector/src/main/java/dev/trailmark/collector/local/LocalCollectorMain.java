package dev.trailmark.collector.local;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command line entry of the local collector ({@code ./trailmark up}).
 *
 * <p>Flags (each also read from the environment variable in brackets): {@code --port}
 * [TRAILMARK_PORT], {@code --xray-port} [TRAILMARK_XRAY_PORT], {@code --opensearch}
 * [TRAILMARK_OPENSEARCH], {@code --state-dir} [TRAILMARK_STATE_DIR], {@code --config}
 * [TRAILMARK_CONFIG], {@code --index-prefix} [TRAILMARK_INDEX_PREFIX], {@code --bind}
 * [TRAILMARK_BIND], {@code --retention-days} [TRAILMARK_RETENTION_DAYS], {@code --no-auth}
 * [TRAILMARK_NO_AUTH=true]; {@code --print-ism-policy DAYS} prints the ISM policy for Amazon
 * OpenSearch Service.
 */
public final class LocalCollectorMain {

  private LocalCollectorMain() {}

  /** Starts the collector and serves until the process is stopped. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile", "dev/trailmark/collector/logback-collector.xml");
    }
    LocalCollector.Builder builder = LocalCollector.builder();
    apply(builder, "--port", env("TRAILMARK_PORT"));
    apply(builder, "--xray-port", env("TRAILMARK_XRAY_PORT"));
    apply(builder, "--opensearch", env("TRAILMARK_OPENSEARCH"));
    apply(builder, "--state-dir", env("TRAILMARK_STATE_DIR"));
    apply(builder, "--config", env("TRAILMARK_CONFIG"));
    apply(builder, "--index-prefix", env("TRAILMARK_INDEX_PREFIX"));
    apply(builder, "--bind", env("TRAILMARK_BIND"));
    apply(builder, "--retention-days", env("TRAILMARK_RETENTION_DAYS"));
    if ("true".equalsIgnoreCase(env("TRAILMARK_NO_AUTH"))) {
      builder.authentication(false);
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--no-auth")) {
        builder.authentication(false);
      } else if (arg.equals("--print-ism-policy")) {
        int days = i + 1 < args.length ? Integer.parseInt(args[++i]) : 14;
        System.out.println(
            dev.trailmark.common.json.Json.MAPPER
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(
                    dev.trailmark.collector.internal.sink.Retention.ismPolicy("", days)));
        return;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(
            "usage: LocalCollectorMain [--port N] [--xray-port N] [--opensearch URL] "
                + "[--state-dir DIR] [--config FILE] [--index-prefix P] [--bind ADDR] [--retention-days N] [--no-auth]\n"
                + "       LocalCollectorMain --print-ism-policy DAYS   (ISM policy JSON for Amazon OpenSearch Service)");
        return;
      } else if (arg.startsWith("--") && arg.contains("=")) {
        apply(builder, arg.substring(0, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        apply(builder, arg, args[++i]);
      } else {
        System.err.println("trailmark collector: unknown argument '" + arg + "' (try --help)");
        System.exit(2);
      }
    }
    LocalCollector collector;
    try {
      collector = builder.build().start();
    } catch (java.net.BindException e) {
      System.err.println(
          "trailmark collector: port busy (" + e.getMessage() + "); pass --port to pick another");
      System.exit(1);
      return;
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("trailmark collector: configuration file not found: " + e.getFile());
      System.exit(2);
      return;
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      System.err.println("trailmark collector: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (java.io.IOException e) {
      System.err.println("trailmark collector: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    collector.close();
                  } catch (Exception e) {
                    System.err.println("trailmark collector: error while stopping: " + e);
                  }
                  stopped.countDown();
                },
                "trailmark-collector-shutdown"));
    System.out.println(
        "trailmark collector listening on "
            + collector.httpEndpoint()
            + (collector.xrayUdpPort() > 0 ? " (X-Ray UDP " + collector.xrayUdpPort() + ")" : ""));
    stopped.await();
  }

  private static void apply(LocalCollector.Builder b, String flag, String value) {
    if (value == null || value.isBlank()) {
      return;
    }
    switch (flag) {
      case "--port":
        b.httpPort(Integer.parseInt(value));
        break;
      case "--xray-port":
        b.xrayUdpPort(Integer.parseInt(value));
        break;
      case "--opensearch":
        b.openSearch(URI.create(value));
        break;
      case "--state-dir":
        b.stateDir(Path.of(value));
        break;
      case "--config":
        b.config(Path.of(value));
        break;
      case "--index-prefix":
        b.indexPrefix(value);
        break;
      case "--bind":
        b.bindAddress(value);
        break;
      case "--retention-days":
        b.retentionDays(Integer.parseInt(value));
        break;
      default:
        System.err.println("trailmark collector: unknown flag '" + flag + "' (try --help)");
        System.exit(2);
    }
  }

  private static String env(String name) {
    return System.getenv(name);
  }
}
