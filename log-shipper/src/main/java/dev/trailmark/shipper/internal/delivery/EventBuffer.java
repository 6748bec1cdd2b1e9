package dev.trailmark.shipper.internal.delivery;

import java.io.IOException;
import java.util.List;

/**
 * Where accepted events wait until the destination acknowledges them: memory, or the disk spool.
 *
 * <p>Events move from unread to in flight ({@link #read}) to gone ({@link #commit}); bytes count
 * against the capacity until committed. Not thread-safe: the engine calls it under its lock.
 */
interface EventBuffer extends AutoCloseable {
  /** Appends an event; false when it does not fit now. */
  boolean append(long timestamp, byte[] bytes, int off, int len) throws IOException;

  /**
   * Moves up to the given number of unread events (at least one if any) in flight, into {@code
   * out}.
   */
  void read(List<Event> out, int maxEvents, long maxBytes) throws IOException;

  /** Everything in flight was delivered (or given up for good): release it. */
  void commit() throws IOException;

  /** Drops the oldest unread events to make room; returns how many, 0 when none can be dropped. */
  int dropOldest() throws IOException;

  /** Unread events. */
  long unreadCount();

  /** Bytes of unread events. */
  long unreadBytes();

  /** Bytes held, unread and in flight. */
  long usedBytes();

  /** The bound on {@link #usedBytes()}. */
  long capacityBytes();

  /** Whether events survive the process (a disk spool). */
  boolean durable();

  @Override
  void close() throws IOException;
}
