package dev.trailmark.agent.internal.export;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * A queue bounded by the bytes its items hold (as the caller weighs them). When full, a new item is
 * dropped and counted (the application never waits on telemetry); items already queued are kept.
 */
final class BoundedQueue<T> {

  private final long maxBytes;
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private final ToLongFunction<T> weigher;
  private final AtomicLong dropped = new AtomicLong();
  private long bytes;

  /**
   * @param weigher the bytes an item holds; must give the same answer each time for one item
   */
  BoundedQueue(long maxBytes, ToLongFunction<T> weigher) {
    this.maxBytes = maxBytes;
    this.weigher = weigher;
  }

  /** Adds {@code item} unless that would pass the byte bound; returns whether it was added. */
  boolean offer(T item) {
    long itemBytes = weigher.applyAsLong(item); // weighed outside the lock
    synchronized (this) {
      return offer(item, itemBytes);
    }
  }

  private boolean offer(T item, long itemBytes) {
    if (bytes + itemBytes > maxBytes) {
      dropped.incrementAndGet();
      return false;
    }
    items.addLast(item);
    long before = bytes;
    bytes += itemBytes;
    if (before < wakeBytes() && bytes >= wakeBytes()) {
      notifyAll(); // a quarter full: the consumer should not wait for its timer
    }
    return true;
  }

  /**
   * Waits until the queue holds a quarter of its bound, or {@code timeout} has passed. The consumer
   * wakes on this schedule rather than per item: under load, one wake-up (two context switches) per
   * batch instead of per span.
   */
  synchronized void awaitBatch(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (bytes < wakeBytes()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private long wakeBytes() {
    return Math.max(1, maxBytes / 4);
  }

  /**
   * Moves up to {@code max} of the oldest items into {@code into} without waiting; returns how
   * many.
   */
  synchronized int drainTo(Collection<? super T> into, int max) {
    int n = 0;
    while (n < max && !items.isEmpty()) {
      T item = items.removeFirst();
      bytes -= weigher.applyAsLong(item);
      into.add(item);
      n++;
    }
    return n;
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return items.size();
  }

  /** Items refused because the queue was full. */
  long dropped() {
    return dropped.get();
  }
}
