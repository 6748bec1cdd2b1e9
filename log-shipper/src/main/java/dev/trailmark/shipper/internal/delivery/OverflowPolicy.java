package dev.trailmark.shipper.internal.delivery;

import java.util.Locale;

/** What happens to a new event when the buffer (memory or spool) is full. Every drop is counted. */
public enum OverflowPolicy {
  /**
   * The logging thread waits for space, up to {@code maxBlockMillis}; then the new event is
   * dropped.
   */
  BLOCK,
  /** The oldest events not yet being sent are dropped to make room (the default). */
  DROP_OLDEST,
  /** The new event is dropped. */
  DROP_NEWEST;

  /** Parses {@code block}, {@code drop-oldest} or {@code drop-newest}. */
  public static OverflowPolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** The configuration spelling, such as {@code drop-oldest}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
