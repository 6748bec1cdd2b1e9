package dev.trailmark.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CloudTrail log file cut short (an interrupted copy, a full disk): every record before the
 * damage is judged, and both the recovered findings and the damage show in the summary and the exit
 * code.
 */
class DamagedLogFileTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return AuditCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static String record(String fixture, String kind) throws IOException {
    return MAPPER
        .readTree(Files.readString(Path.of("src/test/resources/fixtures/" + fixture + ".json")))
        .path("cloudTrail")
        .path(kind)
        .toString();
  }

  /**
   * A harmless record (a failed call) with its own event id, {@code padding} bytes of user agent.
   */
  private static String harmless(int i, int padding) throws IOException {
    ObjectNode r = (ObjectNode) MAPPER.readTree(record("logs-retention", "notApplicable"));
    r.put("eventID", String.format("00000000-0000-0000-0000-%012d", i));
    r.put("userAgent", "aws-sdk-java/2.40.2 " + "x".repeat(padding));
    return r.toString();
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  private static String logFile(List<String> records) {
    return "{\"Records\":[" + String.join(",", records) + "]}";
  }

  private static Path writeTruncated(Path file, byte[] gz, int cut) throws IOException {
    Files.write(file, Arrays.copyOf(gz, gz.length - cut));
    return file;
  }

  @Test
  void aSmallTruncatedFileKeepsItsRecordsAndFailsTheRun(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("good.json.gz"), gzip(logFile(List.of(harmless(1, 10)))));
    // StopLogging, then records after it; the file loses its gzip trailer and the last bytes of
    // data.
    List<String> records =
        new ArrayList<>(List.of(record("cloudtrail-logging-stopped", "nonCompliant")));
    for (int i = 2; i < 6; i++) {
      records.add(harmless(i, 200));
    }
    byte[] gz = gzip(logFile(records));
    assertThat(gz.length).as("small: well under one read buffer").isLessThan(8000);
    writeTruncated(dir.resolve("truncated.json.gz"), gz, 40);

    assertThat(run("scan", "--fail-on", "high", dir.toString())).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("cloudtrail-logging-stopped")
        .contains(
            "in 2 files (1 damaged or unreadable: records before the damage were read), "
                + "1 finding (critical: 1)")
        .doesNotContain("in 0 files");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("truncated.json.gz: truncated or corrupt file after");

    // Below --fail-on (or without it) the damage alone still fails the run.
    assertThat(run("scan", dir.toString())).isEqualTo(3);
    assertThat(run("scan", "--format", "json", dir.toString())).isEqualTo(3);
    var json = MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.path("files").asInt()).isEqualTo(2);
    assertThat(json.path("damagedFiles").asInt()).isEqualTo(1);
    assertThat(json.path("events").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(json.path("errors")).hasSize(1);
  }

  @Test
  void aLargeTruncatedFileKeepsEveryRecordOfItsLastBuffer(@TempDir Path dir) throws Exception {
    // About 300 KiB of records; the violating one sits in the last 64 KiB, where a buffered reader
    // on top of the gunzip stream used to drop everything when the damage surfaced.
    List<String> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      records.add(harmless(i + 10, 1000));
    }
    records.add(record("cloudtrail-logging-stopped", "nonCompliant"));
    for (int i = 0; i < 5; i++) {
      records.add(harmless(i + 1000, 1000));
    }
    byte[] gz = gzip(logFile(records));
    Path file = writeTruncated(dir.resolve("big.json.gz"), gz, 60);

    assertThat(run("scan", "--format", "json", "--fail-on", "critical", file.toString()))
        .isEqualTo(2);
    var json = MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.path("events").asInt()).isBetween(301, 305);
    assertThat(json.path("findings").toString()).contains("cloudtrail-logging-stopped");
    assertThat(json.path("damagedFiles").asInt()).isEqualTo(1);
  }

  @Test
  void aFileDamagedInItsMiddleKeepsWhatCameBefore(@TempDir Path dir) throws Exception {
    List<String> records =
        new ArrayList<>(List.of(record("cloudtrail-logging-stopped", "nonCompliant")));
    for (int i = 0; i < 50; i++) {
      records.add(harmless(i + 10, 500));
    }
    byte[] gz = gzip(logFile(records));
    // Garbage over the last 60 bytes (the compressed tail of the harmless records after
    // StopLogging):
    // the inflater reports corrupt data, not a clean end.
    for (int i = gz.length - 60; i < gz.length; i++) {
      gz[i] = (byte) (i * 31);
    }
    Files.write(dir.resolve("corrupt.json.gz"), gz);
    assertThat(run("scan", "--fail-on", "critical", dir.toString())).isEqualTo(2);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("cloudtrail-logging-stopped", "1 damaged");
  }
}
