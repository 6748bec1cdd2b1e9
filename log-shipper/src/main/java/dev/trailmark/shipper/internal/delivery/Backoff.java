package dev.trailmark.shipper.internal.delivery;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter: a uniform wait in [0, min(max, base * 2^attempt)). */
final class Backoff {
  private final long baseMillis;
  private final long maxMillis;

  Backoff(long baseMillis, long maxMillis) {
    this.baseMillis = Math.max(1, baseMillis);
    this.maxMillis = Math.max(this.baseMillis, maxMillis);
  }

  long delayMillis(int attempt) {
    long ceiling = attempt >= 30 ? maxMillis : Math.min(maxMillis, baseMillis << attempt);
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
