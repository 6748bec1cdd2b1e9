package dev.trailmark.alerting.internal.alerters;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a notice through each alerter, retrying each with exponential backoff and full jitter, and
 * records the outcome per alerter ({@code sent}, or {@code failed} with the attempts and the last
 * error) in the notice's {@code delivery} array. A notice is never dropped: a failure is written to
 * the alerts index and logged at ERROR.
 */
public final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  private final int attempts;
  private final Duration backoff;
  private final Duration maxBackoff;

  /**
   * Up to {@code attempts} tries per alerter, waiting up to backoff × 2^n (at most {@code
   * maxBackoff}) between.
   */
  public Delivery(int attempts, Duration backoff, Duration maxBackoff) {
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
    this.maxBackoff = maxBackoff;
  }

  /** Delivers {@code notice} and appends one delivery entry per alerter to {@code delivery}. */
  public void deliver(ObjectNode notice, List<Alerter> alerters, ArrayNode delivery) {
    for (Alerter alerter : alerters) {
      Exception last = null;
      int tried = 0;
      for (int i = 0; i < attempts; i++) {
        tried++;
        try {
          alerter.send(notice);
          last = null;
          break;
        } catch (Exception e) {
          last = e;
          if (i + 1 < attempts) {
            sleep(i);
          }
        }
      }
      ObjectNode d = delivery.addObject().put("alerter", alerter.name()).put("attempts", tried);
      if (last == null) {
        d.put("status", "sent");
      } else {
        String error = last.getClass().getSimpleName() + ": " + last.getMessage();
        d.put("status", "failed").put("error", error);
        log.error(
            "notice {} of rule {} not delivered by {} after {} attempts: {}",
            notice.path("alert_id").asText(),
            notice.path("rule").path("name").asText(),
            alerter.name(),
            tried,
            error);
      }
    }
  }

  private void sleep(int attempt) {
    long ceiling = Math.min(maxBackoff.toMillis(), backoff.toMillis() << Math.min(attempt, 20));
    long wait = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
