package dev.trailmark.shipper.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
  private static final long SEG = 2L * 1024 * 1024;
  @TempDir Path dir;

  private DiskSpool open(long max) throws Exception {
    return DiskSpool.open(dir, max, SEG, FsyncPolicy.NEVER, 1000);
  }

  private static void append(DiskSpool s, int from, int to, int size) throws Exception {
    for (int i = from; i < to; i++) {
      byte[] b =
          String.format("%08d", i)
              .concat("y".repeat(Math.max(0, size - 8)))
              .getBytes(StandardCharsets.UTF_8);
      assertThat(s.append(i, b, 0, b.length)).isTrue();
    }
  }

  private static List<String> readAll(DiskSpool s) throws Exception {
    List<Event> out = new ArrayList<>();
    s.read(out, Integer.MAX_VALUE, Long.MAX_VALUE);
    List<String> ids = new ArrayList<>();
    for (Event e : out) {
      ids.add(new String(e.payload(), 0, 8, StandardCharsets.UTF_8));
    }
    return ids;
  }

  @Test
  void theSpoolIsReadableByItsOwnerOnly() throws Exception {
    DiskSpool s = open(64 * SEG);
    append(s, 0, 10, 20);
    s.close();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(p)))
            .as(p.toString())
            .isEqualTo("rw-------");
      }
    }
    if ("root".equals(System.getProperty("user.name"))) {
      // Another account really tries.
      Process p =
          new ProcessBuilder("runuser", "-u", "nobody", "--", "ls", dir.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(out).isNotZero();
      assertThat(out).contains("Permission denied");
    }
  }

  @Test
  void acknowledgedEventsAreGoneAfterReopenAndUnacknowledgedOnesComeBack() throws Exception {
    DiskSpool s = open(64 * SEG);
    append(s, 0, 100, 20);
    List<Event> first = new ArrayList<>();
    s.read(first, 40, Long.MAX_VALUE);
    s.commit(); // 0..39 acknowledged
    List<Event> inFlight = new ArrayList<>();
    s.read(inFlight, 30, Long.MAX_VALUE); // 40..69 read but never acknowledged
    s.close();

    DiskSpool again = open(64 * SEG);
    assertThat(again.unreadCount()).isEqualTo(60);
    List<String> ids = readAll(again);
    assertThat(ids).hasSize(60).startsWith("00000040").endsWith("00000099");
    again.close();
  }

  @Test
  void spansSegmentsAndDeletesThemOnceAcknowledged() throws Exception {
    DiskSpool s = open(64 * SEG);
    append(s, 0, 5000, 1000); // about 5 MB: three segments
    assertThat(segments()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(readAll(s)).hasSize(5000).startsWith("00000000").endsWith("00004999");
    s.commit();
    assertThat(segments()).hasSize(1);
    assertThat(s.usedBytes()).isZero();
    s.close();
  }

  @Test
  void aRecordTornByACrashIsDroppedAndEverythingBeforeItKept() throws Exception {
    DiskSpool s = open(64 * SEG);
    append(s, 0, 10, 100);
    s.close();
    Path seg = segments().get(0);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      long lastPayload = 9L * (DiskSpool.HEADER + 100) + DiskSpool.HEADER + 50;
      f.seek(lastPayload);
      f.write('!'); // a half-written last record: its checksum no longer matches
    }
    DiskSpool again = open(64 * SEG);
    assertThat(readAll(again)).hasSize(9).endsWith("00000008");
    append(again, 100, 101, 100); // new writes go after the last good record
    assertThat(readAll(again)).containsExactly("00000100");
    again.close();
  }

  @Test
  void isBoundedOnDiskAndDropOldestFreesWholeSegments() throws Exception {
    DiskSpool s = open(3 * SEG);
    int n = 0;
    byte[] b = new byte[10_000];
    while (s.append(n, b, 0, b.length)) {
      n++;
    }
    assertThat((long) n * b.length).isLessThanOrEqualTo(3 * SEG).isGreaterThan(2 * SEG);
    long before = s.unreadCount();
    int dropped = s.dropOldest();
    assertThat(dropped).isPositive();
    assertThat(s.unreadCount()).isEqualTo(before - dropped);
    assertThat(s.append(n, b, 0, b.length)).isTrue();
    s.close();
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
    }
  }
}
