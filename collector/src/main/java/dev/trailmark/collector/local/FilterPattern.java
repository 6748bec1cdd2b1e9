package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A CloudWatch Logs filter pattern, with AWS's three syntaxes: terms ({@code ERROR "exact phrase"
 * -excluded ?either ?or %regex%}), JSON ({@code { $.level = "ERROR" && ($.latency > 100 || $.retry
 * IS TRUE) }}) and space-delimited ({@code [ip, user, ..., status = 5*, size > 1000]}).
 *
 * <p>Matching is done on each event's message in the collector (see {@code CloudWatchLogsApi}): an
 * event that is not a JSON object never matches a JSON pattern, and a comparison on a field that is
 * absent (or of another type than the value compared with) is false, for {@code !=} too; only
 * {@code NOT EXISTS} matches an absent field. A malformed pattern is refused with
 * InvalidParameterException naming the character position.
 */
final class FilterPattern {

  private final Predicate<String> matcher;

  private FilterPattern(Predicate<String> matcher) {
    this.matcher = matcher;
  }

  static FilterPattern parse(String pattern) throws AwsException {
    if (pattern == null || pattern.isBlank()) {
      return new FilterPattern(message -> true);
    }
    Parser p = new Parser(pattern);
    p.skipSpace();
    char first = p.peek();
    if (first == '{') {
      Node node = p.json();
      return new FilterPattern(message -> node.test(jsonResolver(message)));
    }
    if (first == '[') {
      SpaceDelimited sd = p.spaceDelimited();
      return new FilterPattern(sd::matches);
    }
    Terms terms = p.terms();
    return new FilterPattern(terms::matches);
  }

  boolean matches(String message) {
    return matcher.test(message);
  }

  /** Resolves selectors against the message parsed as a JSON object; null when it is not one. */
  private static Function<String, JsonNode> jsonResolver(String message) {
    JsonNode root;
    String s = message.stripLeading();
    if (!s.startsWith("{")) {
      return null;
    }
    try {
      root = Json.MAPPER.readTree(s);
    } catch (IOException e) {
      return null;
    }
    if (root == null || !root.isObject()) {
      return null;
    }
    return selector -> select(root, selector);
  }

  /** Follows a parsed selector ({@code .name} and {@code [n]} steps after {@code $}). */
  private static JsonNode select(JsonNode root, String selector) {
    JsonNode node = root;
    int i = 1; // after '$'
    while (i < selector.length() && node != null && !node.isMissingNode()) {
      char c = selector.charAt(i);
      if (c == '.') {
        int end = i + 1;
        while (end < selector.length()
            && selector.charAt(end) != '.'
            && selector.charAt(end) != '[') {
          end++;
        }
        node =
            node.isObject() ? node.path(selector.substring(i + 1, end)) : MissingNode.getInstance();
        i = end;
      } else { // '[' digits ']'
        int close = selector.indexOf(']', i);
        int index = Integer.parseInt(selector.substring(i + 1, close));
        node = node.isArray() ? node.path(index) : MissingNode.getInstance();
        i = close + 1;
      }
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  // ---------------------------------------------------------------- expressions (JSON and
  // space-delimited)

  /** A condition over named values; the resolver is null when the event cannot be read at all. */
  private interface Node {
    boolean test(Function<String, JsonNode> resolver);
  }

  private enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    GT(">"),
    LE("<="),
    GE(">=");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  /**
   * A literal on the right of a comparison: a number, a string (with {@code *} wildcards) or a
   * %regex%.
   */
  private record Value(String text, BigDecimal number, Pattern pattern) {

    boolean matchesText(String s) {
      return pattern != null ? pattern.matcher(s).matches() : s.equals(text);
    }
  }

  private record Comparison(String operand, Op op, Value value, boolean textIsNumber)
      implements Node {
    @Override
    public boolean test(Function<String, JsonNode> resolver) {
      if (resolver == null) {
        return false;
      }
      JsonNode v = resolver.apply(operand);
      if (v == null || v.isMissingNode() || v.isNull()) {
        return false;
      }
      if (value.number != null) {
        BigDecimal n = number(v);
        if (n != null) {
          int c = n.compareTo(value.number);
          switch (op) {
            case EQ:
              return c == 0;
            case NE:
              return c != 0;
            case LT:
              return c < 0;
            case GT:
              return c > 0;
            case LE:
              return c <= 0;
            default:
              return c >= 0;
          }
        }
        if (op != Op.EQ && op != Op.NE) {
          return false;
        }
      }
      if (!v.isTextual() && !(textIsNumber && v.isValueNode())) {
        return false;
      }
      boolean equal = value.matchesText(v.asText());
      return op == Op.EQ ? equal : !equal;
    }

    private BigDecimal number(JsonNode v) {
      if (v.isNumber()) {
        return v.decimalValue();
      }
      if (textIsNumber && v.isTextual() && NUMBER.matcher(v.asText()).matches()) {
        return new BigDecimal(v.asText());
      }
      return null;
    }
  }

  private enum Check {
    TRUE,
    FALSE,
    NULL,
    NOT_EXISTS
  }

  private record Is(String selector, Check check) implements Node {
    @Override
    public boolean test(Function<String, JsonNode> resolver) {
      if (resolver == null) {
        return false;
      }
      JsonNode v = resolver.apply(selector);
      switch (check) {
        case TRUE:
          return v.isBoolean() && v.booleanValue();
        case FALSE:
          return v.isBoolean() && !v.booleanValue();
        case NULL:
          return v.isNull();
        default:
          return v.isMissingNode();
      }
    }
  }

  private record And(Node left, Node right) implements Node {
    @Override
    public boolean test(Function<String, JsonNode> resolver) {
      return left.test(resolver) && right.test(resolver);
    }
  }

  private record Or(Node left, Node right) implements Node {
    @Override
    public boolean test(Function<String, JsonNode> resolver) {
      return left.test(resolver) || right.test(resolver);
    }
  }

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

  // ---------------------------------------------------------------- terms

  /**
   * Each term is a literal that must occur (case-sensitive) or a {@code %regex%} that must be
   * found.
   */
  private record Terms(
      List<Predicate<String>> required,
      List<Predicate<String>> excluded,
      List<Predicate<String>> any) {
    boolean matches(String message) {
      for (Predicate<String> t : required) {
        if (!t.test(message)) {
          return false;
        }
      }
      for (Predicate<String> t : excluded) {
        if (t.test(message)) {
          return false;
        }
      }
      if (any.isEmpty()) {
        return true;
      }
      for (Predicate<String> t : any) {
        if (t.test(message)) {
          return true;
        }
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- space-delimited

  /**
   * Field names in order ({@code null} for {@code ...}), the condition of each slot that tests only
   * its own field (checked as soon as the field is bound, so a mismatch prunes the search early),
   * and the conditions that relate several fields (checked once every field is bound).
   */
  private record SpaceDelimited(
      List<String> fields, List<Node> ownConditions, Node crossCondition) {

    /**
     * Bindings tried per event at most: each {@code ...} may take any number of tokens, so a
     * pattern with several of them over a long line could otherwise take polynomial time with a
     * high degree; past the budget the event does not match.
     */
    static final int MAX_STEPS = 100_000;

    boolean matches(String message) {
      List<String> tokens = tokens(message);
      return bind(tokens, 0, 0, new HashMap<>(), new int[] {MAX_STEPS});
    }

    /**
     * Binds fields to tokens left to right; each {@code ...} takes zero or more tokens
     * (backtracking).
     */
    private boolean bind(
        List<String> tokens, int field, int token, Map<String, JsonNode> bound, int[] budget) {
      if (--budget[0] < 0) {
        return false;
      }
      if (field == fields.size()) {
        return token == tokens.size()
            && (crossCondition == null || crossCondition.test(resolver(bound)));
      }
      String name = fields.get(field);
      if (name == null) {
        if (field == fields.size() - 1) {
          return bind(tokens, field + 1, tokens.size(), bound, budget);
        }
        for (int k = token; k <= tokens.size(); k++) {
          if (bind(tokens, field + 1, k, bound, budget)) {
            return true;
          }
        }
        return false;
      }
      if (token == tokens.size()) {
        return false;
      }
      bound.put(name, TextNode.valueOf(tokens.get(token)));
      Node own = ownConditions.get(field);
      boolean ok =
          (own == null || own.test(resolver(bound)))
              && bind(tokens, field + 1, token + 1, bound, budget);
      bound.remove(name);
      return ok;
    }

    private static Function<String, JsonNode> resolver(Map<String, JsonNode> bound) {
      return name -> bound.getOrDefault(name, MissingNode.getInstance());
    }

    /**
     * Splits on spaces; a field in "double quotes" or [brackets] is one token, given without them.
     */
    static List<String> tokens(String message) {
      List<String> out = new ArrayList<>();
      int i = 0;
      int n = message.length();
      while (i < n) {
        char c = message.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        char close = c == '"' ? '"' : c == '[' ? ']' : 0;
        if (close != 0) {
          int end = message.indexOf(close, i + 1);
          if (end >= 0) {
            out.add(message.substring(i + 1, end));
            i = end + 1;
            continue;
          }
        }
        int end = i;
        while (end < n && !Character.isWhitespace(message.charAt(end))) {
          end++;
        }
        out.add(message.substring(i, end));
        i = end;
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- parser

  /** Recursive descent over the pattern text; every error names the 1-based character position. */
  private static final class Parser {
    private final String s;
    private int i;
    private boolean spaceMode;

    Parser(String s) {
      this.s = s;
    }

    char peek() {
      return i < s.length() ? s.charAt(i) : 0;
    }

    void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    boolean consume(String token) {
      skipSpace();
      if (s.startsWith(token, i)) {
        i += token.length();
        return true;
      }
      return false;
    }

    void expect(String token, String what) throws AwsException {
      if (!consume(token)) {
        throw error("expected " + what);
      }
    }

    AwsException error(String what) {
      String found =
          i >= s.length()
              ? "end of pattern"
              : "'" + s.substring(i, Math.min(s.length(), i + 20)) + "'";
      return AwsException.invalidParameter(
          "Invalid filter pattern at character " + (i + 1) + ": " + what + ", found " + found);
    }

    void end() throws AwsException {
      skipSpace();
      if (i < s.length()) {
        throw error("unexpected text after the pattern");
      }
    }

    Node json() throws AwsException {
      expect("{", "'{'");
      Node node = or();
      expect("}", "'}', '&&' or '||'");
      end();
      return node;
    }

    SpaceDelimited spaceDelimited() throws AwsException {
      spaceMode = true;
      expect("[", "'['");
      List<String> fields = new ArrayList<>();
      List<Node> own = new ArrayList<>();
      Node cross = null;
      do {
        skipSpace();
        if (consume("...")) {
          if (fields.isEmpty()
              || fields.get(fields.size() - 1) != null) { // "..., ..." is one "..."
            fields.add(null);
            own.add(null);
          }
          continue;
        }
        int start = i;
        String name = name();
        if (name.isEmpty()) {
          throw error("expected a field name or '...'");
        }
        if (fields.contains(name)) {
          i = start;
          throw error("field name '" + name + "' used twice");
        }
        fields.add(name);
        own.add(null);
        skipSpace();
        if (peek() != ',' && peek() != ']') {
          i = start;
          Node condition = or();
          List<String> used = operands(condition, new ArrayList<>());
          if (used.stream().allMatch(name::equals)) {
            own.set(own.size() - 1, condition);
          } else {
            cross = cross == null ? condition : new And(cross, condition);
          }
        }
      } while (consume(","));
      expect("]", "',' or ']'");
      end();
      for (String used : operands(cross, new ArrayList<>())) {
        if (!fields.contains(used)) {
          throw AwsException.invalidParameter(
              "Invalid filter pattern: condition on '"
                  + used
                  + "', which is not one of the fields "
                  + fields);
        }
      }
      // null stands for "..."; both lists are index-aligned with the slots
      return new SpaceDelimited(
          java.util.Collections.unmodifiableList(fields),
          java.util.Collections.unmodifiableList(own),
          cross);
    }

    private static List<String> operands(Node node, List<String> out) {
      if (node instanceof Comparison c) {
        out.add(c.operand());
      } else if (node instanceof And a) {
        operands(a.left(), out);
        operands(a.right(), out);
      } else if (node instanceof Or o) {
        operands(o.left(), out);
        operands(o.right(), out);
      }
      return out;
    }

    Node or() throws AwsException {
      Node node = and();
      while (consume("||")) {
        node = new Or(node, and());
      }
      return node;
    }

    Node and() throws AwsException {
      Node node = primary();
      while (consume("&&")) {
        node = new And(node, primary());
      }
      return node;
    }

    Node primary() throws AwsException {
      if (consume("(")) {
        Node node = or();
        expect(")", "')'");
        return node;
      }
      skipSpace();
      String operand = spaceMode ? name() : selector();
      if (operand.isEmpty()) {
        throw error(
            spaceMode ? "expected a field name" : "expected a selector starting with '$.' or '('");
      }
      skipSpace();
      if (!spaceMode && keyword("IS")) {
        if (keyword("TRUE")) {
          return new Is(operand, Check.TRUE);
        }
        if (keyword("FALSE")) {
          return new Is(operand, Check.FALSE);
        }
        if (keyword("NULL")) {
          return new Is(operand, Check.NULL);
        }
        throw error("expected TRUE, FALSE or NULL after IS");
      }
      if (!spaceMode && keyword("NOT")) {
        if (keyword("EXISTS")) {
          return new Is(operand, Check.NOT_EXISTS);
        }
        throw error("expected EXISTS after NOT");
      }
      Op op = op();
      skipSpace();
      int at = i;
      Value value = value();
      if (op != Op.EQ && op != Op.NE && value.number() == null) {
        i = at;
        throw error("operator " + op.text + " needs a number");
      }
      return new Comparison(operand, op, value, spaceMode);
    }

    private boolean keyword(String word) {
      skipSpace();
      int end = i + word.length();
      if (s.regionMatches(true, i, word, 0, word.length())
          && (end == s.length() || !Character.isLetterOrDigit(s.charAt(end)))) {
        i = end;
        return true;
      }
      return false;
    }

    private Op op() throws AwsException {
      for (Op op : new Op[] {Op.NE, Op.LE, Op.GE, Op.EQ, Op.LT, Op.GT}) {
        if (s.startsWith(op.text, i)) {
          i += op.text.length();
          return op;
        }
      }
      throw error(
          spaceMode
              ? "expected a comparison operator (=, !=, <, >, <=, >=)"
              : "expected a comparison operator (=, !=, <, >, <=, >=), IS or NOT EXISTS");
    }

    private String name() {
      int start = i;
      while (i < s.length()
          && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '-')) {
        i++;
      }
      return s.substring(start, i);
    }

    /** {@code $} then {@code .name} and {@code [n]} steps, kept as text (the resolver walks it). */
    private String selector() throws AwsException {
      if (peek() != '$') {
        return "";
      }
      int start = i++;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '.') {
          i++;
          int nameStart = i;
          while (i < s.length() && "\t\n\r .[]=!<>()&|{}\"".indexOf(s.charAt(i)) < 0) {
            i++;
          }
          if (i == nameStart) {
            throw error("expected a field name after '.'");
          }
        } else if (c == '[') {
          i++;
          int digits = i;
          while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
          }
          if (i == digits || i - digits > 9) {
            throw error("expected an array index");
          }
          if (peek() != ']') {
            throw error("expected ']'");
          }
          i++;
        } else {
          break;
        }
      }
      if (i == start + 1) {
        throw error("expected '.' or '[' after '$'");
      }
      return s.substring(start, i);
    }

    private Value value() throws AwsException {
      char c = peek();
      if (c == '"') {
        StringBuilder text = new StringBuilder();
        i++;
        while (true) {
          if (i >= s.length()) {
            throw error("unterminated string");
          }
          char d = s.charAt(i++);
          if (d == '"') {
            break;
          }
          if (d == '\\' && i < s.length()) {
            d = s.charAt(i++);
          }
          text.append(d);
        }
        return text(text.toString());
      }
      if (c == '%') {
        int close = s.indexOf('%', i + 1);
        if (close < 0) {
          throw error("unterminated %regular expression%");
        }
        String regex = s.substring(i + 1, close);
        try {
          Pattern p = Pattern.compile(".*(?:" + regex + ").*", Pattern.DOTALL);
          i = close + 1;
          return new Value(regex, null, p);
        } catch (PatternSyntaxException e) {
          throw error("invalid regular expression (" + e.getDescription() + ")");
        }
      }
      int start = i;
      String stops = spaceMode ? " \t\r\n,]()&|" : " \t\r\n}()&|";
      while (i < s.length() && stops.indexOf(s.charAt(i)) < 0) {
        i++;
      }
      String text = s.substring(start, i);
      if (text.isEmpty()) {
        throw error("expected a value");
      }
      if (NUMBER.matcher(text).matches()) {
        return new Value(text, new BigDecimal(text), null);
      }
      return text(text);
    }

    /** A string value; {@code *} is a wildcard for any run of characters. */
    private static Value text(String text) {
      if (text.indexOf('*') < 0) {
        return new Value(text, null, null);
      }
      StringBuilder regex = new StringBuilder();
      for (String part : text.split("\\*", -1)) {
        if (regex.length() > 0) {
          regex.append(".*");
        }
        regex.append(Pattern.quote(part));
      }
      return new Value(text, null, Pattern.compile(regex.toString(), Pattern.DOTALL));
    }

    Terms terms() throws AwsException {
      List<Predicate<String>> required = new ArrayList<>();
      List<Predicate<String>> excluded = new ArrayList<>();
      List<Predicate<String>> any = new ArrayList<>();
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
        Predicate<String> test = null;
        int termStart = i;
        if (i < s.length() && s.charAt(i) == '"') {
          int close = s.indexOf('"', i + 1);
          if (close < 0) {
            throw error("unbalanced quote");
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
          if (term.length() >= 2 && term.startsWith("%") && term.endsWith("%")) {
            try {
              Pattern regex = Pattern.compile(term.substring(1, term.length() - 1));
              test = message -> regex.matcher(message).find();
            } catch (PatternSyntaxException e) {
              i = termStart;
              throw error("invalid regular expression (" + e.getDescription() + ")");
            }
          }
        }
        if (term.isEmpty()) {
          continue;
        }
        String literal = term;
        (mode == '-' ? excluded : mode == '?' ? any : required)
            .add(test != null ? test : m -> m.contains(literal));
      }
      return new Terms(List.copyOf(required), List.copyOf(excluded), List.copyOf(any));
    }
  }
}
