package dev.trailmark.agent.internal.probe;

/**
 * What a span may say of a SQL statement: the text with every literal replaced by {@code ?}
 * (string, dollar-quoted, numeric, hexadecimal and boolean literals; identifiers, quoted ones
 * included, and comments are kept), and its operation, the first keyword ({@code SELECT}). Never
 * throws, whatever the text.
 */
final class Sql {

  /** Longest sanitized statement kept; X-Ray cuts at 2,048 characters anyway. */
  static final int MAX_LENGTH = 2048;

  private Sql() {}

  /** {@code sql} with its literals replaced by {@code ?}, cut at {@link #MAX_LENGTH} characters. */
  static String sanitize(String sql) {
    if (sql == null) {
      return null;
    }
    int n = sql.length();
    StringBuilder out = new StringBuilder(Math.min(n, MAX_LENGTH));
    int i = 0;
    while (i < n && out.length() < MAX_LENGTH) {
      char c = sql.charAt(i);
      if (c == '\'') { // 'it''s': one literal
        i = skipQuoted(sql, i + 1, '\'');
        out.append('?');
      } else if (c == '"' || c == '`' || c == '[') { // quoted identifiers stay
        char close = c == '[' ? ']' : c;
        int end = skipQuoted(sql, i + 1, close);
        out.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        out.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        out.append(sql, i, end);
        i = end;
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) { // PostgreSQL's $tag$ ... $tag$
        int tagEnd = dollarTagEnd(sql, i);
        String tag = sql.substring(i, tagEnd + 1);
        int close = sql.indexOf(tag, tagEnd + 1);
        i = close < 0 ? n : close + tag.length();
        out.append('?');
      } else if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(sql.charAt(i + 1)))) {
        if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) { // table1, $1, col_2
          out.append(c);
          i++;
        } else {
          i = skipNumber(sql, i);
          out.append('?');
        }
      } else if (isIdentifierStart(c)) {
        int end = i + 1;
        while (end < n && isIdentifierPart(sql.charAt(end))) {
          end++;
        }
        if (isWord(sql, i, end, "TRUE") || isWord(sql, i, end, "FALSE")) {
          out.append('?');
        } else if ((c == 'x' || c == 'X') && end == i + 1 && end < n && sql.charAt(end) == '\'') {
          i = skipQuoted(sql, end + 1, '\''); // X'0F'
          out.append('?');
          continue;
        } else {
          out.append(sql, i, end);
        }
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    if (out.length() > MAX_LENGTH) {
      out.setLength(MAX_LENGTH);
    }
    return out.toString();
  }

  /**
   * The statement's first keyword, upper case ({@code SELECT}, {@code INSERT}, {@code WITH}...), or
   * null.
   */
  static String operation(String sql) {
    if (sql == null) {
      return null;
    }
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '(' || c == '{' || c == ';') {
        i++;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else {
        break;
      }
    }
    int end = i;
    while (end < n && end - i < 32 && Character.isLetter(sql.charAt(end))) {
      end++;
    }
    if (end == i) {
      return null;
    }
    String word = sql.substring(i, end).toUpperCase(java.util.Locale.ROOT);
    if (word.equals("CALL") || word.equals("EXEC") || word.equals("EXECUTE")) {
      return "CALL";
    }
    return word;
  }

  private static int skipQuoted(String sql, int i, char close) {
    int n = sql.length();
    while (i < n) {
      if (sql.charAt(i) == close) {
        if (close != ']' && i + 1 < n && sql.charAt(i + 1) == close) {
          i += 2; // doubled: an escaped quote
          continue;
        }
        return i + 1;
      }
      if (sql.charAt(i) == '\\' && close == '\'' && i + 1 < n) {
        i += 2; // MySQL's backslash escape
        continue;
      }
      i++;
    }
    return n;
  }

  /** The index of the closing {@code $} of a dollar-quote tag starting at {@code i}, or -1. */
  private static int dollarTagEnd(String sql, int i) {
    if (i > 0 && isIdentifierPart(sql.charAt(i - 1))) {
      return -1;
    }
    int n = sql.length();
    int j = i + 1;
    while (j < n && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    return j < n && sql.charAt(j) == '$' ? j : -1;
  }

  private static int skipNumber(String sql, int i) {
    int n = sql.length();
    if (sql.charAt(i) == '0'
        && i + 1 < n
        && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'X')) {
      i += 2;
      while (i < n && Character.digit(sql.charAt(i), 16) >= 0) {
        i++;
      }
      return i;
    }
    while (i < n && (isDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
      i++;
    }
    if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
      int j = i + 1;
      if (j < n && (sql.charAt(j) == '+' || sql.charAt(j) == '-')) {
        j++;
      }
      if (j < n && isDigit(sql.charAt(j))) {
        i = j;
        while (i < n && isDigit(sql.charAt(i))) {
          i++;
        }
      }
    }
    return i;
  }

  private static boolean isWord(String sql, int start, int end, String word) {
    return end - start == word.length() && sql.regionMatches(true, start, word, 0, word.length());
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '#' || c == '@';
  }
}
