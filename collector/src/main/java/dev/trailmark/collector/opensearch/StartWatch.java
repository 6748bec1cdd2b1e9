package dev.trailmark.collector.opensearch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides how long to wait for a starting node: as long as it makes progress, giving up only after
 * {@code quietLimit} without any (or after {@link #HARD_LIMIT} in all, so a node that loops still
 * ends).
 */
final class StartWatch {

  /** Upper bound of any start, however much progress the node reports. */
  static final Duration HARD_LIMIT = Duration.ofMinutes(30);

  private final Duration quietLimit;
  private final Instant started;
  private Instant lastProgress;
  private String lastState;

  StartWatch(Duration quietLimit, Instant now) {
    this.quietLimit = quietLimit;
    this.started = now;
    this.lastProgress = now;
  }

  /**
   * Whether to keep waiting, given what the node shows now (its log size and shard counts, as one
   * string).
   */
  boolean keepWaiting(Instant now, String state) {
    if (lastState != null && !Objects.equals(state, lastState)) {
      lastProgress = now;
    }
    lastState = state;
    if (Duration.between(started, now).compareTo(HARD_LIMIT) >= 0) {
      return false;
    }
    return Duration.between(lastProgress, now).compareTo(quietLimit) < 0;
  }
}
