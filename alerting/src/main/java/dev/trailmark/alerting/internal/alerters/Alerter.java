package dev.trailmark.alerting.internal.alerters;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends one notice somewhere; throws when it was not accepted, so that {@link Delivery} retries it.
 */
public interface Alerter {
  /**
   * The name recorded in the notice's {@code delivery} ({@code post}, {@code slack}, {@code sns},
   * {@code stdout}).
   */
  String name();

  /** Sends the notice (the alerts-index document without its delivery field). */
  void send(ObjectNode notice) throws Exception;
}
