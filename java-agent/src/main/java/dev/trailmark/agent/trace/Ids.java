package dev.trailmark.agent.trace;

import java.util.concurrent.ThreadLocalRandom;

/** Generates ids: X-Ray compatible trace ids (epoch seconds first, as X-Ray requires) and span ids. */
final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  static String newTraceId(long epochSeconds) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    writeHex(out, 0, epochSeconds & 0xffffffffL, 8);
    writeHex(out, 8, random.nextInt() & 0xffffffffL, 8);
    writeHex(out, 16, random.nextLong(), 16);
    return new String(out);
  }

  static String newSpanId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    char[] out = new char[16];
    writeHex(out, 0, id, 16);
    return new String(out);
  }

  private static void writeHex(char[] out, int offset, long value, int digits) {
    for (int i = digits - 1; i >= 0; i--) {
      out[offset + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  static boolean isLowerHex(String s, int length) {
    return s != null && s.length() == length && isLowerHex(s, 0, length);
  }

  /** Whether {@code s} has {@code length} lower-case hex digits, not all zero, from {@code from}. */
  static boolean isLowerHex(String s, int from, int length) {
    if (from + length > s.length()) {
      return false;
    }
    boolean nonZero = false;
    for (int i = from; i < from + length; i++) {
      char c = s.charAt(i);
      boolean digit = c >= '0' && c <= '9';
      if (!digit && !(c >= 'a' && c <= 'f')) {
        return false;
      }
      nonZero |= c != '0';
    }
    return nonZero;
  }
}
