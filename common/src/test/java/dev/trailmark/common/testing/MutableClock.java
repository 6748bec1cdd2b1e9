package dev.trailmark.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** A UTC clock a test sets or moves by hand (other modules' tests get it from the test-jar). */
public final class MutableClock extends Clock {
  private volatile Instant now;

  /** A clock that reads {@code now} until it is set or advanced. */
  public MutableClock(Instant now) {
    this.now = now;
  }

  /** Moves the clock to {@code t}. */
  public void set(Instant t) {
    now = t;
  }

  /** Moves the clock forward by {@code d}. */
  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  /** For readable assertion messages. */
  @Override
  public String toString() {
    return "MutableClock[" + ZonedDateTime.ofInstant(now, ZoneOffset.UTC) + "]";
  }
}
