package dev.trailmark.shipper.internal.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one JSON writer of Trailmark's hot paths: writes UTF-8 JSON straight into a reusable byte
 * array.
 *
 * <p>It keeps no per-call state besides the buffer and a comma flag per nesting level, so one
 * instance per thread serializes any number of documents without allocating. Every string is
 * escaped as RFC 8259 requires; a lone surrogate, which cannot be encoded in UTF-8, is written as
 * U+FFFD so the output is always valid UTF-8 that any JSON parser accepts.
 */
public final class JsonWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_DEPTH = 64;

  private byte[] buf;
  private int len;
  // needsComma[depth] is true when the container at that depth already holds a member.
  private final boolean[] needsComma = new boolean[MAX_DEPTH];
  private int depth;

  /** Creates a writer whose buffer starts at {@code initialCapacity} bytes and grows as needed. */
  public JsonWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Forgets what was written, keeping the buffer. */
  public JsonWriter reset() {
    len = 0;
    depth = 0;
    needsComma[0] = false;
    return this;
  }

  /** Number of bytes written since the last reset. */
  public int size() {
    return len;
  }

  /** The internal buffer; valid from 0 to {@link #size()} until the next write. */
  public byte[] buffer() {
    return buf;
  }

  /** A copy of what was written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  /** Opens an object as a value (top level, array element or after {@link #name}). */
  public JsonWriter beginObject() {
    valueSeparator();
    writeByte('{');
    push();
    return this;
  }

  /** Closes the innermost object. */
  public JsonWriter endObject() {
    depth--;
    writeByte('}');
    return this;
  }

  /** Opens an array as a value. */
  public JsonWriter beginArray() {
    valueSeparator();
    writeByte('[');
    push();
    return this;
  }

  /** Closes the innermost array. */
  public JsonWriter endArray() {
    depth--;
    writeByte(']');
    return this;
  }

  /** Writes a member name; the next call writes its value. */
  public JsonWriter name(CharSequence name) {
    valueSeparator();
    writeQuoted(name);
    writeByte(':');
    // the value that follows must not write a comma
    pendingValue = true;
    return this;
  }

  /**
   * Writes a name whose bytes are already escaped, quoted and followed by ':' (a precomputed
   * constant).
   */
  public JsonWriter rawName(byte[] quotedNameWithColon) {
    valueSeparator();
    writeBytes(quotedNameWithColon, 0, quotedNameWithColon.length);
    pendingValue = true;
    return this;
  }

  /** Writes a string value, or null. */
  public JsonWriter value(CharSequence s) {
    valueSeparator();
    if (s == null) {
      writeAscii("null");
    } else {
      writeQuoted(s);
    }
    return this;
  }

  /**
   * Opens a string value whose content the caller writes piecewise with {@link #writeEscaped} (or
   * raw ASCII that needs no escaping), then closes with {@link #endString()}: no String is built.
   */
  public JsonWriter beginString() {
    valueSeparator();
    writeByte('"');
    return this;
  }

  /** Closes a string opened by {@link #beginString()}. */
  public JsonWriter endString() {
    writeByte('"');
    return this;
  }

  /** Writes a number value. */
  public JsonWriter value(long n) {
    valueSeparator();
    writeLong(n);
    return this;
  }

  /** Writes a boolean value. */
  public JsonWriter value(boolean b) {
    valueSeparator();
    writeAscii(b ? "true" : "false");
    return this;
  }

  /** Writes a null value. */
  public JsonWriter nullValue() {
    valueSeparator();
    writeAscii("null");
    return this;
  }

  /**
   * Writes any value: strings, numbers, booleans and null natively, anything else as its string.
   */
  public JsonWriter value(Object o) {
    if (o == null) {
      return nullValue();
    } else if (o instanceof CharSequence) {
      return value((CharSequence) o);
    } else if (o instanceof Integer
        || o instanceof Long
        || o instanceof Short
        || o instanceof Byte) {
      return value(((Number) o).longValue());
    } else if (o instanceof Boolean) {
      return value(((Boolean) o).booleanValue());
    } else if (o instanceof Double || o instanceof Float) {
      double d = ((Number) o).doubleValue();
      if (Double.isFinite(d)) {
        valueSeparator();
        writeAscii(Double.toString(d));
        return this;
      }
      return value(Double.toString(d)); // JSON has no NaN or Infinity
    }
    return value(String.valueOf(o));
  }

  /**
   * Writes a complete JSON value that the caller guarantees is valid (used for pre-encoded
   * fragments).
   */
  public JsonWriter rawValue(byte[] json, int off, int length) {
    valueSeparator();
    writeBytes(json, off, length);
    return this;
  }

  /** Appends raw bytes with no separator logic (for timestamps and other pre-formatted ASCII). */
  public void writeBytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
  }

  /** Appends one raw byte. */
  public void writeByte(int b) {
    if (len == buf.length) {
      grow(1);
    }
    buf[len++] = (byte) b;
  }

  /** Appends ASCII text without escaping. */
  public void writeAscii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  /** Appends a decimal number. */
  public void writeLong(long n) {
    if (n == Long.MIN_VALUE) {
      writeAscii("-9223372036854775808");
      return;
    }
    ensure(20);
    if (n < 0) {
      buf[len++] = '-';
      n = -n;
    }
    int start = len;
    do {
      buf[len++] = (byte) ('0' + (n % 10));
      n /= 10;
    } while (n != 0);
    // digits were written backwards
    for (int i = start, j = len - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
  }

  /** Appends a number left-padded with zeros to {@code width} digits (for timestamps). */
  public void writePadded(int n, int width) {
    ensure(width);
    for (int i = width - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    len += width;
  }

  /** Writes {@code s} quoted and escaped, encoding it as UTF-8. */
  public void writeQuoted(CharSequence s) {
    writeByte('"');
    writeEscaped(s, 0, s.length());
    writeByte('"');
  }

  /** Writes chars {@code [from, to)} of {@code s} escaped, without quotes. */
  public void writeEscaped(CharSequence s, int from, int to) {
    ensure((to - from) + 2);
    // Printable ASCII, the bulk of log text, in a tight loop: the room for it was ensured above.
    byte[] b = buf;
    int n = len;
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') {
        break;
      }
      b[n++] = (byte) c;
      i++;
    }
    len = n;
    for (; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          if (len == buf.length) {
            grow(to - i);
          }
          buf[len++] = (byte) c;
        } else {
          escapeAscii(c);
        }
      } else if (c < 0x800) {
        ensure(2);
        buf[len++] = (byte) (0xc0 | (c >> 6));
        buf[len++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < to
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          ensure(4);
          buf[len++] = (byte) (0xf0 | (cp >> 18));
          buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          buf[len++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          writeThreeByte('\ufffd'); // a lone surrogate has no UTF-8 encoding
        }
      } else if (c == '\u2028' || c == '\u2029') {
        // valid JSON, but they end lines in JavaScript and in some log viewers
        ensure(6);
        buf[len++] = '\\';
        buf[len++] = 'u';
        buf[len++] = '2';
        buf[len++] = '0';
        buf[len++] = '2';
        buf[len++] = (byte) (c == '\u2028' ? '8' : '9');
      } else {
        writeThreeByte(c);
      }
    }
  }

  private void writeThreeByte(char c) {
    ensure(3);
    buf[len++] = (byte) (0xe0 | (c >> 12));
    buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
    buf[len++] = (byte) (0x80 | (c & 0x3f));
  }

  private void escapeAscii(char c) {
    ensure(6);
    buf[len++] = '\\';
    switch (c) {
      case '"':
        buf[len++] = '"';
        return;
      case '\\':
        buf[len++] = '\\';
        return;
      case '\n':
        buf[len++] = 'n';
        return;
      case '\r':
        buf[len++] = 'r';
        return;
      case '\t':
        buf[len++] = 't';
        return;
      case '\b':
        buf[len++] = 'b';
        return;
      case '\f':
        buf[len++] = 'f';
        return;
      default:
        buf[len++] = 'u';
        buf[len++] = '0';
        buf[len++] = '0';
        buf[len++] = HEX[(c >> 4) & 0xf];
        buf[len++] = HEX[c & 0xf];
    }
  }

  private boolean pendingValue;

  private void valueSeparator() {
    if (pendingValue) {
      pendingValue = false;
      return;
    }
    if (needsComma[depth]) {
      writeByte(',');
    } else {
      needsComma[depth] = true;
    }
  }

  private void push() {
    if (++depth >= MAX_DEPTH) {
      throw new IllegalStateException("JSON nesting deeper than " + MAX_DEPTH);
    }
    needsComma[depth] = false;
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      grow(n);
    }
  }

  private void grow(int n) {
    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
  }

  /** Precomputes {@code "name":} for {@link #rawName}. */
  public static byte[] quotedName(String name) {
    JsonWriter w = new JsonWriter(name.length() + 8);
    w.writeQuoted(name);
    w.writeByte(':');
    return w.toByteArray();
  }
}
