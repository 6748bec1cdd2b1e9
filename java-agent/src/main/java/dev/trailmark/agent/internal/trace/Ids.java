package dev.trailmark.agent.internal.trace;

/**
 * Checks ids read from headers (ids are made by the SDK's {@code AwsXrayIdGenerator}, see {@link
 * Tracer}).
 */
final class Ids {

  private Ids() {}

  static boolean isLowerHex(String s, int length) {
    return s != null && s.length() == length && isLowerHex(s, 0, length);
  }

  /**
   * Whether {@code s} has {@code length} lower-case hex digits, not all zero, from {@code from}.
   */
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
