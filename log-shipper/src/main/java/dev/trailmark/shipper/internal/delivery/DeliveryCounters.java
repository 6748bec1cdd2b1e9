package dev.trailmark.shipper.internal.delivery;

import dev.trailmark.shipper.DeliveryStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters one delivery engine writes, read by users as {@link DeliveryStats}. */
final class DeliveryCounters implements DeliveryStats {
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

  @Override
  public long accepted() {
    return accepted.sum();
  }

  @Override
  public long sent() {
    return sent.sum();
  }

  @Override
  public long retried() {
    return retried.sum();
  }

  @Override
  public long droppedOverflow() {
    return droppedOverflow.sum();
  }

  @Override
  public long droppedShutdown() {
    return droppedShutdown.sum();
  }

  @Override
  public long rejected() {
    return rejected.sum();
  }

  @Override
  public long truncated() {
    return truncated.sum();
  }

  @Override
  public long requests() {
    return requests.sum();
  }

  @Override
  public long failedRequests() {
    return failedRequests.sum();
  }

  @Override
  public long lastBatchNanos() {
    return lastBatchNanos.get();
  }

  @Override
  public long totalBatchNanos() {
    return batchNanosTotal.sum();
  }

  @Override
  public long bufferedBytes() {
    return bufferedBytes;
  }

  @Override
  public long spooledBytes() {
    return durable ? bufferedBytes : 0;
  }

  @Override
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
