package dev.trailmark.agent.internal.export;

/**
 * The agent's one JSON writer: appends to a StringBuilder, escapes strings, and cuts every string
 * at {@link #MAX_STRING} characters so that no single value can push a document past a datagram.
 */
public final class JsonWriter {

  /** Longest string value written; longer ones are cut and end with "...". */
  public static final int MAX_STRING = 2048;

  private final StringBuilder out;
  private boolean needComma;

  public JsonWriter(StringBuilder out) {
    this.out = out;
  }

  public JsonWriter beginObject() {
    comma();
    out.append('{');
    needComma = false;
    return this;
  }

  public JsonWriter endObject() {
    out.append('}');
    needComma = true;
    return this;
  }

  public JsonWriter beginArray() {
    comma();
    out.append('[');
    needComma = false;
    return this;
  }

  public JsonWriter endArray() {
    out.append(']');
    needComma = true;
    return this;
  }

  public JsonWriter name(String name) {
    comma();
    string(name);
    out.append(':');
    needComma = false;
    return this;
  }

  public JsonWriter value(String value) {
    comma();
    if (value == null) {
      out.append("null");
    } else {
      string(value);
    }
    needComma = true;
    return this;
  }

  public JsonWriter value(long value) {
    comma();
    out.append(value);
    needComma = true;
    return this;
  }

  /** A finite number (NaN and infinities have no JSON form and are written as null). */
  public JsonWriter value(double value) {
    comma();
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      out.append("null");
    } else {
      out.append(value);
    }
    needComma = true;
    return this;
  }

  public JsonWriter value(boolean value) {
    comma();
    out.append(value);
    needComma = true;
    return this;
  }

  /** Writes epoch seconds with microsecond precision, as X-Ray's start_time and end_time. */
  public JsonWriter epochSeconds(long epochNanos) {
    comma();
    long micros = epochNanos / 1000;
    out.append(micros / 1_000_000);
    int point = out.length();
    out.append(1_000_000 + micros % 1_000_000); // "1" and six digits, zero-padded by the 1
    out.setCharAt(point, '.');
    needComma = true;
    return this;
  }

  public JsonWriter field(String name, String value) {
    return value == null ? this : name(name).value(value);
  }

  /** The text written so far. */
  @Override
  public String toString() {
    return out.toString();
  }

  private void comma() {
    if (needComma) {
      out.append(',');
    }
  }

  private void string(String s) {
    int length = Math.min(s.length(), MAX_STRING);
    boolean cut = length < s.length();
    if (cut) {
      length -= 3;
      if (Character.isHighSurrogate(s.charAt(length - 1))) {
        length--;
      }
    }
    out.append('"');
    int plain = 0;
    while (plain < length) { // most values need no escaping: append them in one copy
      char c = s.charAt(plain);
      if (c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      plain++;
    }
    out.append(s, 0, plain);
    for (int i = plain; i < length; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    if (cut) {
      out.append("...");
    }
    out.append('"');
  }
}
