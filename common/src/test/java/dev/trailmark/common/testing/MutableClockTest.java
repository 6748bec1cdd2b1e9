package dev.trailmark.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  @Test
  void readsWhatItWasSetOrAdvancedTo() {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:15:00Z"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-11-20T10:20:00Z"));
    clock.set(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli());
  }
}
