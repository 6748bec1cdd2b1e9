package dev.trailmark.shipper.delivery;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/** The default buffer: events in memory, bounded by bytes (payload plus a fixed per-event overhead). */
final class MemoryBuffer implements EventBuffer {
  /** Object header, fields and array header of one held event: counted so that tiny events are bounded too. */
  static final int OVERHEAD = 48;

  private final long capacity;
  private ArrayDeque<Event> unread = new ArrayDeque<>();
  private ArrayDeque<Event> spare = new ArrayDeque<>();
  private long unreadBytes;
  private long inFlightBytes;

  MemoryBuffer(long capacityBytes) {
    this.capacity = capacityBytes;
  }

  @Override
  public boolean append(long timestamp, byte[] bytes, int off, int len) {
    long cost = len + OVERHEAD;
    if (unreadBytes + inFlightBytes + cost > capacity) {
      return false;
    }
    unread.addLast(new Event(timestamp, Arrays.copyOfRange(bytes, off, off + len)));
    unreadBytes += cost;
    return true;
  }

  @Override
  public void read(List<Event> out, int maxEvents, long maxBytes) {
    if (out.isEmpty() && unread.size() <= maxEvents && unreadBytes <= maxBytes) {
      // everything fits in one window: hand it over in O(1) so logging threads wait as little as possible
      ArrayDeque<Event> all = unread;
      unread = spare;
      spare = all;
      out.addAll(all); // ArrayList.addAll copies one array
      all.clear();
      inFlightBytes += unreadBytes;
      unreadBytes = 0;
      return;
    }
    long bytes = 0;
    while (!unread.isEmpty() && out.size() < maxEvents) {
      Event e = unread.peekFirst();
      long cost = e.payload().length + OVERHEAD;
      if (!out.isEmpty() && bytes + cost > maxBytes) {
        break;
      }
      unread.pollFirst();
      bytes += cost;
      out.add(e);
    }
    unreadBytes -= bytes;
    inFlightBytes += bytes;
  }

  @Override
  public void commit() {
    inFlightBytes = 0;
  }

  @Override
  public int dropOldest() {
    Event e = unread.pollFirst();
    if (e == null) {
      return 0;
    }
    unreadBytes -= e.payload().length + OVERHEAD;
    return 1;
  }

  @Override
  public long unreadCount() {
    return unread.size();
  }

  @Override
  public long unreadBytes() {
    return unreadBytes;
  }

  @Override
  public long usedBytes() {
    return unreadBytes + inFlightBytes;
  }

  @Override
  public long capacityBytes() {
    return capacity;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public void close() {
    unread.clear();
  }
}
