package dev.trailmark.shipper.internal.delivery;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The default buffer: a ring of bytes in memory, bounded by bytes, that logging threads append to
 * without a lock while the sender reads.
 *
 * <p>Why a ring and not a queue of arrays: the logging thread then neither allocates nor waits for
 * the sender. It claims space by moving the tail with one compare-and-set, copies the encoded event
 * in, and publishes it by writing the record's length last (a release store); the sender reads
 * records whose length is published, in claim order, and stops at the first one still being
 * written. Records are {@code [int length incl. header][int 0][long timestamp][payload]}, padded to
 * 8 bytes; a record never straddles two chunks: the rest of a chunk too short for it becomes a
 * padding record (negative length). Space the sender has read is zeroed before it is handed back,
 * so an unpublished header always reads 0.
 *
 * <p>The ring is allocated whole when the buffer is created and reused forever: a logging thread
 * never allocates (allocating a chunk on first use would put a humongous allocation on some logging
 * thread). It is split into chunks that each hold the largest event. The bound covers the ring and
 * the events the sender holds in flight: {@code ring bytes in use + in-flight bytes <=
 * capacityBytes()}.
 *
 * <p>Thread-safety: {@link #append} from any number of threads at once, concurrently with
 * everything else. {@link #read}, {@link #dropOldest} and {@link #commit} move the head and must be
 * called under the engine's lock (one at a time).
 */
final class MemoryBuffer implements EventBuffer {
  /** Bytes of a record's header. */
  static final int HEADER = 16;

  /** {@link #tryAppend} result: no room now. */
  static final long FULL = -1;

  /** {@link #tryAppend} result: closed for appends (shutting down). */
  static final long CLOSED = -2;

  private static final long CLOSED_BIT = 1L << 62;
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

  private final int chunkBytes;
  private final int chunkCount;
  private final long capacity;
  private final byte[][] chunks;

  /** Next position to claim (monotonic; the closed bit is set once at shutdown). */
  private final AtomicLong tail = new AtomicLong();

  /**
   * First position not yet read; everything before it is zeroed and free. Written under the engine
   * lock.
   */
  private volatile long head;

  /** Bytes the sender took out of the ring and has not yet had acknowledged. */
  private volatile long inFlightBytes;

  private final LongAdder appended = new LongAdder();
  private volatile long removed; // events read or dropped: written under the engine lock

  /**
   * A ring of at most {@code capacityBytes}, whose chunks hold the largest record ({@code
   * maxEventBytes} of payload) when the capacity allows.
   */
  MemoryBuffer(long capacityBytes, int maxEventBytes) {
    long cap = Math.max(HEADER, capacityBytes & ~7L);
    long record = align(HEADER + (long) maxEventBytes);
    long chunk = Math.min(record, cap);
    long count = Math.max(1, cap / chunk);
    if (count > Integer.MAX_VALUE || chunk > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("buffer too large: " + capacityBytes);
    }
    this.chunkBytes = (int) chunk;
    this.chunkCount = (int) count;
    this.capacity = chunk * count;
    this.chunks = new byte[chunkCount][];
    for (int i = 0; i < chunkCount; i++) {
      chunks[i] = new byte[chunkBytes];
    }
  }

  /**
   * The largest payload this buffer can ever hold (when the capacity is smaller than one largest
   * event).
   */
  int maxPayloadBytes() {
    return chunkBytes - HEADER;
  }

  /**
   * Ring bytes one event of {@code payloadBytes} takes: its header and payload, rounded up to 8.
   */
  static long recordBytes(int payloadBytes) {
    return align(HEADER + (long) payloadBytes);
  }

  private static long align(long n) {
    return (n + 7) & ~7L;
  }

  @Override
  public boolean append(long timestamp, byte[] bytes, int off, int len) {
    return tryAppend(timestamp, bytes, off, len) >= 0;
  }

  /**
   * Appends one event without locking; returns the unread bytes of the ring after it (the caller's
   * cue to wake the sender), or {@link #FULL} or {@link #CLOSED}.
   */
  long tryAppend(long timestamp, byte[] bytes, int off, int len) {
    long span = align(HEADER + (long) len);
    if (span > chunkBytes) {
      return FULL; // larger than the whole buffer can ever hold
    }
    while (true) {
      long t = tail.get();
      if ((t & CLOSED_BIT) != 0) {
        return CLOSED;
      }
      int offset = (int) (t % chunkBytes);
      long pad = offset + span > chunkBytes ? chunkBytes - offset : 0;
      long start = t + pad;
      long h = head;
      if (start + span - h + inFlightBytes > capacity) {
        return FULL;
      }
      if (tail.compareAndSet(t, start + span)) {
        byte[] target = chunk(start);
        if (pad > 0) {
          INT.setRelease(chunk(t), offset, (int) -pad);
        }
        int at = (int) (start % chunkBytes);
        LONG.set(target, at + 8, timestamp);
        System.arraycopy(bytes, off, target, at + HEADER, len);
        INT.setRelease(target, at, HEADER + len); // publish: the sender may read it from now on
        appended.increment();
        return start + span - h;
      }
    }
  }

  private byte[] chunk(long position) {
    return chunks[(int) ((position / chunkBytes) % chunkCount)];
  }

  /**
   * Refuses every later append (they return {@link #CLOSED}); appends already claimed complete
   * normally.
   */
  void closeAppends() {
    while (true) {
      long t = tail.get();
      if ((t & CLOSED_BIT) != 0 || tail.compareAndSet(t, t | CLOSED_BIT)) {
        return;
      }
    }
  }

  private long tailPosition() {
    return tail.get() & ~CLOSED_BIT;
  }

  /**
   * Copies published events out (at most {@code maxEvents}, and {@code maxBytes} of ring space
   * unless the first alone is larger), frees their ring space and counts their bytes as in flight
   * until {@link #commit}. Stops early at an event still being written.
   */
  @Override
  public void read(List<Event> out, int maxEvents, long maxBytes) {
    long pos = head;
    long end = tailPosition();
    long bytes = 0;
    int taken = 0;
    while (pos < end && taken < maxEvents) {
      byte[] c = chunk(pos);
      int at = (int) (pos % chunkBytes);
      int word = (int) INT.getAcquire(c, at);
      if (word == 0) {
        break; // claimed, not yet published
      }
      if (word < 0) {
        INT.set(c, at, 0);
        pos += -word;
        continue;
      }
      long span = align(word);
      if (taken > 0 && bytes + span > maxBytes) {
        break;
      }
      long timestamp = (long) LONG.get(c, at + 8);
      out.add(new Event(timestamp, Arrays.copyOfRange(c, at + HEADER, at + word)));
      Arrays.fill(c, at, at + (int) span, (byte) 0);
      pos += span;
      bytes += span;
      taken++;
    }
    inFlightBytes += bytes;
    removed += taken;
    head = pos; // after the zeroing: appenders that see the new head find clean space
  }

  @Override
  public void commit() {
    inFlightBytes = 0;
  }

  @Override
  public int dropOldest() {
    long pos = head;
    long end = tailPosition();
    while (pos < end) {
      byte[] c = chunk(pos);
      int at = (int) (pos % chunkBytes);
      int word = (int) INT.getAcquire(c, at);
      if (word == 0) {
        break;
      }
      if (word < 0) {
        INT.set(c, at, 0);
        pos += -word;
        continue;
      }
      long span = align(word);
      Arrays.fill(c, at, at + (int) span, (byte) 0);
      removed++;
      head = pos + span;
      return 1;
    }
    head = pos;
    return 0;
  }

  @Override
  public long unreadCount() {
    return Math.max(0, appended.sum() - removed);
  }

  /** Ring bytes claimed and not yet read (including events still being written). */
  @Override
  public long unreadBytes() {
    return tailPosition() - head;
  }

  @Override
  public long usedBytes() {
    return unreadBytes() + inFlightBytes;
  }

  @Override
  public long capacityBytes() {
    return capacity;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void close() {
    closeAppends();
  }
}
