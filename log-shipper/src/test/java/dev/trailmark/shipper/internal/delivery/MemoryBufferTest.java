package dev.trailmark.shipper.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryBufferTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean append(MemoryBuffer b, long ts, String s) {
    byte[] p = bytes(s);
    return b.append(ts, p, 0, p.length);
  }

  private static List<String> readAll(MemoryBuffer b) {
    List<Event> out = new ArrayList<>();
    b.read(out, Integer.MAX_VALUE, Long.MAX_VALUE);
    List<String> s = new ArrayList<>();
    for (Event e : out) {
      s.add(new String(e.payload(), StandardCharsets.UTF_8));
    }
    return s;
  }

  @Test
  void eventsComeOutInOrderWithTheirTimestampsAcrossManyWrapArounds() {
    // chunks of 256 bytes (the largest record), two of them: records of varying size leave padding
    // at
    // chunk ends and wrap around the ring hundreds of times
    MemoryBuffer b = new MemoryBuffer(512, 256 - MemoryBuffer.HEADER);
    assertThat(b.capacityBytes()).isEqualTo(512);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 2000; round++) {
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        String s = next + ":" + "x".repeat(r.nextInt(120));
        if (append(b, next, s)) {
          next++;
        }
      }
      List<Event> out = new ArrayList<>();
      b.read(out, Integer.MAX_VALUE, Long.MAX_VALUE);
      for (Event e : out) {
        String s = new String(e.payload(), StandardCharsets.UTF_8);
        assertThat(s).startsWith(expected + ":");
        assertThat(e.timestamp()).isEqualTo(expected);
        expected++;
      }
      b.commit();
    }
    assertThat(expected).isEqualTo(next).isGreaterThan(2000);
    assertThat(b.usedBytes()).isZero();
    assertThat(b.unreadCount()).isZero();
  }

  @Test
  void theBoundCountsUnreadAndInFlightBytes() {
    long span = MemoryBuffer.recordBytes(100);
    MemoryBuffer b = new MemoryBuffer(span * 4, 1000);
    String e = "e".repeat(100);
    for (int i = 0; i < 4; i++) {
      assertThat(append(b, i, e)).isTrue();
    }
    assertThat(append(b, 4, e)).as("full").isFalse();
    assertThat(b.usedBytes()).isEqualTo(span * 4);

    List<Event> window = new ArrayList<>();
    b.read(window, 3, Long.MAX_VALUE);
    assertThat(window).hasSize(3);
    assertThat(b.unreadBytes()).isEqualTo(span);
    assertThat(append(b, 5, e)).as("events in flight still count until acknowledged").isFalse();
    b.commit();
    assertThat(b.usedBytes()).isEqualTo(span);
    for (int i = 0; i < 3; i++) {
      assertThat(append(b, 6 + i, e)).isTrue();
    }
    assertThat(append(b, 9, e)).isFalse();
    assertThat(readAll(b)).hasSize(4);
  }

  @Test
  void anEventLargerThanTheWholeBufferNeverFits() {
    MemoryBuffer b = new MemoryBuffer(1000, 10_000);
    assertThat(b.maxPayloadBytes()).isEqualTo(1000 - MemoryBuffer.HEADER);
    byte[] big = new byte[b.maxPayloadBytes() + 1];
    assertThat(b.tryAppend(1, big, 0, big.length)).isEqualTo(MemoryBuffer.FULL);
    byte[] fits = new byte[b.maxPayloadBytes()];
    assertThat(b.tryAppend(1, fits, 0, fits.length)).isEqualTo(1000);
  }

  @Test
  void readStopsAtTheWindowLimits() {
    MemoryBuffer b = new MemoryBuffer(1 << 16, 1000);
    for (int i = 0; i < 10; i++) {
      append(b, i, "event-" + i);
    }
    List<Event> out = new ArrayList<>();
    b.read(out, 4, Long.MAX_VALUE);
    assertThat(out).hasSize(4);
    out.clear();
    b.read(out, 100, MemoryBuffer.recordBytes(7) * 2);
    assertThat(out).hasSize(2);
    assertThat(b.unreadCount()).isEqualTo(4);
    assertThat(readAll(b)).containsExactly("event-6", "event-7", "event-8", "event-9");
  }

  @Test
  void dropOldestFreesTheOldestUnreadEvent() {
    long span = MemoryBuffer.recordBytes(5);
    MemoryBuffer b = new MemoryBuffer(span * 3, 100);
    append(b, 0, "ev-00");
    append(b, 1, "ev-01");
    append(b, 2, "ev-02");
    assertThat(append(b, 3, "ev-03")).isFalse();
    assertThat(b.dropOldest()).isEqualTo(1);
    assertThat(append(b, 3, "ev-03")).isTrue();
    assertThat(readAll(b)).containsExactly("ev-01", "ev-02", "ev-03");
    assertThat(b.dropOldest()).as("nothing unread").isZero();
  }

  @Test
  void afterCloseAppendsAreRefusedAndWhatWasInItIsStillRead() {
    MemoryBuffer b = new MemoryBuffer(4096, 100);
    append(b, 0, "before");
    b.closeAppends();
    byte[] p = bytes("after");
    assertThat(b.tryAppend(1, p, 0, p.length)).isEqualTo(MemoryBuffer.CLOSED);
    assertThat(readAll(b)).containsExactly("before");
    assertThat(b.unreadBytes()).isZero();
  }

  @Test
  void concurrentProducersLoseNothingAndKeepEachThreadsOrderWhileTheReaderDrains()
      throws Exception {
    // a small ring (8 KiB) so that it is full, wraps and is read concurrently all the time
    MemoryBuffer b = new MemoryBuffer(8192, 512);
    int threads = 4;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      producers.add(
          pool.submit(
              () -> {
                go.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < perThread; i++) {
                  byte[] p = bytes(id + ":" + i + ":" + "p".repeat(r.nextInt(200)));
                  while (!b.append(i, p, 0, p.length)) {
                    Thread
                        .yield(); // full: wait for the reader (what the engine's block policy does)
                  }
                }
                return null;
              }));
    }
    int[] last = new int[threads];
    java.util.Arrays.fill(last, -1);
    Set<String> seen = new HashSet<>();
    go.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int total = 0;
    List<Event> out = new ArrayList<>();
    while (total < threads * perThread && System.nanoTime() < deadline) {
      out.clear();
      b.read(out, 100, Long.MAX_VALUE);
      for (Event e : out) {
        String s = new String(e.payload(), StandardCharsets.UTF_8);
        String[] f = s.split(":", 3);
        int t = Integer.parseInt(f[0]);
        int i = Integer.parseInt(f[1]);
        assertThat(i).as("thread %d's events in its order", t).isEqualTo(last[t] + 1);
        assertThat(e.timestamp()).isEqualTo(i);
        assertThat(f[2]).matches("p*");
        last[t] = i;
        seen.add(s.substring(0, s.lastIndexOf(':')));
      }
      total += out.size();
      b.commit();
    }
    for (Future<?> f : producers) {
      f.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(total).isEqualTo(threads * perThread);
    assertThat(seen).hasSize(threads * perThread);
    assertThat(b.usedBytes()).isZero();
    assertThat(b.unreadCount()).isZero();
  }
}
