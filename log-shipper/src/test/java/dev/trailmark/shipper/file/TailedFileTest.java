package dev.trailmark.shipper.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailedFileTest {
  @TempDir Path dir;

  private static boolean cont(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return TailedFile.isContinuation(b, b.length);
  }

  @Test
  void recognizesJavaStackTraceLines() {
    assertThat(cont("\tat com.example.A.b(A.java:1)")).isTrue();
    assertThat(cont("Caused by: java.io.IOException: x")).isTrue();
    assertThat(cont("\t... 12 more")).isTrue();
    assertThat(cont("java.lang.IllegalStateException: declined")).isTrue();
    assertThat(cont("com.example.PaymentError")).isTrue();
    assertThat(cont("2026-11-26 10:00:00 INFO next event")).isFalse();
    assertThat(cont("hello: world")).isFalse();
    assertThat(cont("{\"body\":\"x\"}")).isFalse();
  }

  @Test
  void checkpointStopsBeforeAnUnfinishedLineAndAnEventThatMayStillGrow() throws Exception {
    Path f = dir.resolve("a.log");
    Files.writeString(f, "first\nsecond\nthird-without-newline");
    List<String> events = new ArrayList<>();
    try (TailedFile t = new TailedFile("k", f, 0, true)) {
      t.poll(
          (file, b, off, len, start) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)),
          1 << 20);
      assertThat(events).containsExactly("first");
      assertThat(t.checkpointOffset()).isEqualTo(6); // "second" may still get stack trace lines
      Files.writeString(f, "\n\tat x.Y.z(Y.java:1)\n", StandardOpenOption.APPEND);
      t.poll(
          (file, b, off, len, start) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)),
          1 << 20);
      t.flushQuiet(
          (file, b, off, len, start) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)),
          0,
          true);
      assertThat(events)
          .containsExactly("first", "second", "third-without-newline\n\tat x.Y.z(Y.java:1)");
      assertThat(t.checkpointOffset()).isEqualTo(Files.size(f));
    }
  }

  @Test
  void startsOverAfterCopytruncate() throws Exception {
    Path f = dir.resolve("b.log");
    Files.writeString(f, "one\ntwo\n");
    List<String> events = new ArrayList<>();
    try (TailedFile t = new TailedFile("k", f, 0, false)) {
      t.poll(
          (file, b, off, len, start) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)),
          1 << 20);
      Files.writeString(f, "x\n"); // truncated to zero, then written again
      t.poll(
          (file, b, off, len, start) -> events.add(new String(b, off, len, StandardCharsets.UTF_8)),
          1 << 20);
      assertThat(events).containsExactly("one", "two", "x");
    }
  }
}
