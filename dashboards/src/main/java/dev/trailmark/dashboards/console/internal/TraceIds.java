package dev.trailmark.dashboards.console.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Trace ids as people paste them: the X-Ray form {@code 1-5759e988-bd862e3fe1be46a994272793} or 32
 * hex digits.
 */
public final class TraceIds {

  private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern XRAY = Pattern.compile("1-([0-9a-f]{8})-([0-9a-f]{24})");

  private TraceIds() {}

  /**
   * The 32-hex id stored in span and log documents, or null when {@code id} is neither form.
   * Surrounding whitespace, upper case, a {@code Root=} prefix and an {@code @spanid} or {@code
   * ;Parent=} suffix (as the {@code AWS-XRAY-TRACE-ID} log attribute and the header carry them) are
   * accepted.
   */
  public static String normalize(String id) {
    if (id == null) {
      return null;
    }
    String s = id.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("root=")) {
      s = s.substring(5);
    }
    int cut = indexOfAny(s, '@', ';');
    if (cut >= 0) {
      s = s.substring(0, cut);
    }
    if (HEX32.matcher(s).matches()) {
      return s;
    }
    var m = XRAY.matcher(s);
    return m.matches() ? m.group(1) + m.group(2) : null;
  }

  /** The X-Ray form of a 32-hex trace id. */
  public static String xray(String hex32) {
    return "1-" + hex32.substring(0, 8) + "-" + hex32.substring(8);
  }

  private static int indexOfAny(String s, char a, char b) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }
}
