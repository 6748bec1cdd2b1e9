package dev.trailmark.shipper.internal.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Cuts a window of events into requests that respect a destination's {@link BatchLimits}. */
final class Batcher {
  private final BatchLimits limits;

  Batcher(BatchLimits limits) {
    this.limits = limits;
  }

  /**
   * Returns the batches in sending order; oversized events are truncated (counted in {@code
   * truncated}).
   */
  List<List<Event>> split(List<Event> window, long[] truncated) {
    List<Event> events = new ArrayList<>(window.size());
    for (Event e : window) {
      if (e.payload().length > limits.maxEventBytes()) {
        events.add(truncate(e, limits.maxEventBytes()));
        truncated[0]++;
      } else {
        events.add(e);
      }
    }
    if (limits.sortByTime()) {
      events.sort(
          Comparator.comparingLong(Event::timestamp)); // stable: equal times keep their order
    }
    List<List<Event>> batches = new ArrayList<>();
    List<Event> current = new ArrayList<>();
    long bytes = 0;
    long first = 0;
    for (Event e : events) {
      long cost = e.payload().length + limits.perEventOverhead();
      boolean full =
          current.size() >= limits.maxEvents()
              || bytes + cost > limits.maxBytes()
              || (limits.maxSpanMillis() > 0
                  && !current.isEmpty()
                  && e.timestamp() - first >= limits.maxSpanMillis());
      if (full && !current.isEmpty()) {
        batches.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      if (current.isEmpty()) {
        first = e.timestamp();
      }
      current.add(e);
      bytes += cost;
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return batches;
  }

  /**
   * Cuts the payload to {@code max} bytes on a UTF-8 character boundary and ends it with a marker
   * that says how long it was, so a reader sees that something is missing.
   */
  static Event truncate(Event e, int max) {
    byte[] p = e.payload();
    byte[] marker =
        ("...[truncated by trailmark: " + p.length + " bytes]").getBytes(StandardCharsets.UTF_8);
    int keep = max - marker.length;
    // step back over UTF-8 continuation bytes (10xxxxxx) so no character is cut in half
    while (keep > 0 && (p[keep] & 0xc0) == 0x80) {
      keep--;
    }
    byte[] out = Arrays.copyOf(p, keep + marker.length);
    System.arraycopy(marker, 0, out, keep, marker.length);
    return new Event(e.timestamp(), out);
  }
}
