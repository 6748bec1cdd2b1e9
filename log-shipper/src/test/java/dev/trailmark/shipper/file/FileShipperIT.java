package dev.trailmark.shipper.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import dev.trailmark.shipper.internal.aws.CloudWatchLogsDestination;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import dev.trailmark.shipper.internal.delivery.OverflowPolicy;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The file shipper tails real files into the local collector and OpenSearch. */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class FileShipperIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static LocalCollector collector;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) {
    os = instance;
    collector = localCollector;
  }

  private FileShipper shipper(String group, List<String> patterns, Path stateDir, boolean once)
      throws Exception {
    AwsEndpointSettings aws =
        new AwsEndpointSettings(
            "us-east-1",
            collector.httpEndpoint(),
            "trailmark",
            "trailmark",
            Duration.ofSeconds(10));
    return shipper(
        new CloudWatchLogsDestination(aws, group, t -> "files", true), patterns, stateDir, once);
  }

  private FileShipper shipper(
      dev.trailmark.shipper.internal.delivery.Destination destination,
      List<String> patterns,
      Path stateDir,
      boolean once)
      throws Exception {
    DeliveryEngine engine =
        DeliveryEngine.builder(destination)
            .overflowPolicy(OverflowPolicy.BLOCK)
            .maxBatchDelay(Duration.ofMillis(100))
            .start();
    return new FileShipper(
        new FileShipper.Config(
            patterns,
            "it",
            stateDir,
            "auto",
            true,
            "billing",
            Duration.ofMillis(50),
            Duration.ofSeconds(10),
            once),
        engine);
  }

  private static Map<String, Integer> bodies(String pattern) throws Exception {
    os.refresh(pattern);
    Map<String, Integer> out = new HashMap<>();
    JsonNode hits =
        JSON.readTree(os.post("/" + pattern + "/_search?size=10000", "{}"))
            .path("hits")
            .path("hits");
    for (JsonNode h : hits) {
      out.merge(h.path("_source").path("body").asText(), 1, Integer::sum);
    }
    return out;
  }

  private static long count(String pattern) {
    try {
      os.refresh(pattern);
      return os.count(pattern);
    } catch (RuntimeException | AssertionError e) {
      return -1; // index not created yet, or its shards still starting (OpenSearch answers 503)
    }
  }

  @Test
  void restartResumesFromTheCheckpointWithoutLossOrResendAndJoinsStackTraces(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("app.log");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lines.add("2026-11-26 10:00:00 INFO line " + i);
    }
    lines.add("2026-11-26 10:00:01 ERROR payment failed");
    lines.add("java.lang.IllegalStateException: declined");
    lines.add("\tat com.example.Pay.charge(Pay.java:42)");
    lines.add("Caused by: java.io.IOException: reset");
    lines.add("\t... 3 more");
    lines.add(
        "{\"@timestamp\":\"2026-11-26T10:00:02Z\",\"body\":\"json line\",\"severity\":{\"text\":\"WARN\"}}");
    Files.write(log, lines, StandardCharsets.UTF_8);
    Path stateDir = dir.resolve("state");

    FileShipper first = shipper("/trailmark/it-restart", List.of(dir + "/*.log"), stateDir, true);
    first.run();
    assertThat(first.closeAll()).isTrue();
    String pattern = os.indexPrefix() + "logs-trailmark-it-restart-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pattern) == 1002);

    List<String> more = new ArrayList<>();
    for (int i = 1000; i < 1500; i++) {
      more.add("2026-11-26 10:00:03 INFO line " + i);
    }
    Files.write(log, more, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    FileShipper second = shipper("/trailmark/it-restart", List.of(dir + "/*.log"), stateDir, true);
    second.run();
    assertThat(second.closeAll()).isTrue();
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pattern) >= 1502);
    Map<String, Integer> seen = bodies(pattern);
    assertThat(seen.values()).as("nothing acknowledged was sent twice").containsOnly(1);
    assertThat(seen)
        .hasSize(1502)
        .containsKey("2026-11-26 10:00:00 INFO line 0")
        .containsKey("2026-11-26 10:00:03 INFO line 1499")
        .containsKey("json line");
    assertThat(seen)
        .containsKey(
            "2026-11-26 10:00:01 ERROR payment failed\njava.lang.IllegalStateException: declined\n"
                + "\tat com.example.Pay.charge(Pay.java:42)\nCaused by: java.io.IOException: reset\n\t... 3 more");
    assertThat(Files.readString(stateDir.resolve("status.json")))
        .contains("\"sent\":500")
        .contains("\"dropped\":0");
  }

  @Test
  void followsRenameAndCopytruncateRotationWhileTailing(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("web.log");
    Files.createFile(log);
    FileShipper s =
        shipper("/trailmark/it-rotate", List.of(dir + "/*.log"), dir.resolve("state"), false);
    CompletableFuture<Void> running =
        CompletableFuture.runAsync(
            () -> {
              try {
                s.run();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    int n = 0;
    n = write(log, n, 1000);
    // rename rotation: the writer keeps a few lines in the old file, then moves to a new one
    Files.move(log, dir.resolve("web.log.1"), StandardCopyOption.ATOMIC_MOVE);
    n = write(dir.resolve("web.log.1"), n, 50);
    n = write(log, n, 1000);
    // copytruncate: a copy is made and the live file cut to zero; the writer goes on in the same
    // file
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> count(os.indexPrefix() + "logs-trailmark-it-rotate-*") >= 2050);
    Files.copy(log, dir.resolve("web.log.2"));
    try (var ch = java.nio.channels.FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    n = write(log, n, 500);
    final int total = n;
    String pattern = os.indexPrefix() + "logs-trailmark-it-rotate-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pattern) >= total);
    s.stop();
    running.get(30, TimeUnit.SECONDS);
    assertThat(s.closeAll()).isTrue();
    Map<String, Integer> seen = bodies(pattern);
    for (int i = 0; i < total; i++) {
      assertThat(seen).containsKey("event " + i);
    }
    assertThat(seen.values()).containsOnly(1);
  }

  @Test
  void aFileRotatedWhileTheShipperWasDownIsFinishedFromItsCheckpoint(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("api.log");
    Path stateDir = dir.resolve("state");
    int n = write(log, 0, 300);
    FileShipper first =
        shipper("/trailmark/it-down-rotate", List.of(dir + "/*.log"), stateDir, true);
    first.run();
    assertThat(first.closeAll()).isTrue();
    // while the shipper is down: more lines, a rename rotation, and lines in the new file
    n = write(log, n, 200);
    Files.move(log, dir.resolve("api.log.1"));
    n = write(log, n, 100);
    FileShipper second =
        shipper("/trailmark/it-down-rotate", List.of(dir + "/*.log"), stateDir, true);
    second.run();
    assertThat(second.closeAll()).isTrue();
    final int total = n;
    String pattern = os.indexPrefix() + "logs-trailmark-it-down-rotate-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pattern) >= total);
    Map<String, Integer> seen = bodies(pattern);
    assertThat(seen).hasSize(total);
    assertThat(seen.values()).as("acknowledged lines were not sent again").containsOnly(1);
  }

  @Test
  void shipsFilesToFirehoseToo(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.log");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      lines.add(
          "{\"body\":\"GET /item/"
              + i
              + " 200\",\"attributes\":{\"http.response.status_code\":200}}");
    }
    Files.write(log, lines, StandardCharsets.UTF_8);
    AwsEndpointSettings aws =
        new AwsEndpointSettings(
            "us-east-1",
            collector.httpEndpoint(),
            "trailmark",
            "trailmark",
            Duration.ofSeconds(10));
    FileShipper s =
        shipper(
            new dev.trailmark.shipper.internal.aws.FirehoseDestination(
                aws, "trailmark-access-logs", 5120),
            List.of(log.toString()),
            dir.resolve("state"),
            true);
    s.run();
    assertThat(s.closeAll()).isTrue();
    String pattern = os.indexPrefix() + "logs-access-*";
    await().atMost(Duration.ofSeconds(60)).until(() -> count(pattern) == 700);
    assertThat(bodies(pattern)).hasSize(700).containsKey("GET /item/699 200");
  }

  /** Appends numbered lines slowly enough to look like a live service; returns the next number. */
  private static int write(Path file, int from, int count) throws Exception {
    try (BufferedWriter w =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (int i = from; i < from + count; i++) {
        w.write("event " + i + "\n");
        if (i % 100 == 99) {
          w.flush();
          Thread.sleep(5);
        }
      }
    }
    return from + count;
  }
}
