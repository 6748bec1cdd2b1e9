package dev.trailmark.collector.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartWatchTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aNodeRecoveringShardsPastTheTimeoutIsWaitedFor() {
    StartWatch watch = new StartWatch(Duration.ofSeconds(120), T0);
    // Shards come back one every 30 s for five minutes: each step is progress, so the wait goes on.
    for (int s = 0; s <= 300; s += 30) {
      assertThat(watch.keepWaiting(T0.plusSeconds(s), "{\"active_shards\":" + s / 30 + "}"))
          .isTrue();
    }
  }

  @Test
  void aNodeWithoutProgressIsGivenUpAfterTheQuietLimit() {
    StartWatch watch = new StartWatch(Duration.ofSeconds(120), T0);
    assertThat(watch.keepWaiting(T0, "100 {}")).isTrue();
    assertThat(watch.keepWaiting(T0.plusSeconds(60), "200 {}")).isTrue();
    assertThat(watch.keepWaiting(T0.plusSeconds(179), "200 {}")).isTrue();
    assertThat(watch.keepWaiting(T0.plusSeconds(181), "200 {}")).isFalse();
  }

  @Test
  void evenProgressEndsAtTheHardLimit() {
    StartWatch watch = new StartWatch(Duration.ofSeconds(120), T0);
    long end = StartWatch.HARD_LIMIT.toSeconds();
    for (long s = 0; s < end; s += 60) {
      assertThat(watch.keepWaiting(T0.plusSeconds(s), "log " + s)).isTrue();
    }
    assertThat(watch.keepWaiting(T0.plusSeconds(end), "log " + end)).isFalse();
  }
}
