package dev.trailmark.shipper.internal.delivery;

/**
 * What one request of a destination's API accepts; the engine cuts batches so that every request
 * fits.
 *
 * @param maxEvents events per request
 * @param maxBytes bytes per request, counting {@code perEventOverhead} for each event
 * @param perEventOverhead bytes the API adds per event (26 for PutLogEvents, 1 newline for
 *     Firehose)
 * @param maxEventBytes largest payload of one event; longer ones are truncated with a visible
 *     marker
 * @param maxSpanMillis largest distance between the first and last event time (0 = any)
 * @param sortByTime whether events must be in chronological order within a request
 */
public record BatchLimits(
    int maxEvents,
    long maxBytes,
    int perEventOverhead,
    int maxEventBytes,
    long maxSpanMillis,
    boolean sortByTime) {

  /** Validates the limits. */
  public BatchLimits {
    if (maxEvents < 1
        || maxBytes < 1
        || perEventOverhead < 0
        || maxEventBytes < 64
        || maxEventBytes + perEventOverhead > maxBytes
        || maxSpanMillis < 0) {
      throw new IllegalArgumentException("inconsistent batch limits");
    }
  }
}
