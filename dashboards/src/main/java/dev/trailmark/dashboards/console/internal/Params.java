package dev.trailmark.dashboards.console.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The query string of one API request, with checked conversions that answer 400 on bad input. */
final class Params {

  private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d{1,9})([smhdw]))?");
  private static final int MAX_TEXT = 1024;

  private final Map<String, String> values = new LinkedHashMap<>();
  private final long now;

  Params(String rawQuery, long nowMillis) throws ApiException {
    this.now = nowMillis;
    if (rawQuery == null || rawQuery.isEmpty()) {
      return;
    }
    if (rawQuery.length() > 8192) {
      throw ApiException.badRequest("query string longer than 8192 characters");
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        values.put(key, value);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("malformed query string: " + e.getMessage());
      }
    }
  }

  /** A trimmed text parameter, or null when absent or blank. */
  String text(String name) throws ApiException {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    if (v.length() > MAX_TEXT) {
      throw ApiException.badRequest(name + " is longer than " + MAX_TEXT + " characters");
    }
    return v.strip();
  }

  int integer(String name, int defaultValue, int min, int max) throws ApiException {
    String v = text(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ApiException.badRequest(
            name + " must be between " + min + " and " + max + ", was " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be a whole number, was '" + v + "'");
    }
  }

  Double decimal(String name) throws ApiException {
    String v = text(name);
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d) || d < 0) {
        throw ApiException.badRequest(name + " must be a non-negative number, was '" + v + "'");
      }
      return d;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " must be a number, was '" + v + "'");
    }
  }

  /**
   * {@code from}/{@code to} as epoch millis: epoch millis, ISO-8601, or {@code now}, {@code
   * now-15m} (s m h d w).
   */
  long time(String name, long defaultValue) throws ApiException {
    String v = text(name);
    if (v == null) {
      return defaultValue;
    }
    Matcher m = RELATIVE.matcher(v);
    if (m.matches()) {
      if (m.group(1) == null) {
        return now;
      }
      long n = Long.parseLong(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 604_800_000L;
          };
      return now - n * unit;
    }
    if (v.chars().allMatch(Character::isDigit) && v.length() <= 15) {
      return Long.parseLong(v);
    }
    try {
      return Instant.parse(v).toEpochMilli();
    } catch (RuntimeException e) {
      throw ApiException.badRequest(
          name
              + " must be epoch milliseconds, an ISO-8601 instant or now-<n><s|m|h|d|w>, was '"
              + v
              + "'");
    }
  }

  /** The time range of the request; {@code now-1h} to {@code now} when not given. */
  long[] range() throws ApiException {
    long to = time("to", now);
    long from = time("from", to - 3_600_000L);
    if (from >= to) {
      throw ApiException.badRequest("from must be before to");
    }
    return new long[] {from, to};
  }
}
