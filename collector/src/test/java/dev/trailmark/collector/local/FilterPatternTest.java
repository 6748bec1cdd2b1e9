package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FilterPatternTest {

  private static boolean matches(String pattern, String message) throws AwsException {
    return FilterPattern.parse(pattern).matches(message);
  }

  @Test
  void emptyPatternMatchesEverything() throws AwsException {
    assertThat(matches("", "anything")).isTrue();
    assertThat(matches(null, "anything")).isTrue();
  }

  @Test
  void termsPhrasesExclusionsAndAlternatives() throws AwsException {
    assertThat(matches("ERROR Exception", "ERROR: Exception in thread")).isTrue();
    assertThat(matches("ERROR Exception", "ERROR only")).isFalse();
    assertThat(matches("\"in thread\"", "Exception in thread main")).isTrue();
    assertThat(matches("\"in thread\"", "thread in")).isFalse();
    assertThat(matches("line -ERROR", "line ERROR")).isFalse();
    assertThat(matches("line -ERROR", "line ok")).isTrue();
    assertThat(matches("?ERROR ?WARN", "WARN disk")).isTrue();
    assertThat(matches("?ERROR ?WARN", "INFO disk")).isFalse();
    assertThat(matches("ERROR", "error")).as("case-sensitive").isFalse();
  }

  @Test
  void standaloneRegularExpressions() throws AwsException {
    assertThat(matches("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST")).isTrue();
    assertThat(matches("%^\\[ERROR%  %4[0-9]{2}\\]%", "[ERROR 401] UNAUTHORIZED REQUEST")).isTrue();
    assertThat(matches("%^\\[ERROR%  %4[0-9]{2}\\]%", "[ERROR 500] FAILED")).isFalse();
    assertThat(matches("REQUEST -%^\\[SUCCESS%", "[SUCCESS 200] AUTHORIZED REQUEST")).isFalse();
  }

  @Test
  void spaceDelimitedConditionsMayRelateFields() throws AwsException {
    assertThat(matches("[a, b, c = 3 && a = 1]", "1 2 3")).isTrue();
    assertThat(matches("[a, b, c = 3 && a = 2]", "1 2 3")).isFalse();
    assertThat(matches("[..., ..., last = 3]", "1 2 3")).as("adjacent ellipses are one").isTrue();
  }

  @Test
  void manyEllipsesOverALongLineGiveUpAfterTheStepBudget() throws AwsException {
    // Three free "..." over 2,000 tokens are about 1.3e9 bindings to try before the last field can
    // fail;
    // the budget ends the search (the event does not match) instead of pinning a request thread.
    String line = String.join(" ", java.util.Collections.nCopies(2_000, "x"));
    assertThat(FilterPattern.parse("[..., a, ..., b, ..., c, d = y]").matches(line)).isFalse();
    assertThat(FilterPattern.parse("[..., a, ..., b, ..., c, d = x]").matches(line))
        .as("a binding found within the budget still matches")
        .isTrue();
  }

  @Test
  void jsonStringEqualityWithWildcards() throws AwsException {
    String event = "{\"level\":\"ERROR\",\"eventType\":\"UpdateTrail\",\"n\":{\"user\":\"alice\"}}";
    assertThat(matches("{ $.level = \"ERROR\" }", event)).isTrue();
    assertThat(matches("{ $.level = ERROR }", event)).as("unquoted string").isTrue();
    assertThat(matches("{ $.level = \"WARN\" }", event)).isFalse();
    assertThat(matches("{ $.level != \"WARN\" }", event)).isTrue();
    assertThat(matches("{ $.eventType = \"*Trail\" }", event)).isTrue();
    assertThat(matches("{ $.eventType = \"Update*\" }", event)).isTrue();
    assertThat(matches("{ $.eventType = \"*date*\" }", event)).isTrue();
    assertThat(matches("{ $.eventType = \"Delete*\" }", event)).isFalse();
    assertThat(matches("{ $.n.user = \"alice\" }", event)).as("nested selector").isTrue();
    assertThat(matches("{ $.level = \"err*\" }", event)).as("case-sensitive").isFalse();
  }

  @Test
  void jsonNumericComparisons() throws AwsException {
    String event = "{\"latency\":150,\"status\":500,\"ratio\":0.25,\"code\":\"200\"}";
    assertThat(matches("{ $.latency > 100 }", event)).isTrue();
    assertThat(matches("{ $.latency >= 150 }", event)).isTrue();
    assertThat(matches("{ $.latency < 150 }", event)).isFalse();
    assertThat(matches("{ $.latency <= 150 }", event)).isTrue();
    assertThat(matches("{ $.status = 500 }", event)).isTrue();
    assertThat(matches("{ $.status = 500.0 }", event)).as("numbers compare by value").isTrue();
    assertThat(matches("{ $.status != 500 }", event)).isFalse();
    assertThat(matches("{ $.ratio < 2.5e-1 }", event)).isFalse();
    assertThat(matches("{ $.ratio < 3e-1 }", event)).isTrue();
    assertThat(matches("{ $.latency > -1 }", event)).isTrue();
    assertThat(matches("{ $.code > 100 }", event)).as("a JSON string is not a number").isFalse();
    assertThat(matches("{ $.code = \"200\" }", event)).isTrue();
  }

  @Test
  void andOrWithParentheses() throws AwsException {
    String slowError = "{\"latency\":150,\"status\":500,\"retry\":false}";
    String fastError = "{\"latency\":50,\"status\":500,\"retry\":true}";
    String slowOk = "{\"latency\":150,\"status\":200,\"retry\":false}";
    String pattern = "{ $.latency > 100 && $.status = 500 }";
    assertThat(matches(pattern, slowError)).isTrue();
    assertThat(matches(pattern, fastError)).isFalse();
    assertThat(matches(pattern, slowOk)).isFalse();
    String grouped = "{ $.status = 500 && ($.latency > 100 || $.retry IS TRUE) }";
    assertThat(matches(grouped, slowError)).isTrue();
    assertThat(matches(grouped, fastError)).isTrue();
    assertThat(matches(grouped, slowOk)).isFalse();
    // && binds tighter than ||
    String precedence = "{ $.status = 200 || $.status = 500 && $.retry IS TRUE }";
    assertThat(matches(precedence, slowOk)).isTrue();
    assertThat(matches(precedence, fastError)).isTrue();
    assertThat(matches(precedence, slowError)).isFalse();
  }

  @Test
  void isTrueFalseNullAndNotExists() throws AwsException {
    String event = "{\"ok\":true,\"bad\":false,\"gone\":null,\"text\":\"true\"}";
    assertThat(matches("{ $.ok IS TRUE }", event)).isTrue();
    assertThat(matches("{ $.ok IS FALSE }", event)).isFalse();
    assertThat(matches("{ $.bad IS FALSE }", event)).isTrue();
    assertThat(matches("{ $.text IS TRUE }", event))
        .as("the string \"true\" is not a boolean")
        .isFalse();
    assertThat(matches("{ $.gone IS NULL }", event)).isTrue();
    assertThat(matches("{ $.ok IS NULL }", event)).isFalse();
    assertThat(matches("{ $.missing IS NULL }", event)).as("absent is not null").isFalse();
    assertThat(matches("{ $.missing NOT EXISTS }", event)).isTrue();
    assertThat(matches("{ $.gone NOT EXISTS }", event)).as("a null field exists").isFalse();
    assertThat(matches("{ $.missing != \"x\" }", event))
        .as("comparisons on absent fields are false")
        .isFalse();
  }

  @Test
  void arrays() throws AwsException {
    String event = "{\"list\":[\"a\",{\"id\":7}],\"nums\":[1,2]}";
    assertThat(matches("{ $.list[0] = \"a\" }", event)).isTrue();
    assertThat(matches("{ $.list[1].id = 7 }", event)).isTrue();
    assertThat(matches("{ $.nums[1] > 1 }", event)).isTrue();
    assertThat(matches("{ $.nums[2] > 1 }", event)).isFalse();
    assertThat(matches("{ $.nums[5] NOT EXISTS }", event)).isTrue();
  }

  @Test
  void regularExpressionsInValues() throws AwsException {
    String event = "{\"path\":\"/api/v2/orders/17\"}";
    assertThat(matches("{ $.path = %orders/[0-9]+$% }", event)).isTrue();
    assertThat(matches("{ $.path = %users% }", event)).isFalse();
  }

  @Test
  void jsonPatternNeverMatchesNonJsonEvents() throws AwsException {
    assertThat(matches("{ $.level = \"ERROR\" }", "level=ERROR plain text")).isFalse();
    assertThat(matches("{ $.missing NOT EXISTS }", "plain text")).isFalse();
    assertThat(matches("{ $.x NOT EXISTS }", "[1,2]"))
        .as("a JSON array is not an object")
        .isFalse();
    assertThat(matches("{ $.x = 1 }", "{\"x\":1")).as("truncated JSON").isFalse();
  }

  @Test
  void spaceDelimitedBindsFieldsInOrder() throws AwsException {
    String access =
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 503 2326";
    String fields = "[ip, identity, user, timestamp, request, status_code, size]";
    assertThat(matches(fields, access)).isTrue();
    assertThat(matches("[ip, identity, user, timestamp, request, status_code]", access))
        .as("field count must match")
        .isFalse();
    assertThat(
            matches(
                "[ip, identity, user = frank, timestamp, request, status_code = 5*, size > 1000]",
                access))
        .isTrue();
    assertThat(matches("[ip, identity, user, timestamp, request, status_code = 4*, size]", access))
        .isFalse();
    assertThat(
            matches(
                "[ip, identity, user, timestamp, request = \"*gif*\", status_code, size]", access))
        .as("quoted and bracketed fields are single fields")
        .isTrue();
    assertThat(
            matches(
                "[ip, identity, user, timestamp = *2000*, request, status_code, size < 1000]",
                access))
        .isFalse();
    assertThat(
            matches(
                "[ip, identity, user, timestamp, request, status_code = 404 || status_code = 503, size]",
                access))
        .isTrue();
    assertThat(
            matches(
                "[ip, identity, user, timestamp, request, status_code != 503 && size > 1, size]",
                access))
        .isFalse();
  }

  @Test
  void spaceDelimitedEllipsisTakesAnyNumberOfFields() throws AwsException {
    String access = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 503 2326";
    assertThat(matches("[ip, ..., status_code = 5*, size > 1000]", access)).isTrue();
    assertThat(matches("[..., size > 1000]", access)).isTrue();
    assertThat(matches("[ip = 127.*, ...]", access)).isTrue();
    assertThat(matches("[ip = 10.*, ...]", access)).isFalse();
    assertThat(matches("[..., status_code = 200, ...]", access)).isFalse();
    assertThat(matches("[..., status_code = 503, ...]", access))
        .as("ellipsis on both sides")
        .isTrue();
    assertThat(matches("[a, b, c, d, e, f, g, ...]", access))
        .as("ellipsis may take nothing")
        .isTrue();
    assertThat(matches("[a, b, c, d, e, f, g, h, ...]", access)).isFalse();
  }

  @Test
  void malformedPatternsNameThePosition() {
    assertInvalid("{ $.level = \"ERROR\" ", "character 21");
    assertInvalid("{ level = 1 }", "character 3");
    assertInvalid("{ $.latency > slow }", "character 15");
    assertInvalid("{ $.x = 1 && }", "character 14");
    assertInvalid("{ ($.x = 1 }", "character 12");
    assertInvalid("{ $.x IS MAYBE }", "character 10");
    assertInvalid("{ $.x NOT THERE }", "character 11");
    assertInvalid("{ $.x ~ 1 }", "character 7");
    assertInvalid("{ $.x = \"open }", "character 16");
    assertInvalid("{ $.x = 1 } trailing", "character 13");
    assertInvalid("{ $.list[a] = 1 }", "character 10");
    assertInvalid("{ $.x = %[% }", "character 9");
    assertInvalid("[a, b", "character 6");
    assertInvalid("[a, , b]", "character 5");
    assertInvalid("[a, a]", "character 5");
    assertInvalid("[a, b = ]", "character 9");
    assertInvalid("[a = 1 || c = 2, b]", "'c'");
    assertInvalid("\"unbalanced", "character 1");
    assertInvalid("ok %[%", "character 4");
  }

  private static void assertInvalid(String pattern, String where) {
    assertThatThrownBy(() -> FilterPattern.parse(pattern))
        .isInstanceOf(AwsException.class)
        .hasMessageContaining("Invalid filter pattern")
        .hasMessageContaining(where)
        .satisfies(
            e -> assertThat(((AwsException) e).type()).isEqualTo("InvalidParameterException"));
  }
}
