package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./trailmark status}, run as a person or a script runs it: the real script, as a process.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class StatusCommandIT {
  static final Path SCRIPT = Path.of("..", "trailmark").toAbsolutePath().normalize();

  @TempDir Path home;

  @Test
  void readableSummaryAndParseableJson(LocalCollector collector) throws Exception {
    // one file shipper that ran and stopped (its status file as `ship` writes it)
    Path shipper = Files.createDirectories(home.resolve("shipper").resolve("app-logs"));
    Files.writeString(
        shipper.resolve("status.json"),
        """
        {"name":"app-logs","destination":"cloudwatch:/app","pid":1,"updatedAt":"2026-01-01T00:00:00Z",
         "running":false,"queued":0,"accepted":12,"sent":12,"retried":0,"dropped":0,"rejected":0,
         "bufferedBytes":0,"spooledBytes":0,"lastBatchMillis":3,"lastError":null,
         "files":[{"path":"/var/log/app.log","checkpoint":100,"size":2148}]}
        """);
    int port = collector.httpEndpoint().getPort();

    Result text = status(port);
    assertThat(text.exitCode()).as(text.output()).isZero();
    assertThat(text.output())
        .containsPattern("(?m)^OpenSearch +running at http://127\\.0\\.0\\.1:[0-9]+")
        .containsPattern(
            "(?m)^collector +running at http://127\\.0\\.0\\.1:" + port + " for [0-9]+ s: ok")
        .containsPattern("(?m)^  accepted +[0-9,]+")
        .containsPattern("(?m)^  backlog +0 B in the write-ahead log")
        .containsPattern(
            "(?m)^  app-logs +stopped -> cloudwatch:/app: 12 sent, 0 queued, 0 dropped, 2\\.0 KiB behind in 1 files")
        .doesNotContain("{\"");

    Result json = status(port, "--json");
    assertThat(json.exitCode()).as(json.output()).isZero();
    JsonNode doc = Json.MAPPER.readTree(json.output());
    assertThat(doc.path("opensearch").path("running").asBoolean()).isTrue();
    assertThat(doc.path("collector").path("running").asBoolean()).isTrue();
    assertThat(doc.path("collector").path("counters").has("accepted")).isTrue();
    assertThat(doc.path("shippers").get(0).path("name").asText()).isEqualTo("app-logs");
    assertThat(doc.path("shippers").get(0).path("alive").asBoolean()).isFalse();
  }

  @Test
  void saysWhatIsNotRunningWithItsOwnExitStatus() throws Exception {
    Result text = status(1);
    assertThat(text.exitCode()).as(text.output()).isEqualTo(3);
    assertThat(text.output())
        .containsPattern(
            "(?m)^collector +not running \\(./trailmark up starts it at http://127\\.0\\.0\\.1:1\\)")
        .containsPattern("(?m)^file shippers +none has run");

    Result bad = status(1, "--jsn");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.output()).contains("unknown argument --jsn").contains("usage: trailmark status");
  }

  private Result status(int collectorPort, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString(), "status"));
    command.addAll(List.of(args));
    Path out = home.resolve("out-" + System.nanoTime());
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    Map<String, String> env = pb.environment();
    env.put("TRAILMARK_NO_BUILD", "1");
    env.put("TRAILMARK_HOME", home.toString());
    env.put("TRAILMARK_COLLECTOR_PORT", String.valueOf(collectorPort));
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "status did not finish: " + Files.readString(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  record Result(int exitCode, String output) {}
}
