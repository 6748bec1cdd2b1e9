package dev.trailmark.agent.export;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A queue of encoded documents bounded by their total bytes. When full, a new document is dropped and
 * counted (the application never waits on telemetry); documents already queued are kept.
 */
final class BoundedQueue {

  private final long maxBytes;
  private final ArrayDeque<byte[]> items = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private long bytes;

  BoundedQueue(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Adds {@code item} unless that would pass the byte bound; returns whether it was added. */
  synchronized boolean offer(byte[] item) {
    if (bytes + item.length > maxBytes) {
      dropped.incrementAndGet();
      return false;
    }
    items.addLast(item);
    bytes += item.length;
    if (items.size() == 1) {
      notifyAll(); // only an empty queue has a sender waiting: no wake-up (and context switch) per span
    }
    return true;
  }

  /** Takes the oldest item, waiting up to {@code timeout}; null if none came. */
  synchronized byte[] poll(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (items.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    byte[] item = items.removeFirst();
    bytes -= item.length;
    return item;
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return items.size();
  }

  /** Documents refused because the queue was full. */
  long dropped() {
    return dropped.get();
  }
}
