package dev.trailmark.audit.handlers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** At most N remediations per rule in any sliding hour. */
interface HourlyLimit {
  Duration WINDOW = Duration.ofHours(1);

  /** Takes one slot for the rule, or returns false when the last hour's slots are used up. */
  boolean tryAcquire(String ruleId, String findingId, Instant now);

  /**
   * Counted in S3, so the count survives cold starts and is shared by concurrent workers: one empty
   * marker object per remediation, keyed {@code <prefix>ratelimit/<rule>/<13-digit epoch
   * ms>-<finding>} so that keys sort by time and one ListObjectsV2 starting after "an hour ago"
   * counts the window. Two workers deciding at the same instant can each take the last slot (the
   * overshoot is at most the worker's concurrency); an S3 lifecycle rule on {@code ratelimit/} can
   * expire old markers.
   */
  final class InS3 implements HourlyLimit {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int max;

    InS3(S3Client s3, String bucket, String prefix, int max) {
      this.s3 = s3;
      this.bucket = bucket;
      this.prefix = prefix + "ratelimit/";
      this.max = max;
    }

    static String key(String prefix, String ruleId, Instant at, String findingId) {
      return prefix
          + ruleId
          + "/"
          + String.format("%013d", at.toEpochMilli())
          + (findingId == null ? "" : "-" + findingId);
    }

    @Override
    public boolean tryAcquire(String ruleId, String findingId, Instant now) {
      String rulePrefix = prefix + ruleId + "/";
      int used =
          s3.listObjectsV2(
                  r ->
                      r.bucket(bucket)
                          .prefix(rulePrefix)
                          .maxKeys(max)
                          .startAfter(key(prefix, ruleId, now.minus(WINDOW), null)))
              .keyCount();
      if (used >= max) {
        return false;
      }
      s3.putObject(
          r -> r.bucket(bucket).key(key(prefix, ruleId, now, findingId)),
          RequestBody.fromString("", StandardCharsets.UTF_8));
      return true;
    }
  }

  /**
   * Counted in this process: used when no audit bucket is configured. A cold start forgets the
   * count; run the worker with reserved concurrency 1 so one process sees every remediation.
   */
  final class InMemory implements HourlyLimit {
    private final int max;
    private final Map<String, Deque<Instant>> byRule = new HashMap<>();

    InMemory(int max) {
      this.max = max;
    }

    @Override
    public synchronized boolean tryAcquire(String ruleId, String findingId, Instant now) {
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
}
