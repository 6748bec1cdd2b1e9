package dev.trailmark.shipper.internal.delivery;

import java.util.List;

/** A thin adapter from the delivery engine to one ingest API (CloudWatch Logs, Firehose). */
public interface Destination extends AutoCloseable {
  /** The limits every batch handed to {@link #send} respects. */
  BatchLimits limits();

  /**
   * Sends one batch; called from the engine's single sender thread only.
   *
   * @throws DeliveryException when the whole request failed
   */
  SendResult send(List<Event> batch) throws DeliveryException;

  /** A short name for status messages and metrics, such as {@code cloudwatch:/app/web}. */
  String name();

  @Override
  default void close() {}
}
