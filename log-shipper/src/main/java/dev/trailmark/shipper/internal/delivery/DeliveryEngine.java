package dev.trailmark.shipper.internal.delivery;

import dev.trailmark.shipper.DeliveryStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one delivery engine behind every Trailmark log destination: a byte-bounded buffer (memory or
 * disk spool) filled by application threads, and one sender thread that cuts batches to the
 * destination's limits and retries with exponential backoff and full jitter until each event is
 * acknowledged.
 *
 * <p>The application thread only copies the event into the buffer: with the memory buffer it takes
 * no lock and makes no system call (it wakes the sender only when a batch is due). When the buffer
 * is full the {@link OverflowPolicy} decides, under a lock; every drop is counted in {@link
 * #stats()} and reported to the {@link DeliveryListener}. Events of a disk spool that are not
 * acknowledged by shutdown stay on disk and are sent by the next engine opened on the same
 * directory (at least once).
 */
public final class DeliveryEngine implements AutoCloseable {
  private static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** How long drop-oldest waits for a logging thread to finish writing the oldest event. */
  private static final long MAX_WRITER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** What {@link #takeWindow} returns when the sender must end. */
  private static final long STOP = Long.MIN_VALUE;

  private final Destination destination;
  private final EventBuffer buffer;
  private final MemoryBuffer memory; // the buffer when it is in memory: appends skip the lock
  private final int maxEventBytes;
  private final Batcher batcher;
  private final Backoff backoff;
  private final OverflowPolicy policy;
  private final long maxBlockNanos;
  private final long maxBatchDelayNanos;
  private final long triggerBytes;
  private final DeliveryListener listener;
  private final DeliveryCounters stats = new DeliveryCounters();
  private final Thread sender;

  // Guards the buffer's reader side, the overflow policies and the spool; the memory fast path
  // never takes it.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceAvailable = lock.newCondition();
  private final Condition drained = lock.newCondition();
  private volatile boolean senderParked; // logging threads wake the sender only while it sleeps
  private int inFlight; // events the sender holds
  private int flushRequests;
  private volatile boolean stopping;
  private volatile boolean abandon; // the shutdown deadline passed: stop retrying
  private long reportedDrops;
  private long reportedTruncated;
  private long abandonedInFlight; // memory events given up by the sender at the deadline
  private long lastReportNanos;

  // The sender thread's own state between windows.
  /** The oldest unread event arrived after this: the last time the sender saw nothing unread. */
  private long idleSince;

  /** The last window was cut by the event count: more may be due than the byte trigger shows. */
  private boolean draining;

  private DeliveryEngine(Builder b) throws IOException {
    this.destination = b.destination;
    this.policy = b.policy;
    this.maxBlockNanos = b.maxBlock.toNanos();
    this.maxBatchDelayNanos = b.maxBatchDelay.toNanos();
    this.listener = b.listener;
    this.batcher = new Batcher(destination.limits());
    this.backoff = new Backoff(b.retryBase.toMillis(), b.retryMax.toMillis());
    this.maxEventBytes = destination.limits().maxEventBytes();
    this.memory = b.spoolDir != null ? null : new MemoryBuffer(b.maxBufferBytes, maxEventBytes);
    this.buffer =
        memory != null
            ? memory
            : DiskSpool.open(
                b.spoolDir, b.spoolMaxBytes, b.segmentBytes, b.fsync, b.fsyncInterval.toMillis());
    // Wake the sender early once a full request is waiting, or half the buffer: it then never
    // sleeps
    // on a full buffer while the application fills it.
    this.triggerBytes = Math.min(destination.limits().maxBytes(), buffer.capacityBytes() / 2);
    stats.durable = buffer.durable();
    updateGauges();
    this.sender = new Thread(this::run, b.threadName);
    sender.setDaemon(true);
    sender.start();
  }

  /** Starts building an engine for {@code destination}. */
  public static Builder builder(Destination destination) {
    return new Builder(destination);
  }

  /** Live counters. */
  public DeliveryStats stats() {
    return stats;
  }

  /**
   * Whether the calling thread is this engine's sender (its own logging must not feed back into
   * it).
   */
  public boolean isSenderThread() {
    return Thread.currentThread() == sender;
  }

  /** The destination's name. */
  public String destinationName() {
    return destination.name();
  }

  /**
   * Accepts one encoded event (bytes copied); returns false when it was dropped by the overflow
   * policy. Blocks only with {@link OverflowPolicy#BLOCK}.
   */
  public boolean offer(long timestamp, byte[] bytes, int off, int len) {
    if (len > maxEventBytes) {
      // cut now rather than hold bytes the destination can never take
      Event cut =
          Batcher.truncate(
              new Event(timestamp, Arrays.copyOfRange(bytes, off, off + len)), maxEventBytes);
      stats.truncated.increment();
      bytes = cut.payload();
      off = 0;
      len = bytes.length;
    }
    MemoryBuffer m = memory;
    if (m != null) {
      long unread = m.tryAppend(timestamp, bytes, off, len);
      if (unread >= 0) {
        stats.accepted.increment();
        if (unread >= triggerBytes && senderParked) {
          LockSupport.unpark(sender); // a request's worth is waiting: once per batch, not per event
        }
        return true;
      }
      if (unread == MemoryBuffer.CLOSED) {
        stats.droppedShutdown.increment();
        return false;
      }
      if (len > m.maxPayloadBytes()) {
        stats.droppedOverflow
            .increment(); // larger than the whole buffer: never empty it for this one
        return false;
      }
    }
    return offerLocked(timestamp, bytes, off, len);
  }

  /** The spool's path, and the memory buffer's when it is full: the overflow policy decides. */
  private boolean offerLocked(long timestamp, byte[] bytes, int off, int len) {
    lock.lock();
    try {
      long waitNanos = maxBlockNanos;
      long writerWaitStart = 0;
      while (true) {
        if (stopping) {
          stats.droppedShutdown.increment();
          return false;
        }
        if (buffer.append(timestamp, bytes, off, len)) {
          stats.accepted.increment();
          if (buffer.unreadBytes() >= triggerBytes
              || buffer.unreadCount() >= destination.limits().maxEvents()) {
            wakeSender();
          }
          updateGauges();
          return true;
        }
        wakeSender(); // full: the sender must not wait for the batch delay
        if (policy == OverflowPolicy.DROP_OLDEST) {
          int dropped = buffer.dropOldest();
          if (dropped > 0) {
            stats.droppedOverflow.add(dropped);
            continue;
          }
          if (memory != null && memory.unreadBytes() > 0) {
            // the oldest event is still being copied in by its logging thread (it takes no lock to
            // finish)
            long now = System.nanoTime();
            if (writerWaitStart == 0) {
              writerWaitStart = now;
            }
            if (now - writerWaitStart < MAX_WRITER_WAIT_NANOS) {
              Thread.yield();
              continue;
            }
          }
        } else if (policy == OverflowPolicy.BLOCK && waitNanos > 0) {
          waitNanos = spaceAvailable.awaitNanos(waitNanos);
          continue;
        }
        stats.droppedOverflow.increment();
        return false;
      }
    } catch (IOException e) {
      stats.droppedOverflow.increment();
      listener.warn("spool write failed; event dropped", e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stats.droppedOverflow.increment();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void wakeSender() {
    LockSupport.unpark(sender);
  }

  /** Sends everything accepted so far; true when it was acknowledged within {@code timeout}. */
  public boolean flush(Duration timeout) {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      flushRequests++;
      wakeSender();
      while (buffer.unreadBytes() > 0 || inFlight > 0) {
        if (nanos <= 0 || !sender.isAlive()) {
          return false;
        }
        nanos = drained.awaitNanos(nanos);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      flushRequests--;
      lock.unlock();
    }
  }

  /**
   * Sends what is buffered and stops, giving up after {@code deadline}. Returns true when
   * everything was acknowledged; otherwise a memory buffer's remaining events are counted as
   * dropped and reported, and a spool keeps them for the next start.
   */
  public boolean close(Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    lock.lock();
    try {
      stopping = true;
      if (memory != null) {
        memory.closeAppends(); // appends racing with this either made it in (and are sent) or count
        // as dropped
      }
      spaceAvailable.signalAll();
    } finally {
      lock.unlock();
    }
    wakeSender();
    try {
      sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      if (sender.isAlive()) {
        abandon = true;
        sender.interrupt();
        sender.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abandon = true;
      sender.interrupt();
    }
    boolean complete;
    lock.lock();
    try {
      long left = buffer.unreadCount() + inFlight + abandonedInFlight;
      complete = left == 0;
      if (!complete && !buffer.durable()) {
        stats.droppedShutdown.add(buffer.unreadCount() + inFlight);
      }
      if (!complete) {
        listener.warn(
            buffer.durable()
                ? left
                    + " events not yet acknowledged by "
                    + destination.name()
                    + " at shutdown; they stay in the spool and are sent at the next start"
                : left
                    + " events lost: not acknowledged by "
                    + destination.name()
                    + " within the shutdown deadline of "
                    + deadline.toMillis()
                    + " ms",
            null);
      }
      reportDrops(true);
      try {
        buffer.close();
      } catch (IOException e) {
        listener.warn("closing the spool failed", e);
      }
    } finally {
      lock.unlock();
    }
    destination.close();
    return complete;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  /** The sender thread: takes a window of events, sends it, settles it; sleeps when none is due. */
  private void run() {
    List<Event> window = new ArrayList<>();
    idleSince = System.nanoTime();
    while (true) {
      long sleepNanos = takeWindow(window);
      if (sleepNanos == STOP) {
        return;
      }
      if (sleepNanos > 0) {
        if (!sleepUntilDue(sleepNanos)) {
          return;
        }
        continue;
      }
      boolean complete = deliver(window);
      if (!settleWindow(window, complete)) {
        return; // only when abandoned at shutdown
      }
    }
  }

  /**
   * Under the lock: reads the next window of events into {@code window} and returns 0, or returns
   * how long to sleep before looking again, or {@link #STOP} when the engine is stopping and
   * everything is sent (or the spool cannot be read).
   */
  private long takeWindow(List<Event> window) {
    lock.lock();
    try {
      long now = System.nanoTime();
      reportDrops(false);
      if (buffer.unreadBytes() == 0) {
        idleSince = now;
        updateGauges();
        if (stopping) {
          drained.signalAll();
          return STOP;
        }
        return maxBatchDelayNanos;
      }
      if (batchCanWait(now)) {
        return maxBatchDelayNanos - (now - idleSince);
      }
      return readWindow(window, now);
    } catch (IOException e) {
      listener.warn("reading the spool failed", e);
      return STOP;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the unread events may wait for more to fill their batch: nothing asks for them (a
   * flush, the shutdown, a full request or half the buffer) and the oldest is younger than
   * maxBatchDelay.
   */
  private boolean batchCanWait(long now) {
    return !draining
        && !stopping
        && flushRequests == 0
        && buffer.unreadBytes() < triggerBytes
        && buffer.usedBytes() < buffer.capacityBytes() / 2
        && now - idleSince < maxBatchDelayNanos
        // Logging threads wake the sender by bytes only (counting events would cost them a shared
        // write each); the spool's appends run under the lock and count exactly.
        && (memory != null || buffer.unreadCount() < destination.limits().maxEvents());
  }

  /**
   * Moves unread events in flight, into {@code window}; returns 0, or a short sleep when the oldest
   * is still being copied in by its logging thread.
   */
  private long readWindow(List<Event> window, long now) throws IOException {
    // Read several requests' worth at once so a 10,000-event request is never cut short by the
    // window.
    int windowEvents = destination.limits().maxEvents();
    buffer.read(window, windowEvents, destination.limits().maxBytes());
    draining = window.size() >= windowEvents;
    if (window.isEmpty()) {
      return TimeUnit.MICROSECONDS.toNanos(50); // its logging thread is still copying it in
    }
    inFlight = window.size();
    if (buffer.unreadBytes() == 0) {
      idleSince = now;
    }
    updateGauges();
    spaceAvailable.signalAll();
    return 0;
  }

  /** Parks the sender up to {@code sleepNanos}; false when the shutdown deadline abandoned it. */
  private boolean sleepUntilDue(long sleepNanos) {
    senderParked = true;
    // re-check after announcing the sleep: a logging thread that filled a batch meanwhile either
    // saw the flag (and unparks) or is seen here
    if (memory == null || memory.unreadBytes() < triggerBytes) {
      LockSupport.parkNanos(this, Math.min(sleepNanos, REPORT_INTERVAL_NANOS));
    }
    senderParked = false;
    return !abandon;
  }

  /**
   * Under the lock: releases a delivered window from the buffer (a spool keeps an abandoned one for
   * the next start) and wakes whoever waits for space or a flush; false when the window was
   * abandoned at shutdown and the sender must end.
   */
  private boolean settleWindow(List<Event> window, boolean complete) {
    lock.lock();
    try {
      if (!complete && !buffer.durable()) {
        stats.droppedShutdown.add(inFlight);
        abandonedInFlight = inFlight;
      }
      if (complete || !buffer.durable()) {
        buffer.commit();
        inFlight = 0;
      }
      // a spool keeps unacknowledged events in flight: the next start sends them again
      window.clear();
      updateGauges();
      spaceAvailable.signalAll();
      if (buffer.unreadBytes() == 0 && inFlight == 0) {
        drained.signalAll();
      }
      reportDrops(false);
      return complete;
    } catch (IOException e) {
      listener.warn("committing the spool failed; events may be sent twice", e);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Delivers a window; false only when abandoned at the shutdown deadline. */
  private boolean deliver(List<Event> window) {
    long[] truncated = new long[1];
    List<List<Event>> batches = batcher.split(window, truncated);
    if (truncated[0] > 0) {
      stats.truncated.add(truncated[0]);
      listener.warn(
          truncated[0]
              + " events longer than "
              + destination.limits().maxEventBytes()
              + " bytes were truncated for "
              + destination.name(),
          null);
    }
    int done = 0;
    for (List<Event> batch : batches) {
      if (!sendWithRetry(batch)) {
        inFlight = window.size() - done; // what was not acknowledged
        return false;
      }
      done += batch.size();
    }
    return true;
  }

  private boolean sendWithRetry(List<Event> batch) {
    List<Event> pending = batch;
    int attempt = 0;
    while (true) {
      if (abandon) {
        return false;
      }
      long t0 = System.nanoTime();
      SendResult result;
      try {
        stats.requests.increment();
        result = destination.send(pending);
      } catch (DeliveryException e) {
        stats.failedRequests.increment();
        if (!e.retryable()) {
          stats.rejected.add(pending.size());
          listener.warn(
              pending.size() + " events refused by " + destination.name() + ": " + e.getMessage(),
              e);
          return true;
        }
        if (attempt == 0 || attempt % 10 == 0) {
          // Loud: a wrong key or a missing permission stops delivery until a person acts; the
          // events stay kept.
          listener.warn(
              destination.name()
                  + " failed ("
                  + e.getMessage()
                  + "); keeping "
                  + pending.size()
                  + " events and retrying with backoff (attempt "
                  + (attempt + 1)
                  + ")",
              null);
        }
        result = null;
      } catch (RuntimeException e) {
        // a bug or an unexpected SDK error: retry like a network failure rather than lose the batch
        stats.failedRequests.increment();
        listener.warn("unexpected failure sending to " + destination.name(), e);
        result = null;
      } finally {
        long took = System.nanoTime() - t0;
        stats.lastBatchNanos.set(took);
        stats.batchNanosTotal.add(took);
      }
      List<Event> retry;
      if (result == null) {
        retry = pending;
      } else {
        int[] idx = result.retryIndexes();
        stats.sent.add(pending.size() - idx.length - result.rejected());
        if (result.rejected() > 0) {
          stats.rejected.add(result.rejected());
          listener.warn(
              result.rejected()
                  + " events rejected by "
                  + destination.name()
                  + ": "
                  + result.detail(),
              null);
        }
        if (idx.length == 0) {
          return true;
        }
        retry = new ArrayList<>(idx.length);
        for (int i : idx) {
          retry.add(pending.get(i));
        }
      }
      stats.retried.add(retry.size());
      pending = retry;
      try {
        Thread.sleep(backoff.delayMillis(attempt++));
      } catch (InterruptedException e) {
        if (abandon) {
          return false;
        }
      }
    }
  }

  private void updateGauges() {
    stats.bufferedBytes = buffer.usedBytes();
    stats.unreadEvents = buffer.unreadCount();
  }

  /**
   * Reports overflow drops at most every 10 s (and at close), so a storm of drops is one line, not
   * millions.
   */
  private void reportDrops(boolean force) {
    long drops = stats.droppedOverflow();
    long now = System.nanoTime();
    long truncated = stats.truncated();
    if (truncated != reportedTruncated
        && (force || now - lastReportNanos >= REPORT_INTERVAL_NANOS)) {
      listener.warn(
          (truncated - reportedTruncated)
              + " events longer than "
              + destination.limits().maxEventBytes()
              + " bytes were truncated for "
              + destination.name()
              + " (marked \"...[truncated by trailmark: N bytes]\")",
          null);
      reportedTruncated = truncated;
      if (drops == reportedDrops) {
        lastReportNanos = now;
      }
    }
    if (drops != reportedDrops && (force || now - lastReportNanos >= REPORT_INTERVAL_NANOS)) {
      listener.warn(
          (drops - reportedDrops)
              + " events dropped for "
              + destination.name()
              + ": buffer of "
              + buffer.capacityBytes()
              + " bytes full (overflow policy "
              + policy.configName()
              + "); "
              + drops
              + " dropped in total",
          null);
      reportedDrops = drops;
      lastReportNanos = now;
    }
  }

  /** Immutable configuration of an engine. */
  public static final class Builder {
    private final Destination destination;
    private long maxBufferBytes = 16L * 1024 * 1024;
    private OverflowPolicy policy = OverflowPolicy.DROP_OLDEST;
    private Duration maxBlock = Duration.ofDays(365);
    private Duration maxBatchDelay = Duration.ofMillis(1000);
    private Duration retryBase = Duration.ofMillis(100);
    private Duration retryMax = Duration.ofSeconds(10);
    private DeliveryListener listener = DeliveryListener.NONE;
    private String threadName = "trailmark-shipper";
    private Path spoolDir;
    private long spoolMaxBytes = 256L * 1024 * 1024;
    private long segmentBytes = 8L * 1024 * 1024;
    private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
    private Duration fsyncInterval = Duration.ofSeconds(1);

    private Builder(Destination destination) {
      this.destination = destination;
    }

    /** Bound of the memory buffer in bytes (default 16 MiB). */
    public Builder maxBufferBytes(long bytes) {
      this.maxBufferBytes = bytes;
      return this;
    }

    /** What to do when the buffer is full (default drop-oldest). */
    public Builder overflowPolicy(OverflowPolicy policy) {
      this.policy = policy;
      return this;
    }

    /**
     * Longest wait of a logging thread under {@link OverflowPolicy#BLOCK} (default: practically
     * forever).
     */
    public Builder maxBlock(Duration maxBlock) {
      this.maxBlock = maxBlock;
      return this;
    }

    /** Longest time an event waits for a batch to fill (default 1 s). */
    public Builder maxBatchDelay(Duration delay) {
      this.maxBatchDelay = delay;
      return this;
    }

    /** First and largest backoff of the retry loop (defaults 100 ms and 10 s). */
    public Builder retryBackoff(Duration base, Duration max) {
      this.retryBase = base;
      this.retryMax = max;
      return this;
    }

    /** Receives drop and failure reports (default: none). */
    public Builder listener(DeliveryListener listener) {
      this.listener = listener;
      return this;
    }

    /** Name of the sender thread. */
    public Builder threadName(String name) {
      this.threadName = name;
      return this;
    }

    /**
     * Buffers on disk in {@code dir} instead of memory, bounded by {@code maxBytes} (default 256
     * MiB).
     */
    public Builder spool(Path dir, long maxBytes) {
      this.spoolDir = dir;
      this.spoolMaxBytes = maxBytes;
      return this;
    }

    /** Size of one spool segment file (default 8 MiB). */
    public Builder spoolSegmentBytes(long bytes) {
      this.segmentBytes = bytes;
      return this;
    }

    /** When the spool forces its writes to the disk (default every second). */
    public Builder fsync(FsyncPolicy fsync, Duration interval) {
      this.fsync = fsync;
      this.fsyncInterval = interval;
      return this;
    }

    /** Opens the buffer (recovering a spool) and starts the sender thread. */
    public DeliveryEngine start() {
      try {
        return new DeliveryEngine(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the spool in " + spoolDir, e);
      }
    }
  }
}
