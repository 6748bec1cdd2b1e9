package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.RuleFileException;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.yaml.YamlFields;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates alert rule files (one rule per YAML file, ElastAlert 2 option names). Every
 * problem is a {@link RuleFileException} naming the file and the field; {@link #loadAll} keeps the
 * good rules and reports the bad ones, so one broken file never stops the others.
 */
public final class RuleLoader {
  /** Where the shipped rules live on the class path. */
  public static final String BUILT_IN = "trailmark-alert-rules/";

  /** The shipped rule files, in load order. */
  public static final List<String> BUILT_IN_FILES =
      List.of(
          "error-log-spike.yaml",
          "p99-latency.yaml",
          "http-5xx-ratio.yaml",
          "service-logs-flatline.yaml",
          "critical-audit-finding.yaml",
          "failed-remediation.yaml");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}");
  private static final Set<String> SEVERITIES = Set.of("info", "low", "medium", "high", "critical");
  private static final Set<String> ALERTERS = Set.of("post", "slack", "sns", "stdout", "debug");
  private static final Set<String> COMMON =
      Set.of(
          "name",
          "type",
          "index",
          "timestamp_field",
          "filter",
          "query_key",
          "severity",
          "description",
          "is_enabled",
          "run_every",
          "buffer_time",
          "query_delay",
          "realert",
          "exponential_realert",
          "aggregation",
          "summary_table_fields",
          "resolved_notice",
          "max_query_size",
          "terms_size",
          "alert",
          "use_count_query",
          "use_terms_query",
          "http_post_url",
          "http_post_timeout",
          "http_post_headers",
          "slack_webhook_url",
          "slack_username_override",
          "slack_channel_override",
          "slack_timeout",
          "sns_topic_arn",
          "sns_aws_region");
  private static final Map<RuleType, Set<String>> TYPE_FIELDS =
      Map.of(
          RuleType.ANY, Set.of(),
          RuleType.FREQUENCY, Set.of("num_events", "timeframe"),
          RuleType.SPIKE,
              Set.of(
                  "timeframe",
                  "spike_height",
                  "spike_type",
                  "threshold_ref",
                  "threshold_cur",
                  "alert_on_new_data"),
          RuleType.FLATLINE, Set.of("threshold", "timeframe", "forget_keys"),
          RuleType.NEW_TERM, Set.of("fields", "terms_window_size"),
          RuleType.CARDINALITY,
              Set.of("cardinality_field", "max_cardinality", "min_cardinality", "timeframe"),
          RuleType.METRIC_AGGREGATION,
              Set.of(
                  "metric_agg_key",
                  "metric_agg_type",
                  "percentile_range",
                  "max_threshold",
                  "min_threshold",
                  "bucket_interval",
                  "min_doc_count"),
          RuleType.PERCENTAGE_MATCH,
              Set.of(
                  "match_bucket_filter",
                  "min_percentage",
                  "max_percentage",
                  "bucket_interval",
                  "min_denominator"));
  private static final Set<String> METRIC_TYPES =
      Set.of("min", "max", "avg", "sum", "cardinality", "value_count", "percentiles");

  /**
   * The result of loading many files: the rules that loaded and one error per file that did not.
   */
  public record Loaded(List<Rule> rules, List<RuleFileException> errors) {}

  /**
   * Loads the shipped rules, then every {@code *.yaml}/{@code *.yml} of each directory (sorted by
   * name).
   */
  public Loaded loadAll(boolean builtIn, List<Path> dirs) {
    List<Rule> rules = new ArrayList<>();
    List<RuleFileException> errors = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    List<String[]> sources = new ArrayList<>();
    if (builtIn) {
      for (String f : BUILT_IN_FILES) {
        try (InputStream in = RuleLoader.class.getClassLoader().getResourceAsStream(BUILT_IN + f)) {
          if (in == null) {
            throw new IllegalStateException("shipped rule " + f + " missing from the class path");
          }
          sources.add(
              new String[] {"builtin:" + f, new String(in.readAllBytes(), StandardCharsets.UTF_8)});
        } catch (IOException e) {
          throw new IllegalStateException("cannot read shipped rule " + f, e);
        }
      }
    }
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        errors.add(new RuleFileException(dir.toString(), "", "not a directory"));
        continue;
      }
      try (Stream<Path> list = Files.list(dir)) {
        for (Path p : list.filter(RuleLoader::isRuleFile).sorted().toList()) {
          sources.add(new String[] {p.toString(), Files.readString(p, StandardCharsets.UTF_8)});
        }
      } catch (IOException e) {
        errors.add(new RuleFileException(dir.toString(), "", "cannot be read: " + e.getMessage()));
      }
    }
    for (String[] source : sources) {
      try {
        Rule rule = load(source[0], source[1]);
        String earlier = seen.putIfAbsent(rule.name(), source[0]);
        if (earlier != null) {
          // A user file may replace a shipped rule of the same name (to tune or disable it).
          if (earlier.startsWith("builtin:") && !source[0].startsWith("builtin:")) {
            rules.removeIf(r -> r.name().equals(rule.name()));
            seen.put(rule.name(), source[0]);
          } else {
            throw new RuleFileException(
                source[0], "name", "'" + rule.name() + "' is already the name of " + earlier);
          }
        }
        rules.add(rule);
      } catch (RuleFileException e) {
        errors.add(e);
      }
    }
    return new Loaded(List.copyOf(rules), List.copyOf(errors));
  }

  static boolean isRuleFile(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
  }

  /** Parses one rule file's text; {@code file} names it in errors. */
  public Rule load(String file, String yamlText) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
    } catch (YAMLException e) {
      throw new RuleFileException(
          file, "", "not valid YAML: " + String.valueOf(e.getMessage()).replace('\n', ' '));
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new RuleFileException(file, "", "must be a YAML map of rule options");
    }
    Fields f = new Fields(file, map);
    String typeText = f.string("type", true, null);
    RuleType type = RuleType.parse(typeText);
    if (type == null) {
      throw f.error(
          "type",
          "'"
              + typeText
              + "' is not one of any, frequency, spike, flatline, new_term, "
              + "cardinality, metric_aggregation, percentage_match");
    }
    Set<String> allowed = new LinkedHashSet<>(COMMON);
    allowed.addAll(TYPE_FIELDS.get(type));
    for (Object key : map.keySet()) {
      if (!allowed.contains(String.valueOf(key))) {
        boolean otherType =
            TYPE_FIELDS.values().stream().anyMatch(s -> s.contains(String.valueOf(key)));
        throw f.error(
            String.valueOf(key),
            otherType
                ? "is not an option of type " + type.label()
                : "unknown option (see alerting/README.md for every option)");
      }
    }
    String stem =
        file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf(':')) + 1)
            .replaceFirst("\\.ya?ml$", "");
    String name = f.string("name", false, stem);
    if (!NAME.matcher(name).matches()) {
      throw f.error(
          "name",
          "must be 1-128 of letters, digits, space, '.', '_' or '-', starting with a letter or digit");
    }
    String index = f.string("index", true, null);
    if (index.contains(" ") || index.contains("/")) {
      throw f.error(
          "index",
          "must be an index name or pattern (comma-separated, '*' allowed), without spaces or '/'");
    }
    String severity = f.string("severity", false, "medium").toLowerCase(Locale.ROOT);
    if (!SEVERITIES.contains(severity)) {
      throw f.error(
          "severity", "'" + severity + "' is not one of info, low, medium, high, critical");
    }
    Duration runEvery = f.duration("run_every", false, Duration.ofMinutes(1));
    if (runEvery.toMillis() < 1000) {
      throw f.error("run_every", "must be at least 1 second");
    }
    Duration timeframe = null;
    if (Set.of(RuleType.FREQUENCY, RuleType.SPIKE, RuleType.FLATLINE, RuleType.CARDINALITY)
        .contains(type)) {
      timeframe = f.duration("timeframe", true, null);
      if (timeframe.toMillis() < 1000) {
        throw f.error("timeframe", "must be at least 1 second");
      }
    }
    Duration bucket = null;
    if (type == RuleType.METRIC_AGGREGATION || type == RuleType.PERCENTAGE_MATCH) {
      bucket = f.duration("bucket_interval", false, runEvery);
      if (bucket.toMillis() < 1000) {
        throw f.error("bucket_interval", "must be at least 1 second");
      }
    }
    List<Rule.AlerterSpec> alert = alerters(f, map);

    Integer numEvents = type == RuleType.FREQUENCY ? f.integer("num_events", true, null, 1) : null;
    Double spikeHeight = null;
    String spikeType = null;
    if (type == RuleType.SPIKE) {
      spikeHeight = f.number("spike_height", true, null);
      if (spikeHeight <= 0) {
        throw f.error("spike_height", "must be greater than 0");
      }
      spikeType = f.string("spike_type", true, null);
      if (!Set.of("up", "down", "both").contains(spikeType)) {
        throw f.error("spike_type", "'" + spikeType + "' is not one of up, down, both");
      }
    }
    Integer threshold = type == RuleType.FLATLINE ? f.integer("threshold", true, null, 1) : null;
    List<String> fields = List.of();
    Duration termsWindow = null;
    if (type == RuleType.NEW_TERM) {
      fields = f.strings("fields", true);
      termsWindow = f.duration("terms_window_size", false, Duration.ofDays(30));
    }
    String cardinalityField = null;
    Integer maxCard = null;
    Integer minCard = null;
    if (type == RuleType.CARDINALITY) {
      cardinalityField = f.string("cardinality_field", true, null);
      maxCard = f.integer("max_cardinality", false, null, 0);
      minCard = f.integer("min_cardinality", false, null, 0);
      if (maxCard == null && minCard == null) {
        throw f.error(
            "max_cardinality", "cardinality needs max_cardinality, min_cardinality or both");
      }
    }
    String metricKey = null;
    String metricType = null;
    Double percentile = null;
    Double maxThreshold = null;
    Double minThreshold = null;
    if (type == RuleType.METRIC_AGGREGATION) {
      metricKey = f.string("metric_agg_key", true, null);
      metricType = f.string("metric_agg_type", true, null);
      if (!METRIC_TYPES.contains(metricType)) {
        throw f.error(
            "metric_agg_type",
            "'"
                + metricType
                + "' is not one of "
                + String.join(
                    ", ",
                    List.of(
                        "min", "max", "avg", "sum", "cardinality", "value_count", "percentiles")));
      }
      if (metricType.equals("percentiles")) {
        percentile = f.number("percentile_range", true, null);
        if (percentile <= 0 || percentile >= 100) {
          throw f.error("percentile_range", "must be between 0 and 100 (exclusive), e.g. 99");
        }
      } else if (map.containsKey("percentile_range")) {
        throw f.error("percentile_range", "only applies when metric_agg_type is percentiles");
      }
      maxThreshold = f.number("max_threshold", false, null);
      minThreshold = f.number("min_threshold", false, null);
      if (maxThreshold == null && minThreshold == null) {
        throw f.error(
            "max_threshold", "metric_aggregation needs max_threshold, min_threshold or both");
      }
    }
    List<ObjectNode> bucketFilter = List.of();
    Double minPct = null;
    Double maxPct = null;
    if (type == RuleType.PERCENTAGE_MATCH) {
      bucketFilter = f.filter("match_bucket_filter", true);
      minPct = f.number("min_percentage", false, null);
      maxPct = f.number("max_percentage", false, null);
      if (minPct == null && maxPct == null) {
        throw f.error(
            "max_percentage", "percentage_match needs min_percentage, max_percentage or both");
      }
    }
    Duration aggregation = f.duration("aggregation", false, null);
    f.bool("use_count_query", false);
    f.bool("use_terms_query", false);
    return new Rule(
        name,
        file,
        type,
        index,
        f.string("timestamp_field", false, "@timestamp"),
        f.filter("filter", false),
        f.strings("query_key", false),
        severity,
        f.string("description", false, ""),
        f.bool("is_enabled", true),
        runEvery,
        f.duration("buffer_time", false, Duration.ofMinutes(15)),
        f.duration("query_delay", false, Duration.ZERO),
        f.duration("realert", false, Duration.ofMinutes(1)),
        f.duration("exponential_realert", false, null),
        aggregation,
        f.strings("summary_table_fields", false),
        f.bool("resolved_notice", true),
        f.integer("max_query_size", false, 1000, 1),
        f.integer("terms_size", false, 100, 1),
        alert,
        timeframe,
        numEvents,
        spikeHeight,
        spikeType,
        type == RuleType.SPIKE ? f.number("threshold_ref", false, null) : null,
        type == RuleType.SPIKE ? f.number("threshold_cur", false, null) : null,
        f.bool("alert_on_new_data", false),
        threshold,
        f.bool("forget_keys", false),
        fields,
        termsWindow,
        cardinalityField,
        maxCard,
        minCard,
        metricKey,
        metricType,
        percentile,
        maxThreshold,
        minThreshold,
        bucket,
        type == RuleType.METRIC_AGGREGATION ? f.integer("min_doc_count", false, 1, 1) : 1,
        bucketFilter,
        minPct,
        maxPct,
        type == RuleType.PERCENTAGE_MATCH ? f.integer("min_denominator", false, 0, 0) : 0);
  }

  private static List<Rule.AlerterSpec> alerters(Fields f, Map<?, ?> map) {
    List<String> kinds = f.strings("alert", false);
    List<Rule.AlerterSpec> out = new ArrayList<>();
    for (String kind : kinds) {
      if (!ALERTERS.contains(kind)) {
        throw f.error("alert", "'" + kind + "' is not one of post, slack, sns, stdout");
      }
      Map<String, Object> options = new LinkedHashMap<>();
      switch (kind) {
        case "post" -> {
          options.put("url", f.url("http_post_url"));
          options.put("timeout", f.integer("http_post_timeout", false, 10, 1));
          options.put("headers", f.stringMap("http_post_headers"));
        }
        case "slack" -> {
          options.put("url", f.url("slack_webhook_url"));
          options.put("timeout", f.integer("slack_timeout", false, 10, 1));
          options.put("username", f.string("slack_username_override", false, "trailmark"));
          options.put("channel", f.string("slack_channel_override", false, ""));
        }
        case "sns" -> {
          String arn = f.string("sns_topic_arn", true, null);
          if (!arn.startsWith("arn:") || arn.split(":").length < 6) {
            throw f.error(
                "sns_topic_arn",
                "must be a topic ARN like arn:aws:sns:us-east-1:123456789012:alerts");
          }
          options.put("topic", arn);
          options.put("region", f.string("sns_aws_region", false, arn.split(":")[3]));
        }
        default -> {}
      }
      out.add(new Rule.AlerterSpec(kind.equals("debug") ? "stdout" : kind, Map.copyOf(options)));
    }
    for (String[] pair :
        new String[][] {
          {"http_post_url", "post"}, {"slack_webhook_url", "slack"}, {"sns_topic_arn", "sns"}
        }) {
      if (map.containsKey(pair[0]) && !kinds.contains(pair[1])) {
        throw f.error(pair[0], "given, but alert does not list " + pair[1]);
      }
    }
    return List.copyOf(out);
  }

  /** A map of options in one file; every accessor names the field on error. */
  private static final class Fields extends YamlFields {
    private final String file;

    Fields(String file, Map<?, ?> map) {
      super(map);
      this.file = file;
    }

    @Override
    protected RuleFileException error(String field, String problem) {
      return new RuleFileException(file, field, problem);
    }

    String url(String key) {
      String url = string(key, true, null);
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw error(key, "must be an http:// or https:// URL");
      }
      try {
        java.net.URI.create(url).toURL();
      } catch (IllegalArgumentException | java.net.MalformedURLException e) {
        throw error(key, "is not a valid URL: " + e.getMessage());
      }
      return url;
    }

    Integer integer(String key, boolean required, Integer defaultValue, int min) {
      Object value = value(key, required);
      if (value == null) {
        return defaultValue;
      }
      if (!(value instanceof Integer i)) {
        throw error(key, "must be a whole number, got " + describe(value));
      }
      if (i < min) {
        throw error(key, "must be at least " + min + ", got " + i);
      }
      return i;
    }

    Double number(String key, boolean required, Double defaultValue) {
      Object value = value(key, required);
      if (value == null) {
        return defaultValue;
      }
      if (!(value instanceof Number n)
          || Double.isNaN(n.doubleValue())
          || Double.isInfinite(n.doubleValue())) {
        throw error(key, "must be a number, got " + describe(value));
      }
      return n.doubleValue();
    }

    Duration duration(String key, boolean required, Duration defaultValue) {
      Object value = value(key, required);
      if (value == null) {
        return defaultValue;
      }
      Duration d = Durations.parse(value);
      if (d == null) {
        throw error(
            key,
            "must be a time like {minutes: 5} (weeks, days, hours, minutes, seconds, milliseconds) "
                + "or 5m, got "
                + describe(value));
      }
      return d;
    }

    Map<String, String> stringMap(String key) {
      Object value = map.get(key);
      if (value == null) {
        return Map.of();
      }
      if (!(value instanceof Map<?, ?> m)) {
        throw error(key, "must be a map of header names to values");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof String) && !(e.getValue() instanceof Number)) {
          throw error(key + "." + e.getKey(), "must be a string");
        }
        out.put(String.valueOf(e.getKey()), String.valueOf(e.getValue()));
      }
      return Map.copyOf(out);
    }

    /**
     * ElastAlert's {@code filter}: a list of query DSL clauses ({@code - term: {...}}), each a map
     * with one query type; ElastAlert's {@code - query: {query_string: ...}} wrapper is unwrapped.
     * A string is a query string.
     */
    List<ObjectNode> filter(String key, boolean required) {
      Object value = value(key, required);
      if (value == null) {
        return List.of();
      }
      if (value instanceof String s) {
        ObjectNode q = Json.object();
        q.putObject("query_string").put("query", s);
        return List.of(q);
      }
      if (!(value instanceof List<?> list)) {
        throw error(
            key, "must be a list of query clauses (- term: {field: value}) or a query string");
      }
      List<ObjectNode> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (!(item instanceof Map<?, ?> clause) || clause.size() != 1) {
          throw error(
              key + "[" + i + "]",
              "must be a map with exactly one query type (term, terms, range, "
                  + "match, match_phrase, query_string, exists, bool, ...), got "
                  + describe(item));
        }
        Object inner = clause.values().iterator().next();
        if (!(inner instanceof Map)) {
          throw error(key + "[" + i + "]." + clause.keySet().iterator().next(), "must be a map");
        }
        if ("query".equals(String.valueOf(clause.keySet().iterator().next()))
            && ((Map<?, ?>) inner).size() == 1) {
          out.add(Json.MAPPER.valueToTree(inner));
        } else {
          out.add(Json.MAPPER.valueToTree(clause));
        }
      }
      return List.copyOf(out);
    }

    @Override
    protected String describe(Object value) {
      if (value == null) {
        return "nothing";
      }
      if (value instanceof String s) {
        return "'" + s + "'";
      }
      if (value instanceof Map) {
        return "a map";
      }
      if (value instanceof List) {
        return "a list";
      }
      return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
  }
}
