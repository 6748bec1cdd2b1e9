package dev.trailmark.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.alerting.RuleFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rule files: every mistake is an error naming the file and the field; good files load with
 * ElastAlert's defaults.
 */
class RuleLoaderTest {
  private final RuleLoader loader = new RuleLoader();

  private static final String FREQ =
      "index: logs-*\ntype: frequency\nnum_events: 5\ntimeframe: {minutes: 5}\n";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "no type|index: logs-*|type|is required",
        "unknown type|index: logs-*\\ntype: blacklist|type|'blacklist' is not one of any, frequency",
        "no index|type: any|index|is required",
        "unknown option|index: x\\ntype: any\\nnum_event: 5|num_event|unknown option",
        "option of another type|index: x\\ntype: any\\nspike_height: 2|spike_height|is not an option of type any",
        "frequency without num_events|index: x\\ntype: frequency\\ntimeframe: {minutes: 5}|num_events|is required",
        "num_events not a number|index: x\\ntype: frequency\\nnum_events: five\\ntimeframe: {minutes: 5}|num_events|must be a whole number",
        "num_events zero|index: x\\ntype: frequency\\nnum_events: 0\\ntimeframe: {minutes: 5}|num_events|must be at least 1",
        "bad timeframe unit|index: x\\ntype: frequency\\nnum_events: 1\\ntimeframe: {fortnights: 1}|timeframe|must be a time like",
        "bad severity|index: x\\ntype: any\\nseverity: urgent|severity|'urgent' is not one of",
        "spike without height|index: x\\ntype: spike\\nspike_type: up\\ntimeframe: {minutes: 5}|spike_height|is required",
        "bad spike_type|index: x\\ntype: spike\\nspike_height: 2\\nspike_type: sideways\\ntimeframe: {minutes: 5}|spike_type|is not one of up, down, both",
        "metric without thresholds|index: x\\ntype: metric_aggregation\\nmetric_agg_key: d\\nmetric_agg_type: avg|max_threshold|needs max_threshold, min_threshold or both",
        "percentiles without range|index: x\\ntype: metric_aggregation\\nmetric_agg_key: d\\nmetric_agg_type: percentiles\\nmax_threshold: 1|percentile_range|is required",
        "bad metric type|index: x\\ntype: metric_aggregation\\nmetric_agg_key: d\\nmetric_agg_type: median\\nmax_threshold: 1|metric_agg_type|'median' is not one of",
        "cardinality without bounds|index: x\\ntype: cardinality\\ncardinality_field: u\\ntimeframe: {minutes: 5}|max_cardinality|needs max_cardinality",
        "percentage without filter|index: x\\ntype: percentage_match\\nmax_percentage: 5|match_bucket_filter|is required",
        "filter not a list|index: x\\ntype: any\\nfilter: {term: {a: b}}|filter|must be a list of query clauses",
        "filter clause with two types|index: x\\ntype: any\\nfilter:\\n  - {term: {a: b}, range: {c: {gte: 1}}}|filter[0]|exactly one query type",
        "webhook alerter without url|index: x\\ntype: any\\nalert: [post]|http_post_url|is required",
        "webhook url not http|index: x\\ntype: any\\nalert: [post]\\nhttp_post_url: ftp://x|http_post_url|must be an http",
        "sns bad arn|index: x\\ntype: any\\nalert: [sns]\\nsns_topic_arn: alerts|sns_topic_arn|must be a topic ARN",
        "unknown alerter|index: x\\ntype: any\\nalert: [email]|alert|'email' is not one of",
        "url without alerter|index: x\\ntype: any\\nhttp_post_url: http://x|http_post_url|given, but alert does not list post",
        "new_term without fields|index: x\\ntype: new_term|fields|is required",
        "flatline without threshold|index: x\\ntype: flatline\\ntimeframe: {minutes: 5}|threshold|is required",
      })
  void eachMistakeNamesFileAndField(String what, String yaml, String field, String problem) {
    assertThatThrownBy(() -> loader.load("rules/r.yaml", yaml.replace("\\n", "\n")))
        .isInstanceOf(RuleFileException.class)
        .satisfies(
            e -> {
              RuleFileException r = (RuleFileException) e;
              assertThat(r.file()).isEqualTo("rules/r.yaml");
              assertThat(r.field()).isEqualTo(field);
              assertThat(r.getMessage())
                  .startsWith("rules/r.yaml: field '" + field + "': ")
                  .contains(problem);
            });
  }

  @Test
  void notYamlOrNotAMapNamesTheFile() {
    assertThatThrownBy(() -> loader.load("a.yaml", "type: [any"))
        .hasMessageStartingWith("a.yaml: not valid YAML");
    assertThatThrownBy(() -> loader.load("a.yaml", "- any"))
        .hasMessage("a.yaml: must be a YAML map of rule options");
  }

  @Test
  void defaultsFollowElastAlert() {
    Rule r = loader.load("dir/too-many.yaml", FREQ);
    assertThat(r.name()).isEqualTo("too-many");
    assertThat(r.timestampField()).isEqualTo("@timestamp");
    assertThat(r.realert()).isEqualTo(Duration.ofMinutes(1));
    assertThat(r.queryDelay()).isEqualTo(Duration.ZERO);
    assertThat(r.runEvery()).isEqualTo(Duration.ofMinutes(1));
    assertThat(r.severity()).isEqualTo("medium");
    assertThat(r.resolvedNotice()).isTrue();
    assertThat(r.enabled()).isTrue();
    assertThat(r.alert()).isEmpty();
  }

  @Test
  void filterAcceptsElastAlertFormsAndAQueryString() {
    Rule wrapped =
        loader.load(
            "a.yaml",
            "index: x\ntype: any\nfilter:\n  - query:\n      query_string:\n        query: 'level:ERROR'\n");
    assertThat(wrapped.filter().get(0).toString())
        .isEqualTo("{\"query_string\":{\"query\":\"level:ERROR\"}}");
    Rule string = loader.load("a.yaml", "index: x\ntype: any\nfilter: 'level:ERROR AND svc:a'\n");
    assertThat(string.filter().get(0).path("query_string").path("query").asText())
        .isEqualTo("level:ERROR AND svc:a");
  }

  @Test
  void shippedRulesLoadAndABadFileDoesNotStopTheOthers(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a-good.yaml"), FREQ);
    Files.writeString(dir.resolve("b-bad.yaml"), "index: x\ntype: spike\n");
    Files.writeString(
        dir.resolve("error-log-spike.yaml"),
        FREQ + "is_enabled: false\n"); // replaces the shipped one
    Files.writeString(dir.resolve("notes.txt"), "not a rule");
    RuleLoader.Loaded loaded = loader.loadAll(true, List.of(dir));
    assertThat(loaded.rules())
        .extracting(Rule::name)
        .containsExactly(
            "p99-latency",
            "http-5xx-ratio",
            "service-logs-flatline",
            "critical-audit-finding",
            "failed-remediation",
            "a-good",
            "error-log-spike");
    assertThat(loaded.rules().get(6).enabled()).isFalse();
    assertThat(loaded.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file()).endsWith("b-bad.yaml");
              assertThat(e.field()).isEqualTo("timeframe");
            });
  }

  @Test
  void twoFilesWithOneNameAreRefused(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "name: same\n" + FREQ);
    Files.writeString(dir.resolve("b.yaml"), "name: same\n" + FREQ);
    RuleLoader.Loaded loaded = loader.loadAll(false, List.of(dir));
    assertThat(loaded.rules()).hasSize(1);
    assertThat(loaded.errors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains("b.yaml")
                    .contains("'name'")
                    .contains("already the name of"));
  }

  @Test
  void durations() {
    assertThat(Durations.parseShort("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parseShort("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parseShort("1x")).isNull();
    assertThat(Durations.parse(java.util.Map.of("hours", 1, "minutes", 30)))
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
  }
}
