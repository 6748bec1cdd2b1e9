package dev.trailmark.collector.internal.sink;

/** The sink cannot accept more now; the caller should tell its client to retry. */
public final class SinkBusyException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why the sink refused. */
  public enum Reason {
    /** OpenSearch is unreachable and nothing new is taken until it answers again. */
    UNAVAILABLE,
    /** The backlog not yet indexed reached its byte bound (OpenSearch is slow). */
    THROTTLED
  }

  private final Reason reason;

  SinkBusyException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** Why the sink refused. */
  public Reason reason() {
    return reason;
  }
}
