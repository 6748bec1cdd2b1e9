package dev.trailmark.shipper.internal.delivery;

/**
 * Receives the engine's reports (drops, rejections, failures); the Logback appenders forward them
 * to Logback's status.
 */
public interface DeliveryListener {
  /** Something was lost or refused, or a request failed; {@code error} may be null. */
  void warn(String message, Throwable error);

  /** Something worth knowing that lost nothing. */
  default void info(String message) {}

  /** A listener that ignores everything. */
  DeliveryListener NONE = (m, e) -> {};
}
