package dev.trailmark.audit.handlers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * At most N remediations per rule in any sliding hour, counted in this process. The worker runs
 * with reserved concurrency 1, so this process sees every remediation; a cold start forgets the
 * count, which can only let a burst through once per restart, never loop.
 */
final class HourlyLimit {
  private static final Duration WINDOW = Duration.ofHours(1);
  private final int max;
  private final Map<String, Deque<Instant>> byRule = new HashMap<>();

  HourlyLimit(int max) {
    this.max = max;
  }

  /** Takes one slot for the rule, or returns false when the hour's slots are used up. */
  synchronized boolean tryAcquire(String ruleId, Instant now) {
    Deque<Instant> times = byRule.computeIfAbsent(ruleId, k -> new ArrayDeque<>());
    while (!times.isEmpty() && !times.peekFirst().isAfter(now.minus(WINDOW))) {
      times.removeFirst();
    }
    if (times.size() >= max) {
      return false;
    }
    times.addLast(now);
    return true;
  }
}
