package dev.trailmark.shipper.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./trailmark ship} as a person runs it: the real script, as a process with no terminal,
 * against the local collector. What it prints is what is asserted: one line per state change, a
 * progress line, no library DEBUG flood, and one actionable line (and exit status 3) when no AWS
 * credentials exist.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class ShipCommandIT {
  static final Path SCRIPT = Path.of("..", "trailmark").toAbsolutePath().normalize();
  static LocalCollector collector;
  static OpenSearchInstance os;

  @TempDir Path dir;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) {
    os = instance;
    collector = localCollector;
  }

  @Test
  void shipsOnceAndSaysSoInAFewLines() throws Exception {
    Path log = dir.resolve("app.log");
    Files.write(log, lines(200));
    Run run =
        ship(
            Map.of(),
            "--from",
            dir.resolve("*.log").toString(),
            "--to",
            "cloudwatch:/cli/once/s",
            "--endpoint",
            collector.httpEndpoint().toString(),
            "--once");

    assertThat(run.waitFor(120)).as(run.output()).isZero();
    assertThat(run.output())
        .contains("trailmark ship: shipping " + dir.resolve("*.log"))
        .contains("trailmark ship: following " + log)
        .contains("trailmark ship: first batch delivered")
        .contains("trailmark ship: caught up: 200 lines shipped")
        .contains("trailmark ship: stopped: 200 lines shipped")
        .doesNotContain("DEBUG")
        .doesNotContain("\tat ");
    assertThat(run.output().lines().count())
        .as("a few lines, not a flood: " + run.output())
        .isLessThan(12);
    Path logFile = dir.resolve("state").resolve("ship.log");
    assertThat(run.output()).contains("detailed log in " + logFile);
    assertThat(logFile).exists();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(os.count(os.indexPrefix() + "logs-cli-once-*")).isEqualTo(200));
  }

  @Test
  void verboseBringsBackTheLibrariesDetail() throws Exception {
    Files.write(dir.resolve("app.log"), lines(5));
    Run run =
        ship(
            Map.of(),
            "--from",
            dir.resolve("*.log").toString(),
            "--to",
            "cloudwatch:/cli/verbose/s",
            "--endpoint",
            collector.httpEndpoint().toString(),
            "--once",
            "--verbose");
    assertThat(run.waitFor(120)).as(run.output()).isZero();
    assertThat(run.output()).contains("DEBUG from").contains("caught up: 5 lines shipped");
  }

  @Test
  void withoutCredentialsItStopsAtOnceAndNamesTheWaysOut() throws Exception {
    Files.write(dir.resolve("app.log"), lines(5));
    // The local collector answers on TRAILMARK_COLLECTOR_PORT: the message points there.
    Run run =
        ship(
            Map.of("TRAILMARK_COLLECTOR_PORT", String.valueOf(collector.httpEndpoint().getPort())),
            "--from",
            dir.resolve("*.log").toString(),
            "--to",
            "cloudwatch:/cli/nocreds/s");
    assertThat(run.waitFor(120)).as(run.output()).isEqualTo(3);
    assertThat(run.output())
        .contains("trailmark ship: no AWS credentials found")
        .contains(
            "ship to the local collector that is running now: add --endpoint http://127.0.0.1:"
                + collector.httpEndpoint().getPort())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(run.output().lines().count()).as(run.output()).isEqualTo(2);
  }

  @Test
  void saysWhenTheDestinationIsUnreachableWhenItRecoversAndHowFarBehindEachFileIs()
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("app.log");
    Files.write(log, lines(100));
    Run run =
        ship(
            Map.of(),
            "--from",
            dir.resolve("*.log").toString(),
            "--to",
            "cloudwatch:/cli/outage/s",
            "--endpoint",
            "http://127.0.0.1:" + port,
            "--progress-seconds",
            "1",
            "--poll-millis",
            "100");
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(run.output())
                      .contains("trailmark ship: destination unreachable: ")
                      .containsPattern(
                          "progress: 0 lines shipped .*behind: "
                              + java.util.regex.Pattern.quote(log.toString())
                              + " [0-9.]+ KiB"));
      Path state = Files.createDirectories(dir.resolve("collector-state"));
      try (LocalCollector late =
          LocalCollector.builder()
              .openSearch(os.baseUri())
              .indexPrefix(os.indexPrefix())
              .httpPort(port)
              .xrayUdpPort(0)
              .stateDir(state)
              .build()
              .start()) {
        await()
            .atMost(Duration.ofSeconds(90))
            .untilAsserted(
                () ->
                    assertThat(run.output())
                        .containsPattern("recovered after [0-9]+ s: delivering again")
                        .contains("caught up: 100 lines shipped"));
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> assertThat(os.count(os.indexPrefix() + "logs-cli-outage-*")).isEqualTo(100));
      }
    } finally {
      run.process.destroy();
      run.waitFor(30);
    }
    assertThat(run.output()).doesNotContain("DEBUG").doesNotContain("\tat ");
  }

  private Run ship(Map<String, String> extraEnv, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "ship"));
    command.addAll(List.of(args));
    if (!command.contains("--verbose")) {
      command.addAll(List.of("--state-dir", dir.resolve("state").toString()));
    } else {
      command.addAll(List.of("--state-dir", dir.resolve("state-verbose").toString()));
    }
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output-" + System.nanoTime() + ".txt").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("TRAILMARK_"));
    env.put("HOME", dir.toString()); // no ~/.aws of the machine's user
    env.put("AWS_EC2_METADATA_DISABLED", "true"); // no instance-role probe on a laptop
    env.put(
        "TRAILMARK_NO_BUILD",
        "1"); // the build running this test has built everything the script needs
    env.put("TRAILMARK_HOME", dir.resolve("home").toString());
    env.put(
        "TRAILMARK_COLLECTOR_PORT",
        "1"); // nothing of ./trailmark up is running unless a test says so
    env.putAll(extraEnv);
    File out = pb.redirectOutput().file();
    return new Run(pb.start(), out.toPath());
  }

  private static List<String> lines(int n) {
    return IntStream.rangeClosed(1, n)
        .mapToObj(i -> "INFO line " + i + " of the application")
        .collect(Collectors.toList());
  }

  /** A running {@code ./trailmark} process and what it has printed so far. */
  record Run(Process process, Path outputFile) {
    int waitFor(int seconds) throws InterruptedException {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("still running after " + seconds + " s: " + output());
      }
      return process.exitValue();
    }

    String output() {
      try {
        return Files.readString(outputFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }
  }
}
