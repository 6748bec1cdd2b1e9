package dev.trailmark.alerting;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.internal.Durations;
import dev.trailmark.alerting.internal.Engine;
import dev.trailmark.alerting.internal.Notices;
import dev.trailmark.alerting.internal.Rule;
import dev.trailmark.alerting.internal.RuleLoader;
import dev.trailmark.alerting.internal.RuleState;
import dev.trailmark.alerting.internal.Store;
import dev.trailmark.alerting.internal.alerters.Alerter;
import dev.trailmark.alerting.internal.alerters.Delivery;
import dev.trailmark.alerting.internal.alerters.SnsAlerter;
import dev.trailmark.alerting.internal.alerters.StdoutAlerter;
import dev.trailmark.alerting.internal.alerters.WebhookAlerter;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs alert rules (ElastAlert 2's rule types and options, one YAML file per rule) over what
 * Trailmark stores in OpenSearch, on a schedule: each cycle evaluates the windows since the last
 * one, sends notices through the rules' alerters, records every notice in {@code
 * <prefix>alerts-<yyyy.MM.dd>} and keeps its state in {@code <prefix>trailmark-alert-status}, so
 * that a restart resumes without missed or doubled alerts.
 */
public final class AlertRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertRunner.class);

  private final Config config;
  private final Store store;
  private final Engine engine;
  private final List<Rule> rules;
  private final List<RuleFileException> ruleErrors;
  private final Map<String, List<Alerter>> alerters = new ConcurrentHashMap<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private volatile boolean stopped;
  private volatile Thread loop;

  /**
   * One cycle's outcome for one rule: matches found, notices made (their titles), or the error that
   * stopped it.
   */
  public record RuleRun(String rule, long matches, List<String> notices, String error) {}

  /**
   * What one cycle did: the rules that ran (rules not yet due are absent) and the rule files that
   * did not load.
   */
  public record CycleReport(Instant at, List<RuleRun> rules, List<RuleFileException> ruleErrors) {}

  /** A rule's last run as recorded in the status index. */
  public record RuleStatus(
      String rule,
      String type,
      boolean enabled,
      Instant lastRun,
      Instant lastWindowEnd,
      long lastMatches,
      long totalMatches,
      long notices,
      String lastError,
      List<String> firingKeys) {}

  private AlertRunner(Config config) {
    this.config = config;
    this.store = new Store(config.openSearch, config.indexPrefix);
    RuleLoader.Loaded loaded =
        new RuleLoader().loadAll(config.builtInRules, config.ruleDirectories);
    this.rules = loaded.rules();
    this.ruleErrors = loaded.errors();
    for (RuleFileException e : ruleErrors) {
      log.error("rule not loaded: {}", e.getMessage());
    }
    this.engine =
        new Engine(
            store,
            new Delivery(
                config.deliveryAttempts, config.deliveryBackoff, config.deliveryMaxBackoff),
            this::alertersOf);
  }

  /** A builder; {@link Builder#openSearch} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Names of the loaded rules (enabled or not). */
  public List<String> ruleNames() {
    return rules.stream().map(Rule::name).toList();
  }

  /** The rule files that did not load, each naming its file and field. */
  public List<RuleFileException> ruleErrors() {
    return ruleErrors;
  }

  /** The number of requests sent to OpenSearch so far. */
  public long requestsSent() {
    return store.requests();
  }

  /** Runs one cycle: every enabled rule whose next window has ended. */
  public CycleReport runOnce() throws IOException {
    store.prepare();
    long now = config.clock.millis();
    Map<String, ObjectNode> statuses =
        store.statusByIds(
            rules.stream().filter(Rule::enabled).map(r -> "rule:" + r.name()).toList());
    Map<String, Long> silences = silences(now);
    List<RuleRun> runs = new ArrayList<>();
    List<Object[]> writes = new ArrayList<>();
    for (Rule rule : rules) {
      if (!rule.enabled() || stopped) {
        continue;
      }
      RuleState state = Engine.stateOf(statuses.get("rule:" + rule.name()));
      if (state != null
          && Engine.windowEnd(rule, now) <= state.lastEnd
          && (state.batch == null
              || rule.aggregation() == null
              || now < state.batch.start + rule.aggregation().toMillis())) {
        continue; // not due yet
      }
      Engine.Outcome o =
          engine.run(rule, state == null ? new RuleState() : state, now, silences, true);
      runs.add(
          new RuleRun(
              rule.name(),
              o.matches(),
              o.notices().stream().map(Notices::title).toList(),
              o.error()));
      writes.addAll(o.writes());
    }
    engine.write(writes);
    return new CycleReport(Instant.ofEpochMilli(now), runs, ruleErrors);
  }

  /**
   * Runs {@code ruleName} over stored data between {@code from} and {@code to} and returns what it
   * would have sent (title and body of each notice), without sending or writing anything. Realert
   * and silences are not applied.
   */
  public List<String> test(String ruleName, Instant from, Instant to) throws IOException {
    Rule rule = rule(ruleName);
    long step = rule.runEvery().toMillis();
    RuleState scratch = new RuleState();
    scratch.testRun = true;
    scratch.lastEnd = Math.floorDiv(from.toEpochMilli(), step) * step;
    long now = to.toEpochMilli() + rule.queryDelay().toMillis();
    Engine.Outcome o = engine.run(rule, scratch, now, Map.of(), false);
    if (o.error() != null) {
      throw new IOException("rule " + ruleName + " failed: " + o.error());
    }
    List<String> out = new ArrayList<>();
    for (ObjectNode n : o.notices()) {
      out.add(Notices.title(n) + "\n" + Notices.body(n).indent(2).stripTrailing());
    }
    return out;
  }

  /**
   * Silences {@code ruleName} (only key {@code key} when not null) for {@code duration}; returns
   * the end.
   */
  public Instant silence(String ruleName, String key, Duration duration) throws IOException {
    rule(ruleName);
    store.prepare();
    Instant until = Instant.ofEpochMilli(config.clock.millis()).plus(duration);
    ObjectNode doc = Json.object();
    doc.put("type", "silence").put("rule", ruleName).put("until", until.toString());
    if (key != null) {
      doc.put("key", key);
    }
    store.bulk(
        List.<Object[]>of(
            new Object[] {
              store.statusIndex(), "silence:" + ruleName + ":" + (key == null ? "" : key), doc
            }));
    return until;
  }

  /** Lifts a silence made by {@link #silence}. */
  public void unsilence(String ruleName, String key) throws IOException {
    store.prepare();
    store.deleteStatus("silence:" + ruleName + ":" + (key == null ? "" : key));
  }

  private Map<String, Long> silences(long now) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (ObjectNode s : store.statusDocs("silence").values()) {
      long until = Instant.parse(s.path("until").asText()).toEpochMilli();
      if (until > now) {
        out.merge(s.path("rule").asText() + "\u0000" + s.path("key").asText(""), until, Math::max);
      }
    }
    return out;
  }

  /** Each loaded rule with its last run as recorded in the status index. */
  public List<RuleStatus> status() throws IOException {
    store.prepare();
    Map<String, ObjectNode> statuses =
        store.statusByIds(rules.stream().map(r -> "rule:" + r.name()).toList());
    List<RuleStatus> out = new ArrayList<>();
    for (Rule rule : rules) {
      RuleState s = Engine.stateOf(statuses.get("rule:" + rule.name()));
      if (s == null) {
        out.add(
            new RuleStatus(
                rule.name(),
                rule.type().label(),
                rule.enabled(),
                null,
                null,
                0,
                0,
                0,
                null,
                List.of()));
        continue;
      }
      List<String> firing =
          s.keys.entrySet().stream()
              .filter(e -> e.getValue().firing)
              .map(Map.Entry::getKey)
              .toList();
      out.add(
          new RuleStatus(
              rule.name(),
              rule.type().label(),
              rule.enabled(),
              Instant.ofEpochMilli(s.lastRun),
              Instant.ofEpochMilli(s.lastEnd),
              s.lastMatches,
              s.totalMatches,
              s.notices,
              s.lastError,
              firing));
    }
    return out;
  }

  /**
   * Runs cycles until {@link #close} (or the thread is interrupted), checking every {@code tick}
   * which rules are due; an OpenSearch outage is logged and retried at the next tick.
   */
  public void run(Duration tick) {
    loop = Thread.currentThread();
    try {
      loop(tick);
    } finally {
      loop = null;
    }
  }

  private void loop(Duration tick) {
    while (!stopped && !Thread.currentThread().isInterrupted()) {
      try {
        CycleReport report = runOnce();
        for (RuleRun r : report.rules()) {
          if (r.error() != null) {
            log.warn("rule {} failed: {}", r.rule(), r.error());
          } else if (!r.notices().isEmpty()) {
            log.info("rule {}: {} matches, {} notices", r.rule(), r.matches(), r.notices().size());
          }
        }
      } catch (IOException | RuntimeException e) {
        log.warn("alert cycle failed (retried in {}): {}", Durations.format(tick), e.toString());
      }
      try {
        Thread.sleep(tick.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Rule rule(String name) {
    return rules.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no rule named '" + name + "'; loaded: " + ruleNames()));
  }

  private List<Alerter> alertersOf(Rule rule) {
    return alerters.computeIfAbsent(
        rule.name(),
        n -> {
          List<Rule.AlerterSpec> specs =
              rule.alert().isEmpty() ? config.defaultAlert : rule.alert();
          List<Alerter> out = new ArrayList<>();
          for (Rule.AlerterSpec s : specs) {
            out.add(create(s));
          }
          return List.copyOf(out);
        });
  }

  private Alerter create(Rule.AlerterSpec s) {
    Map<String, Object> o = s.options();
    switch (s.kind()) {
      case "post", "slack" -> {
        @SuppressWarnings("unchecked")
        Map<String, String> headers = (Map<String, String>) o.getOrDefault("headers", Map.of());
        return new WebhookAlerter(
            s.kind().equals("slack"),
            (String) o.get("url"),
            Duration.ofSeconds(((Number) o.getOrDefault("timeout", 10)).longValue()),
            headers,
            (String) o.get("username"),
            (String) o.get("channel"));
      }
      case "sns" -> {
        SnsAlerter sns =
            new SnsAlerter((String) o.get("topic"), (String) o.get("region"), config.snsEndpoint);
        synchronized (closeables) {
          closeables.add(sns);
        }
        return sns;
      }
      default -> {
        return new StdoutAlerter(config.stdout);
      }
    }
  }

  /** Stops {@link #run} after its current cycle and releases the OpenSearch and SNS clients. */
  @Override
  public void close() throws IOException {
    stopped = true;
    Thread running = loop;
    if (running != null && running != Thread.currentThread()) {
      // Let the cycle in progress finish (its notices recorded, its state saved) before the clients
      // close;
      // the loop sees the flag after it (at most one tick of sleep).
      try {
        running.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (closeables) {
      for (AutoCloseable c : closeables) {
        try {
          c.close();
        } catch (Exception e) {
          log.debug("close: {}", e.toString());
        }
      }
    }
    store.close();
  }

  private static final class Config {
    URI openSearch;
    String indexPrefix = "";
    boolean builtInRules = true;
    List<Path> ruleDirectories = new ArrayList<>();
    List<Rule.AlerterSpec> defaultAlert = new ArrayList<>();
    URI snsEndpoint;
    PrintStream stdout = System.out;
    int deliveryAttempts = 4;
    Duration deliveryBackoff = Duration.ofMillis(500);
    Duration deliveryMaxBackoff = Duration.ofSeconds(8);
    Clock clock = Clock.systemUTC();
  }

  /** Builds an {@link AlertRunner}; immutable once built. */
  public static final class Builder {
    private final Config c = new Config();
    private boolean stdoutDefault = true;

    private Builder() {}

    /**
     * The OpenSearch endpoint (required); {@code *.es.amazonaws.com} and {@code
     * *.aoss.amazonaws.com} are signed with SigV4.
     */
    public Builder openSearch(URI endpoint) {
      c.openSearch = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * The prefix of every index read and written (the collector's {@code --index-prefix}); default
     * none.
     */
    public Builder indexPrefix(String prefix) {
      c.indexPrefix = prefix == null ? "" : prefix;
      return this;
    }

    /**
     * Whether the shipped rules load (default true); a file of the same name in a rules directory
     * replaces one.
     */
    public Builder builtInRules(boolean on) {
      c.builtInRules = on;
      return this;
    }

    /** Adds a directory of rule files ({@code *.yaml}, {@code *.yml}). */
    public Builder rulesDirectory(Path dir) {
      c.ruleDirectories.add(dir);
      return this;
    }

    /** Rules without {@code alert} post their notices as JSON to this URL. */
    public Builder webhook(String url) {
      c.defaultAlert.add(
          new Rule.AlerterSpec("post", Map.of("url", url, "timeout", 10, "headers", Map.of())));
      return this;
    }

    /** Rules without {@code alert} post their notices to this Slack-compatible webhook. */
    public Builder slackWebhook(String url) {
      c.defaultAlert.add(
          new Rule.AlerterSpec(
              "slack", Map.of("url", url, "timeout", 10, "username", "trailmark", "channel", "")));
      return this;
    }

    /**
     * Rules without {@code alert} publish their notices to this SNS topic (region from the ARN).
     */
    public Builder snsTopic(String topicArn) {
      String[] parts = topicArn.split(":");
      if (parts.length < 6) {
        throw new IllegalArgumentException("not a topic ARN: " + topicArn);
      }
      c.defaultAlert.add(
          new Rule.AlerterSpec("sns", Map.of("topic", topicArn, "region", parts[3])));
      return this;
    }

    /** Where SNS requests go instead of AWS (a local stand-in); default AWS. */
    public Builder snsEndpoint(URI endpoint) {
      c.snsEndpoint = endpoint;
      return this;
    }

    /**
     * Whether rules without {@code alert} also print their notices (default true), and where to.
     */
    public Builder stdout(boolean on, PrintStream out) {
      stdoutDefault = on;
      if (out != null) {
        c.stdout = out;
      }
      return this;
    }

    /**
     * Attempts per alerter and notice (default 4) and the first backoff (default 500 ms, doubling,
     * at most 8 s).
     */
    public Builder delivery(int attempts, Duration backoff) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1");
      }
      c.deliveryAttempts = attempts;
      c.deliveryBackoff = backoff;
      c.deliveryMaxBackoff = backoff.multipliedBy(16);
      return this;
    }

    /** The clock cycles read (tests move it). */
    public Builder clock(Clock clock) {
      c.clock = clock;
      return this;
    }

    /**
     * The runner; rule files are loaded now (bad ones are reported by {@link
     * AlertRunner#ruleErrors}).
     */
    public AlertRunner build() {
      if (c.openSearch == null) {
        throw new IllegalStateException("openSearch endpoint is required");
      }
      if (stdoutDefault) {
        c.defaultAlert.add(0, new Rule.AlerterSpec("stdout", Map.of()));
      }
      c.defaultAlert = List.copyOf(c.defaultAlert);
      c.ruleDirectories = List.copyOf(c.ruleDirectories);
      return new AlertRunner(c);
    }
  }
}
