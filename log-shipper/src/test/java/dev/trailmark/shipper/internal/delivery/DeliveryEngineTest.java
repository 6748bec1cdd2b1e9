package dev.trailmark.shipper.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeliveryEngineTest {
  private final List<String> warnings = new CopyOnWriteArrayList<>();

  private DeliveryEngine engine(
      Destination d, OverflowPolicy p, long bufferBytes, Duration maxBlock) {
    return DeliveryEngine.builder(d)
        .maxBufferBytes(bufferBytes)
        .overflowPolicy(p)
        .maxBlock(maxBlock)
        .maxBatchDelay(Duration.ofMillis(20))
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
        .listener((m, e) -> warnings.add(m))
        .start();
  }

  private static boolean offer(DeliveryEngine e, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return e.offer(System.currentTimeMillis(), b, 0, b.length);
  }

  /** 100-byte events: each takes {@link #SPAN} bytes of the memory buffer with its header. */
  private static final long SPAN = MemoryBuffer.recordBytes(100);

  private static String event(int i) {
    String n = String.format("%06d", i);
    return n + "x".repeat(94);
  }

  @Test
  void dropNewestKeepsTheOldestAndCountsAndReportsEveryDrop() throws Exception {
    ScriptedDestination d = new ScriptedDestination(true);
    DeliveryEngine e = engine(d, OverflowPolicy.DROP_NEWEST, SPAN * 50, Duration.ZERO);
    assertThat(offer(e, event(0))).isTrue();
    assertThat(d.firstRequest.await(5, TimeUnit.SECONDS)).isTrue(); // event 0 is in flight, held
    int accepted = 1;
    for (int i = 1; i < 200; i++) {
      accepted += offer(e, event(i)) ? 1 : 0;
    }
    assertThat(accepted).isEqualTo(50);
    assertThat(e.stats().droppedOverflow()).isEqualTo(150);
    d.release.countDown();
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(d.delivered).hasSize(50).startsWith(event(0), event(1)).endsWith(event(49));
    assertThat(warnings)
        .anyMatch(w -> w.contains("150 events dropped") && w.contains("drop-newest"));
  }

  @Test
  void dropOldestKeepsTheNewest() throws Exception {
    ScriptedDestination d = new ScriptedDestination(true);
    DeliveryEngine e = engine(d, OverflowPolicy.DROP_OLDEST, SPAN * 50, Duration.ZERO);
    offer(e, event(0));
    assertThat(d.firstRequest.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 200; i++) {
      assertThat(offer(e, event(i))).isTrue();
    }
    assertThat(e.stats().droppedOverflow()).isEqualTo(150);
    d.release.countDown();
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    // the in-flight event 0, then the newest 49
    assertThat(d.delivered).hasSize(50).startsWith(event(0), event(151)).endsWith(event(199));
    assertThat(e.stats().sent() + e.stats().droppedOverflow()).isEqualTo(200);
  }

  @Test
  void blockMakesTheLoggingThreadWaitForSpaceAndLosesNothing() throws Exception {
    ScriptedDestination d = new ScriptedDestination(true);
    DeliveryEngine e = engine(d, OverflowPolicy.BLOCK, SPAN * 10, Duration.ofDays(1));
    offer(e, event(0));
    assertThat(d.firstRequest.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> app =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 1; i < 100; i++) {
                offer(e, event(i));
              }
            });
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !app.isDone());
    d.release.countDown();
    app.get(10, TimeUnit.SECONDS);
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(d.delivered).hasSize(100);
    assertThat(e.stats().dropped()).isZero();
  }

  @Test
  void blockGivesUpAfterMaxBlockAndCountsTheDrop() throws Exception {
    ScriptedDestination d = new ScriptedDestination(true);
    DeliveryEngine e = engine(d, OverflowPolicy.BLOCK, SPAN * 2, Duration.ofMillis(100));
    offer(e, event(0));
    assertThat(d.firstRequest.await(5, TimeUnit.SECONDS)).isTrue();
    offer(e, event(1));
    long t0 = System.nanoTime();
    assertThat(offer(e, event(2))).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(90);
    assertThat(e.stats().droppedOverflow()).isEqualTo(1);
    d.release.countDown();
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void shutdownWithAFullQueueFlushesEverythingWithinTheDeadline() throws Exception {
    ScriptedDestination d = new ScriptedDestination(false);
    d.delayMillis = 2; // every request takes a moment, like a real endpoint
    DeliveryEngine e = engine(d, OverflowPolicy.BLOCK, 8L * 1024 * 1024, Duration.ofDays(1));
    for (int i = 0; i < 20_000; i++) {
      offer(e, event(i));
    }
    long t0 = System.nanoTime();
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(20));
    assertThat(d.delivered).hasSize(20_000);
    assertThat(e.stats().dropped()).isZero();
  }

  @Test
  void whenTheDeadlinePassesTheUnsentEventsAreCountedAsLostAndReported() throws Exception {
    ScriptedDestination d = new ScriptedDestination(false);
    d.failing = true;
    DeliveryEngine e = engine(d, OverflowPolicy.DROP_NEWEST, 1024 * 1024, Duration.ZERO);
    for (int i = 0; i < 300; i++) {
      offer(e, event(i));
    }
    long t0 = System.nanoTime();
    assertThat(e.close(Duration.ofMillis(500))).isFalse();
    // gives up soon after the deadline instead of retrying forever (generous bound for a loaded
    // machine)
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
    assertThat(e.stats().droppedShutdown()).isEqualTo(300);
    assertThat(warnings).anyMatch(w -> w.contains("300 events lost"));
  }

  @Test
  void aFullSpoolDropsItsOldestSegmentsCountsEveryDropAndDeliversTheRest(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ScriptedDestination d = new ScriptedDestination(true);
    DeliveryEngine e =
        DeliveryEngine.builder(d)
            .spool(dir, 6L * 1024 * 1024)
            .spoolSegmentBytes(2L * 1024 * 1024)
            .fsync(FsyncPolicy.NEVER, Duration.ofSeconds(1))
            .overflowPolicy(OverflowPolicy.DROP_OLDEST)
            .maxBatchDelay(Duration.ofMillis(20))
            .listener((m, x) -> warnings.add(m))
            .start();
    String big = "y".repeat(5000);
    int n = 2000; // 10 MB into a 6 MiB spool
    for (int i = 0; i < n; i++) {
      assertThat(offer(e, String.format("%06d", i) + big)).isTrue();
    }
    assertThat(e.stats().droppedOverflow()).isPositive();
    d.release.countDown();
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    assertThat(d.delivered.size() + e.stats().droppedOverflow())
        .as("every event delivered or counted")
        .isEqualTo(n);
    assertThat(d.delivered.get(d.delivered.size() - 1)).startsWith(String.format("%06d", n - 1));
    assertThat(warnings).anyMatch(w -> w.contains("events dropped") && w.contains("drop-oldest"));
  }

  @Test
  void aSpoolKeepsWhatWasNotAcknowledgedAtShutdownForTheNextStart(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    ScriptedDestination down = new ScriptedDestination(false);
    down.failing = true;
    DeliveryEngine first =
        DeliveryEngine.builder(down)
            .spool(dir, 8L * 1024 * 1024)
            .spoolSegmentBytes(2L * 1024 * 1024)
            .maxBatchDelay(Duration.ofMillis(20))
            .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))
            .start();
    for (int i = 0; i < 100; i++) {
      offer(first, event(i));
    }
    assertThat(first.close(Duration.ofMillis(300))).isFalse();
    assertThat(first.stats().droppedShutdown()).as("nothing lost: it stays on disk").isZero();

    ScriptedDestination up = new ScriptedDestination(false);
    DeliveryEngine second =
        DeliveryEngine.builder(up)
            .spool(dir, 8L * 1024 * 1024)
            .spoolSegmentBytes(2L * 1024 * 1024)
            .maxBatchDelay(Duration.ofMillis(20))
            .start();
    assertThat(second.close(Duration.ofSeconds(10))).isTrue();
    assertThat(up.delivered).hasSize(100).startsWith(event(0)).endsWith(event(99));
  }

  @Test
  void flushWaitsUntilTheDestinationAcknowledged() throws Exception {
    ScriptedDestination d = new ScriptedDestination(false);
    DeliveryEngine e = DeliveryEngine.builder(d).maxBatchDelay(Duration.ofHours(1)).start();
    offer(e, "a");
    assertThat(e.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(d.delivered).containsExactly("a");
    e.close(Duration.ofSeconds(1));
  }

  @Test
  void loggingThreadsRacingWithCloseLoseNothingSilently() throws Exception {
    ScriptedDestination d = new ScriptedDestination(false);
    DeliveryEngine e = engine(d, OverflowPolicy.BLOCK, 64 * 1024, Duration.ofDays(1));
    int threads = 4;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<Integer>> offered = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      offered.add(
          pool.submit(
              () -> {
                int i = 0;
                while (offer(e, id + ":" + i)) { // until the engine refuses: it is closing
                  i++;
                }
                return i + 1;
              }));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> d.delivered.size() > 5000);
    assertThat(e.close(Duration.ofSeconds(20))).isTrue();
    long total = 0;
    for (java.util.concurrent.Future<Integer> f : offered) {
      total += f.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(e.stats().droppedShutdown()).as("every refused event is counted").isEqualTo(threads);
    assertThat(d.delivered)
        .as("every accepted event is delivered, once")
        .hasSize((int) (total - threads))
        .doesNotHaveDuplicates();
    assertThat(e.stats().sent()).isEqualTo(e.stats().accepted()).isEqualTo(total - threads);
  }

  @Test
  void aFullRequestIsSentAtOnceWithoutWaitingForTheBatchDelay() throws Exception {
    ScriptedDestination d = new ScriptedDestination(false); // requests of at most 100,000 bytes
    DeliveryEngine e = DeliveryEngine.builder(d).maxBatchDelay(Duration.ofHours(1)).start();
    for (int round = 0; round < 3; round++) {
      int before = d.delivered.size();
      for (int i = 0; i < 1000; i++) { // 100 KB: a request's worth wakes the sleeping sender
        offer(e, event(i));
      }
      // well before the sender's own 10 s wake-up for status reports
      await().atMost(Duration.ofSeconds(5)).until(() -> d.delivered.size() - before >= 800);
    }
    assertThat(e.close(Duration.ofSeconds(10))).isTrue();
    assertThat(d.delivered).hasSize(3000);
  }

  @Test
  void concurrentLoggingThreadsOnAFullBufferDropTheOldestCountEveryDropAndKeepEachThreadsOrder()
      throws Exception {
    ScriptedDestination d = new ScriptedDestination(false);
    d.delayMillis = 1; // slower than the logging threads: the small buffer is full most of the time
    DeliveryEngine e = engine(d, OverflowPolicy.DROP_OLDEST, 16 * 1024, Duration.ZERO);
    int threads = 4;
    int perThread = 20_000;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  assertThat(offer(e, id + ":" + i))
                      .as("drop-oldest always takes the new event")
                      .isTrue();
                }
                return null;
              }));
    }
    for (java.util.concurrent.Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(e.close(Duration.ofSeconds(30))).isTrue();
    assertThat(e.stats().droppedOverflow()).as("the buffer overflowed").isPositive();
    assertThat(d.delivered.size() + e.stats().droppedOverflow())
        .as("every event delivered or counted")
        .isEqualTo(threads * perThread);
    int[] last = new int[threads];
    java.util.Arrays.fill(last, -1);
    for (String s : d.delivered) {
      int t = Integer.parseInt(s.substring(0, s.indexOf(':')));
      int i = Integer.parseInt(s.substring(s.indexOf(':') + 1));
      assertThat(i).as("thread %d's events in order, none twice", t).isGreaterThan(last[t]);
      last[t] = i;
    }
    // the very last event offered is never the oldest: the thread that finished last kept its final
    // one
    assertThat(last).as("the newest event survives").contains(perThread - 1);
  }
}
