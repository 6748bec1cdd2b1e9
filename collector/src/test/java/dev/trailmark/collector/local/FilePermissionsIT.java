package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * The collector's state (write-ahead log, checkpoint, log-group registry) holds every event: only
 * its owner can read it. When the test runs as root, another account ({@code nobody}) really tries.
 */
@ExtendWith(OpenSearchExtension.class)
class FilePermissionsIT {

  private Path parent;

  @AfterEach
  void cleanUp() throws Exception {
    if (parent != null) {
      try (Stream<Path> files = Files.walk(parent)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void stateFilesAreOwnerOnlyAndAnotherAccountCannotReadThem(OpenSearchInstance os)
      throws Exception {
    // Under /tmp with a world-enterable parent, so that only the collector's own modes stand in the
    // way.
    parent = Files.createTempDirectory(Path.of("/tmp"), "trailmark-perms-it-");
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path state = parent.resolve("collector");
    try (LocalCollector collector =
            LocalCollector.builder()
                .openSearch(os.baseUri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(-1)
                .stateDir(state)
                .build()
                .start();
        CloudWatchLogsClient logs = Clients.logs(collector.httpEndpoint())) {
      logs.createLogGroup(b -> b.logGroupName("/it/perms"));
      logs.createLogStream(b -> b.logGroupName("/it/perms").logStreamName("s"));
      logs.putLogEvents(
          b ->
              b.logGroupName("/it/perms")
                  .logStreamName("s")
                  .logEvents(
                      e -> e.timestamp(System.currentTimeMillis()).message("secret payload")));
      await().atMost(Duration.ofSeconds(30)).until(() -> collector.backlogBytes() == 0);
    }

    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(state)) {
      all.forEach(files::add);
    }
    assertThat(files)
        .anyMatch(p -> p.toString().endsWith(".wal"))
        .anyMatch(p -> p.endsWith("log-groups.json"))
        .anyMatch(p -> p.endsWith("checkpoint"));
    for (Path p : files) {
      String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
      assertThat(mode).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
    }

    if ("root".equals(System.getProperty("user.name"))) {
      Path segment =
          files.stream().filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
      for (List<String> command :
          List.of(
              List.of("cat", state.resolve("log-groups.json").toString()),
              List.of("cat", segment.toString()),
              List.of("ls", state.resolve("wal").toString()),
              List.of("ls", state.toString()))) {
        List<String> asNobody = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
        asNobody.addAll(command);
        Process p = new ProcessBuilder(asNobody).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(command + ": " + out).isNotZero();
        assertThat(out)
            .as(String.valueOf(command))
            .contains("Permission denied")
            .doesNotContain("secret payload");
      }
    }
  }
}
