package dev.trailmark.collector.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {

  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(WriteAheadLog.Chunk chunk) {
    return new String(chunk.payload(), StandardCharsets.UTF_8);
  }

  @Test
  void recordsSurviveReopeningUntilCommitted() throws IOException {
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      wal.append(bytes("a\n"));
      wal.append(bytes("b\n"));
      WriteAheadLog.Chunk first = wal.read(wal.readPosition(), 1);
      assertThat(text(first)).isEqualTo("a\n");
      wal.commit(first);
    }
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      assertThat(wal.backlogBytes()).isEqualTo(8 + 2);
      WriteAheadLog.Chunk rest = wal.read(wal.readPosition(), 1 << 20);
      assertThat(text(rest)).isEqualTo("b\n");
      wal.commit(rest);
      assertThat(wal.backlogBytes()).isZero();
    }
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      assertThat(wal.read(wal.readPosition(), 1 << 20).records()).isZero();
    }
  }

  @Test
  void aRestartAfterEverythingWasIndexedHasNothingToReplay() throws Exception {
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      wal.append(bytes("a\n"));
      wal.commit(wal.read(wal.readPosition(), 1 << 20));
    }
    for (int restart = 0; restart < 2; restart++) {
      try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
        // The fresh segment a restart opens is empty: nothing to send, so no empty _bulk.
        assertThat(wal.awaitRecords(wal.readPosition(), 10)).isFalse();
        assertThat(wal.backlogBytes()).isZero();
      }
    }
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      wal.append(bytes("b\n"));
      assertThat(wal.awaitRecords(wal.readPosition(), 10)).isTrue();
      assertThat(text(wal.read(wal.readPosition(), 1 << 20))).isEqualTo("b\n");
    }
  }

  @Test
  void aTornTailIsCutOffAndEarlierRecordsKept() throws IOException {
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      wal.append(bytes("complete\n"));
      wal.append(bytes("torn-record\n"));
    }
    Path segment;
    try (Stream<Path> files = Files.list(dir)) {
      segment = files.filter(p -> p.toString().endsWith(".wal")).findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3); // a crash in the middle of the second write
    }
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      assertThat(text(wal.read(wal.readPosition(), 1 << 20))).isEqualTo("complete\n");
      wal.append(bytes("after\n"));
      assertThat(text(wal.read(wal.readPosition(), 1 << 20))).isEqualTo("complete\nafter\n");
    }
  }

  @Test
  void fullyCommittedSegmentsAreDeleted() throws IOException {
    try (WriteAheadLog wal = new WriteAheadLog(dir, 64)) {
      for (int i = 0; i < 10; i++) {
        wal.append(bytes("record-number-" + i + "-" + "x".repeat(20) + "\n"));
      }
      assertThat(segments()).isGreaterThan(5);
      WriteAheadLog.Chunk all = wal.read(wal.readPosition(), 1 << 20);
      assertThat(all.records()).isEqualTo(10);
      wal.commit(all);
      assertThat(segments()).isLessThanOrEqualTo(1);
      assertThat(wal.backlogBytes()).isZero();
    }
  }

  @Test
  void readsStopAtTheByteBudget() throws IOException {
    try (WriteAheadLog wal = new WriteAheadLog(dir, 1 << 20)) {
      for (int i = 0; i < 5; i++) {
        wal.append(bytes("0123456789"));
      }
      WriteAheadLog.Chunk chunk = wal.read(wal.readPosition(), 25);
      assertThat(chunk.records()).isEqualTo(3);
      wal.commit(chunk);
      assertThat(wal.read(wal.readPosition(), 1 << 20).records()).isEqualTo(2);
    }
  }

  @Test
  void concurrentAppendsAreAllDurableAcrossSegmentRolls() throws Exception {
    int threads = 8;
    int perThread = 200;
    try (WriteAheadLog wal = new WriteAheadLog(dir, 4_096)) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    wal.append(bytes("t" + id + "-" + i + "\n"));
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
    }
    try (WriteAheadLog wal = new WriteAheadLog(dir, 4_096)) {
      WriteAheadLog.Chunk all = wal.read(wal.readPosition(), Long.MAX_VALUE);
      assertThat(all.records()).isEqualTo(threads * perThread);
      assertThat(text(all).split("\n")).doesNotHaveDuplicates().hasSize(threads * perThread);
    }
  }

  @Test
  void aSecondLogOnTheSameDirectoryIsRefusedUntilTheFirstCloses() throws IOException {
    try (WriteAheadLog first = new WriteAheadLog(dir, 1 << 20)) {
      first.append(bytes("x"));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WriteAheadLog(dir, 1 << 20))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another collector");
    }
    try (WriteAheadLog again = new WriteAheadLog(dir, 1 << 20)) {
      assertThat(again.backlogBytes()).isEqualTo(9);
    }
  }

  private long segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".wal")).count();
    }
  }
}
