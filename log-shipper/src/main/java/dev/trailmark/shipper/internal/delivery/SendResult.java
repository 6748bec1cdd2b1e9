package dev.trailmark.shipper.internal.delivery;

/**
 * What a destination did with one batch: which events must be sent again, and how many it refused
 * for good.
 *
 * <p>A destination reports a failure of the whole request (throttling, 5xx, timeout) by throwing
 * {@link DeliveryException} instead.
 */
public final class SendResult {
  private static final int[] NONE = new int[0];
  private static final SendResult OK = new SendResult(NONE, 0, null);

  private final int[] retryIndexes;
  private final int rejected;
  private final String detail;

  private SendResult(int[] retryIndexes, int rejected, String detail) {
    this.retryIndexes = retryIndexes;
    this.rejected = rejected;
    this.detail = detail;
  }

  /** Every event was accepted. */
  public static SendResult ok() {
    return OK;
  }

  /**
   * Some events must be sent again (indexes into the batch, ascending) and {@code rejected} others
   * were refused permanently; {@code detail} says why, for the status report.
   */
  public static SendResult of(int[] retryIndexes, int rejected, String detail) {
    return retryIndexes.length == 0 && rejected == 0
        ? OK
        : new SendResult(retryIndexes, rejected, detail);
  }

  /** Indexes of the events to send again. */
  public int[] retryIndexes() {
    return retryIndexes;
  }

  /** Number of events the destination refused for good (too old, too new, invalid). */
  public int rejected() {
    return rejected;
  }

  /** Why some events were not accepted, or null. */
  public String detail() {
    return detail;
  }
}
