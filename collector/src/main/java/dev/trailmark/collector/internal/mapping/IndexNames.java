package dev.trailmark.collector.internal.mapping;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Time-based index names, shared by every sink and handler, as the contract in DESIGN.md at the
 * repository root ("Contracts between rooms", index names) states them.
 */
public final class IndexNames {

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy.MM.dd", Locale.ROOT).withZone(ZoneOffset.UTC);

  private IndexNames() {}

  /**
   * {@code /trailmark/demo} becomes {@code trailmark-demo}: lower case, runs outside [a-z0-9]
   * become '-', trimmed.
   */
  public static String dataset(String logGroupName) {
    String lower = logGroupName.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    boolean dash = false;
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && out.length() > 0) {
          out.append('-');
        }
        dash = false;
        out.append(c);
      } else {
        dash = true;
      }
    }
    return out.length() == 0 ? "default" : out.toString();
  }

  /**
   * {@code <prefix>logs-<dataset>-<yyyy.MM.dd>} for an event of the given log group at the given
   * epoch millis.
   */
  public static String logs(String prefix, String logGroupName, long epochMillis) {
    return prefix + "logs-" + dataset(logGroupName) + "-" + day(epochMillis);
  }

  /**
   * Firehose-style index rotation: {@code NoRotation}, {@code OneHour} ({@code -yyyy.MM.dd.HH}),
   * {@code OneDay} ({@code -yyyy.MM.dd}), {@code OneWeek} ({@code -yyyy.'w'ww}, ISO weeks) or
   * {@code OneMonth} ({@code -yyyy.MM}). Dots instead of Firehose's dashes keep the day suffix
   * identical to every other Trailmark index.
   */
  public static String rotated(String prefix, String index, String rotation, long epochMillis) {
    java.time.ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
    switch (rotation) {
      case "NoRotation":
        return prefix + index;
      case "OneHour":
        return prefix
            + index
            + "-"
            + day(epochMillis)
            + String.format(Locale.ROOT, ".%02d", t.getHour());
      case "OneDay":
        return prefix + index + "-" + day(epochMillis);
      case "OneWeek":
        return prefix
            + index
            + String.format(
                Locale.ROOT,
                "-%d.w%02d",
                t.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR),
                t.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      case "OneMonth":
        return prefix
            + index
            + String.format(Locale.ROOT, "-%d.%02d", t.getYear(), t.getMonthValue());
      default:
        throw new IllegalArgumentException(
            "unknown index rotation "
                + rotation
                + " (NoRotation, OneHour, OneDay, OneWeek, OneMonth)");
    }
  }

  /** The UTC day of an instant as {@code yyyy.MM.dd}. */
  public static String day(long epochMillis) {
    return DAY.format(Instant.ofEpochMilli(epochMillis));
  }
}
