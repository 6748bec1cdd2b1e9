package dev.trailmark.shipper.internal.delivery;

/**
 * A whole request failed: retryable ones (throttling, 5xx, timeouts) are sent again after a
 * backoff.
 */
public final class DeliveryException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  /**
   * Creates the exception; {@code retryable} false means the batch can never succeed and is
   * dropped.
   */
  public DeliveryException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether sending the same batch again may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
