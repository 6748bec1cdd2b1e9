package dev.trailmark.shipper;

/**
 * Live counters of one appender or file shipper: what it accepted, sent, retried, dropped and
 * holds. Read them from {@code DeliveryAppender.getStats()}; the same numbers are the Micrometer
 * meters and the file shipper's {@code status.json}.
 */
public interface DeliveryStats {
  /** Events accepted from the application (queued). */
  long accepted();

  /** Events the destination acknowledged. */
  long sent();

  /** Event sends repeated after a failure (an event retried three times counts three). */
  long retried();

  /** Events dropped by the overflow policy because every bound was reached. */
  long droppedOverflow();

  /** Events of a memory buffer still unsent when the shutdown deadline passed. */
  long droppedShutdown();

  /** All events lost: overflow, shutdown and destination rejections. */
  default long dropped() {
    return droppedOverflow() + droppedShutdown() + rejected();
  }

  /** Events the destination refused for good (too old, too new, invalid). */
  long rejected();

  /** Events cut to the destination's size limit (they were still sent). */
  long truncated();

  /** Requests sent. */
  long requests();

  /** Requests that failed as a whole. */
  long failedRequests();

  /** Duration of the last request, in nanoseconds. */
  long lastBatchNanos();

  /** Sum of all request durations, in nanoseconds. */
  long totalBatchNanos();

  /** Bytes held in the buffer or spool (unread and in flight). */
  long bufferedBytes();

  /** Bytes held on disk; 0 without a spool. */
  long spooledBytes();

  /** Events waiting to be read by the sender. */
  long queuedEvents();
}
