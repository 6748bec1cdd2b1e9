package dev.trailmark.shipper.delivery;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of one delivery engine: what it accepted, sent, retried, dropped and holds. */
public final class DeliveryStats {
  final LongAdder accepted = new LongAdder();
  final LongAdder sent = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder droppedOverflow = new LongAdder();
  final LongAdder droppedShutdown = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder truncated = new LongAdder();
  final LongAdder failedRequests = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder batchNanosTotal = new LongAdder();
  final AtomicLong lastBatchNanos = new AtomicLong();
  volatile long bufferedBytes;
  volatile long unreadEvents;
  volatile boolean durable;

  /** Events accepted from the application (queued). */
  public long accepted() {
    return accepted.sum();
  }

  /** Events the destination acknowledged. */
  public long sent() {
    return sent.sum();
  }

  /** Event sends repeated after a failure (an event retried three times counts three). */
  public long retried() {
    return retried.sum();
  }

  /** Events dropped by the overflow policy because every bound was reached. */
  public long droppedOverflow() {
    return droppedOverflow.sum();
  }

  /** Events of a memory buffer still unsent when the shutdown deadline passed. */
  public long droppedShutdown() {
    return droppedShutdown.sum();
  }

  /** All events lost: overflow, shutdown and destination rejections. */
  public long dropped() {
    return droppedOverflow() + droppedShutdown() + rejected();
  }

  /** Events the destination refused for good (too old, too new, invalid). */
  public long rejected() {
    return rejected.sum();
  }

  /** Events cut to the destination's size limit (they were still sent). */
  public long truncated() {
    return truncated.sum();
  }

  /** Requests sent. */
  public long requests() {
    return requests.sum();
  }

  /** Requests that failed as a whole. */
  public long failedRequests() {
    return failedRequests.sum();
  }

  /** Duration of the last request, in nanoseconds. */
  public long lastBatchNanos() {
    return lastBatchNanos.get();
  }

  /** Sum of all request durations, in nanoseconds. */
  public long totalBatchNanos() {
    return batchNanosTotal.sum();
  }

  /** Bytes held in the buffer or spool (unread and in flight). */
  public long bufferedBytes() {
    return bufferedBytes;
  }

  /** Bytes held on disk; 0 without a spool. */
  public long spooledBytes() {
    return durable ? bufferedBytes : 0;
  }

  /** Events waiting to be read by the sender. */
  public long queuedEvents() {
    return unreadEvents;
  }

  @Override
  public String toString() {
    return "accepted="
        + accepted()
        + " sent="
        + sent()
        + " retried="
        + retried()
        + " droppedOverflow="
        + droppedOverflow()
        + " droppedShutdown="
        + droppedShutdown()
        + " rejected="
        + rejected()
        + " truncated="
        + truncated()
        + " bufferedBytes="
        + bufferedBytes;
  }
}
