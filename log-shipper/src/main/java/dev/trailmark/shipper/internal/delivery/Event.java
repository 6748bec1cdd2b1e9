package dev.trailmark.shipper.internal.delivery;

/**
 * One encoded log event on its way to a destination: its time and its UTF-8 bytes (no trailing
 * newline).
 */
public final class Event {
  private final long timestamp;
  private final byte[] payload;

  /** Creates an event; {@code payload} is owned by the event from now on. */
  public Event(long timestamp, byte[] payload) {
    this.timestamp = timestamp;
    this.payload = payload;
  }

  /** Event time in epoch milliseconds. */
  public long timestamp() {
    return timestamp;
  }

  /** The encoded event; callers must not modify it. */
  public byte[] payload() {
    return payload;
  }
}
