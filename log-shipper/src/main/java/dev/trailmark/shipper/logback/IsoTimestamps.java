package dev.trailmark.shipper.logback;

import dev.trailmark.shipper.internal.json.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/** Formats epoch milliseconds as {@code "yyyy-MM-ddTHH:mm:ss.SSSZ"} without allocating per call. */
final class IsoTimestamps {
  private static final long DAY_MS = 86_400_000L;

  // The day prefix changes once a day; a racy cache is fine because the pair is replaced
  // atomically.
  private static final class Day {
    final long startMs;
    final byte[] prefix; // "yyyy-MM-ddT"

    Day(long startMs, byte[] prefix) {
      this.startMs = startMs;
      this.prefix = prefix;
    }
  }

  private volatile Day day = new Day(Long.MIN_VALUE, new byte[0]);

  void writeQuoted(JsonWriter w, long epochMs) {
    Day d = day;
    if (epochMs < d.startMs || epochMs >= d.startMs + DAY_MS) {
      long start = Math.floorDiv(epochMs, DAY_MS) * DAY_MS;
      LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochMs, DAY_MS));
      d = new Day(start, (date.toString() + "T").getBytes(StandardCharsets.US_ASCII));
      day = d;
    }
    int ms = (int) (epochMs - d.startMs);
    w.beginString();
    w.writeBytes(d.prefix, 0, d.prefix.length);
    w.writePadded(ms / 3_600_000, 2);
    w.writeByte(':');
    w.writePadded((ms / 60_000) % 60, 2);
    w.writeByte(':');
    w.writePadded((ms / 1000) % 60, 2);
    w.writeByte('.');
    w.writePadded(ms % 1000, 3);
    w.writeByte('Z');
    w.endString();
  }
}
