package dev.trailmark.collector.local;

import java.util.ArrayList;
import java.util.List;

/**
 * CloudWatch Logs term filter patterns: every term must occur (case-sensitive), {@code "quoted phrases"} as a
 * whole, {@code -term} must not occur, and {@code ?a ?b} matches either. JSON and space-delimited patterns
 * ({@code { $.x = 1 }}, {@code [a, b]}) are refused with InvalidParameterException.
 */
final class FilterPattern {

  private final List<String> required = new ArrayList<>();
  private final List<String> excluded = new ArrayList<>();
  private final List<String> any = new ArrayList<>();

  private FilterPattern() {}

  static FilterPattern parse(String pattern) throws AwsException {
    FilterPattern p = new FilterPattern();
    if (pattern == null || pattern.isBlank()) {
      return p;
    }
    String s = pattern.trim();
    if (s.startsWith("{") || s.startsWith("[")) {
      throw AwsException.invalidParameter("Invalid filter pattern: JSON and space-delimited patterns are not "
          + "supported by the local collector; use terms, \"phrases\", -exclusions or ?alternatives");
    }
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      char mode = ' ';
      if (c == '-' || c == '?') {
        mode = c;
        i++;
      }
      String term;
      if (i < s.length() && s.charAt(i) == '"') {
        int close = s.indexOf('"', i + 1);
        if (close < 0) {
          throw AwsException.invalidParameter("Invalid filter pattern: unbalanced quote");
        }
        term = s.substring(i + 1, close);
        i = close + 1;
      } else {
        int stop = i;
        while (stop < s.length() && !Character.isWhitespace(s.charAt(stop))) {
          stop++;
        }
        term = s.substring(i, stop);
        i = stop;
      }
      if (term.isEmpty()) {
        continue;
      }
      (mode == '-' ? p.excluded : mode == '?' ? p.any : p.required).add(term);
    }
    return p;
  }

  boolean matches(String message) {
    for (String t : required) {
      if (!message.contains(t)) {
        return false;
      }
    }
    for (String t : excluded) {
      if (message.contains(t)) {
        return false;
      }
    }
    if (any.isEmpty()) {
      return true;
    }
    for (String t : any) {
      if (message.contains(t)) {
        return true;
      }
    }
    return false;
  }
}
