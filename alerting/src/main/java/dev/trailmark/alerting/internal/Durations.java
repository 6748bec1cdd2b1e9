package dev.trailmark.alerting.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ElastAlert's time options ({@code minutes: 5}) and the short form ({@code 5m}, {@code 1h30m}) the
 * CLI takes.
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  /**
   * {@code 90s}, {@code 5m}, {@code 1h30m}, {@code 2d}, {@code 1w}, {@code 250ms}; null when not of
   * that form.
   */
  public static Duration parseShort(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String s = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(s);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find() && m.start() == at) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
              });
      at = m.end();
    }
    return at == s.length() && at > 0 ? total : null;
  }

  /**
   * A YAML time option: a map of {@code weeks|days|hours|minutes|seconds|milliseconds} to numbers
   * (ElastAlert's form) or the short form. Returns null and lets the caller name the field when it
   * is neither.
   */
  public static Duration parse(Object value) {
    if (value instanceof String s) {
      return parseShort(s);
    }
    if (!(value instanceof Map<?, ?> map) || map.isEmpty()) {
      return null;
    }
    double millis = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof Number n) || n.doubleValue() < 0) {
        return null;
      }
      double unit =
          switch (String.valueOf(e.getKey())) {
            case "weeks" -> 7 * 86_400_000d;
            case "days" -> 86_400_000d;
            case "hours" -> 3_600_000d;
            case "minutes" -> 60_000d;
            case "seconds" -> 1_000d;
            case "milliseconds" -> 1d;
            default -> -1;
          };
      if (unit < 0) {
        return null;
      }
      millis += n.doubleValue() * unit;
    }
    return Duration.ofMillis(Math.round(millis));
  }

  /** A duration the way people write it back: {@code 1h30m}, {@code 45s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms >= units[i]) {
        b.append(ms / units[i]).append(names[i]);
        ms %= units[i];
      }
    }
    return b.toString();
  }
}
