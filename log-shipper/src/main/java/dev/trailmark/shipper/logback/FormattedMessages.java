package dev.trailmark.shipper.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.trailmark.shipper.internal.json.JsonWriter;

/**
 * Writes an event's formatted message ({@code "order {} placed"} with its arguments) straight into
 * the JSON output, with the same text {@link ILoggingEvent#getFormattedMessage()} returns.
 *
 * <p>Why: SLF4J's formatter builds a StringBuilder, a HashMap per argument, the argument strings
 * and the result String: about half of what the logging thread allocated per event. Here the
 * pattern and the common argument types (strings, integers, booleans, null) are written without any
 * of that. Anything else (arrays, other objects, whose {@code toString()} may do anything) goes
 * through {@code getFormattedMessage()}, so the text never differs.
 */
final class FormattedMessages {
  private FormattedMessages() {}

  /** Writes the formatted message of {@code e} as a JSON string value (or null). */
  static void write(JsonWriter w, ILoggingEvent e) {
    // Only Logback's own event: its getFormattedMessage() is SLF4J's MessageFormatter, which this
    // mirrors.
    if (e.getClass() == LoggingEvent.class) {
      String pattern = e.getMessage();
      Object[] args = e.getArgumentArray();
      if (pattern != null && args != null && simple(args)) {
        w.beginString();
        substitute(w, pattern, args);
        w.endString();
        return;
      }
    }
    w.value(e.getFormattedMessage());
  }

  private static boolean simple(Object[] args) {
    for (Object a : args) {
      if (a == null
          || a instanceof Integer
          || a instanceof Long
          || a instanceof Boolean
          || a instanceof Short
          || a instanceof Byte) {
        continue;
      }
      if (a instanceof String) {
        String s = (String) a;
        // a surrogate pair split between an argument and its neighbour is one character in the
        // joined
        // String but two lone halves when written apart: leave that to the String path
        if (s.isEmpty()
            || (!Character.isLowSurrogate(s.charAt(0))
                && !Character.isHighSurrogate(s.charAt(s.length() - 1)))) {
          continue;
        }
      }
      return false;
    }
    return true;
  }

  /**
   * SLF4J's rules: each "{}" takes the next argument; "\{}" is a literal "{}"; "\\{}" is "\" then
   * an argument.
   */
  private static void substitute(JsonWriter w, String p, Object[] args) {
    int i = 0;
    for (int a = 0; a < args.length; a++) {
      int j = p.indexOf("{}", i);
      if (j < 0) {
        break;
      }
      if (j > 0 && p.charAt(j - 1) == '\\') {
        if (j > 1 && p.charAt(j - 2) == '\\') {
          w.writeEscaped(p, i, j - 1); // keeps one of the two backslashes
          argument(w, args[a]);
          i = j + 2;
        } else {
          w.writeEscaped(p, i, j - 1); // drops the backslash, keeps "{", consumes no argument
          w.writeByte('{');
          i = j + 1;
          a--;
        }
      } else {
        w.writeEscaped(p, i, j);
        argument(w, args[a]);
        i = j + 2;
      }
    }
    w.writeEscaped(p, i, p.length());
  }

  private static void argument(JsonWriter w, Object a) {
    if (a == null) {
      w.writeAscii("null");
    } else if (a instanceof String) {
      String s = (String) a;
      w.writeEscaped(s, 0, s.length());
    } else if (a instanceof Boolean) {
      w.writeAscii((Boolean) a ? "true" : "false");
    } else {
      w.writeLong(((Number) a).longValue());
    }
  }
}
