package dev.trailmark.alerting.cli;

import dev.trailmark.alerting.AlertRunner;
import dev.trailmark.alerting.RuleFileException;
import dev.trailmark.alerting.internal.Durations;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./trailmark alerts run|test|silence|unsilence|list}: the alert runner for people. Exit
 * codes: 0 fine, 1 a rule failed or a rule file did not load, 2 bad usage.
 */
public final class AlertsCli {
  static final String USAGE =
      """
      usage: ./trailmark alerts COMMAND [OPTIONS]

        run [--once] [--tick 5s]        run the rules on their schedule (--once: one cycle, then exit)
        test RULE --from T [--to T]     print what RULE would have sent over stored data; sends nothing
                                        (T: 2026-12-01T10:00:00Z, or relative: -2h, -30m, now)
        silence RULE [--key K] --for D  send nothing for RULE (only key K) for D (30m, 1h, 2d)
        unsilence RULE [--key K]        lift that silence
        list                            each rule: type, last run, matches, notices, errors, firing keys

      options (environment variable in brackets):
        --opensearch URL     OpenSearch endpoint [TRAILMARK_OPENSEARCH] (http://127.0.0.1:9200)
        --index-prefix P     prefix of every index read and written [TRAILMARK_INDEX_PREFIX]
        --rules DIR          a directory of rule files, repeatable [TRAILMARK_ALERT_RULES]
                             (default $TRAILMARK_HOME/alert-rules when it exists)
        --no-builtin         leave out the shipped rules
        --webhook URL        rules without 'alert' also POST notices here [TRAILMARK_ALERT_WEBHOOK_URL]
        --slack URL          ... and to this Slack-compatible webhook [TRAILMARK_ALERT_SLACK_WEBHOOK_URL]
        --sns-topic ARN      ... and publish to this SNS topic [TRAILMARK_ALERT_SNS_TOPIC_ARN]
        --sns-endpoint URL   SNS endpoint instead of AWS's [TRAILMARK_SNS_ENDPOINT]
      Rule options and the shipped rules: alerting/README.md.
      """;

  private AlertsCli() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-alerting-logback.xml");
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    Map<String, String> env = System.getenv();
    String openSearch =
        env.getOrDefault(
            "TRAILMARK_OPENSEARCH",
            "http://127.0.0.1:" + env.getOrDefault("TRAILMARK_OPENSEARCH_PORT", "9200"));
    String prefix = env.getOrDefault("TRAILMARK_INDEX_PREFIX", "");
    List<Path> dirs = new ArrayList<>();
    if (env.get("TRAILMARK_ALERT_RULES") != null) {
      for (String d : env.get("TRAILMARK_ALERT_RULES").split(java.io.File.pathSeparator)) {
        dirs.add(Path.of(d));
      }
    }
    boolean builtIn = true;
    String webhook = env.get("TRAILMARK_ALERT_WEBHOOK_URL");
    String slack = env.get("TRAILMARK_ALERT_SLACK_WEBHOOK_URL");
    String sns = env.get("TRAILMARK_ALERT_SNS_TOPIC_ARN");
    String snsEndpoint = env.get("TRAILMARK_SNS_ENDPOINT");
    String key = null;
    String from = null;
    String to = "now";
    Duration duration = null;
    Duration tick = Duration.ofSeconds(5);
    boolean once = false;
    List<String> positional = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          case "--opensearch" -> openSearch = value(args, ++i, a);
          case "--index-prefix" -> prefix = value(args, ++i, a);
          case "--rules" -> dirs.add(Path.of(value(args, ++i, a)));
          case "--no-builtin" -> builtIn = false;
          case "--webhook" -> webhook = value(args, ++i, a);
          case "--slack" -> slack = value(args, ++i, a);
          case "--sns-topic" -> sns = value(args, ++i, a);
          case "--sns-endpoint" -> snsEndpoint = value(args, ++i, a);
          case "--key" -> key = value(args, ++i, a);
          case "--from" -> from = value(args, ++i, a);
          case "--to" -> to = value(args, ++i, a);
          case "--for" -> duration = duration(value(args, ++i, a), a);
          case "--tick" -> tick = duration(value(args, ++i, a), a);
          case "--once" -> once = true;
          default -> {
            if (a.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            positional.add(a);
          }
        }
      }
      if (dirs.isEmpty()) {
        Path home =
            Path.of(
                env.getOrDefault(
                    "TRAILMARK_HOME", System.getProperty("user.home") + "/.trailmark"));
        if (Files.isDirectory(home.resolve("alert-rules"))) {
          dirs.add(home.resolve("alert-rules"));
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("trailmark alerts: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    AlertRunner.Builder b =
        AlertRunner.builder()
            .openSearch(URI.create(openSearch))
            .indexPrefix(prefix)
            .builtInRules(builtIn)
            .stdout(true, out);
    dirs.forEach(b::rulesDirectory);
    if (webhook != null && !webhook.isBlank()) {
      b.webhook(webhook);
    }
    if (slack != null && !slack.isBlank()) {
      b.slackWebhook(slack);
    }
    if (sns != null && !sns.isBlank()) {
      b.snsTopic(sns);
    }
    if (snsEndpoint != null && !snsEndpoint.isBlank()) {
      b.snsEndpoint(URI.create(snsEndpoint));
    }
    try (AlertRunner runner = b.build()) {
      for (RuleFileException e : runner.ruleErrors()) {
        err.println("trailmark alerts: rule not loaded: " + e.getMessage());
      }
      int bad = runner.ruleErrors().isEmpty() ? 0 : 1;
      switch (command) {
        case "run" -> {
          if (once) {
            AlertRunner.CycleReport r = runner.runOnce();
            for (AlertRunner.RuleRun run : r.rules()) {
              out.println(
                  run.rule()
                      + ": "
                      + (run.error() != null
                          ? "ERROR " + run.error()
                          : run.matches() + " matches, " + run.notices().size() + " notices"));
              bad |= run.error() != null ? 1 : 0;
            }
            return bad;
          }
          Thread main = Thread.currentThread();
          Runtime.getRuntime()
              .addShutdownHook(
                  new Thread(
                      () -> {
                        try {
                          runner.close();
                          main.join(30_000);
                        } catch (Exception e) {
                          // exiting anyway
                        }
                      },
                      "trailmark-alerts-stop"));
          out.println(
              "alert runner: "
                  + runner.ruleNames().size()
                  + " rules over "
                  + openSearch
                  + (prefix.isEmpty() ? "" : " (index prefix " + prefix + ")")
                  + ", checking every "
                  + Durations.format(tick));
          runner.run(tick);
          return 0;
        }
        case "test" -> {
          String rule = single(positional, "test RULE --from T [--to T]");
          if (from == null) {
            throw new IllegalArgumentException("test needs --from");
          }
          Instant f = instant(from);
          Instant t = instant(to);
          if (!t.isAfter(f)) {
            throw new IllegalArgumentException("--to must be after --from");
          }
          List<String> notices = runner.test(rule, f, t);
          out.println(
              rule
                  + " over "
                  + f
                  + " .. "
                  + t
                  + ": "
                  + notices.size()
                  + " notices would have been sent"
                  + " (nothing was sent)");
          notices.forEach(out::println);
          return bad;
        }
        case "silence" -> {
          String rule = single(positional, "silence RULE [--key K] --for D");
          if (duration == null) {
            throw new IllegalArgumentException("silence needs --for, e.g. --for 1h");
          }
          Instant until = runner.silence(rule, key, duration);
          out.println("silenced " + rule + (key == null ? "" : " key " + key) + " until " + until);
          return 0;
        }
        case "unsilence" -> {
          String rule = single(positional, "unsilence RULE [--key K]");
          runner.unsilence(rule, key);
          out.println("silence lifted: " + rule + (key == null ? "" : " key " + key));
          return 0;
        }
        case "list", "status" -> {
          out.printf(
              "%-26s %-18s %-8s %-22s %8s %8s  %s%n",
              "rule", "type", "enabled", "last run", "matches", "notices", "firing / last error");
          for (AlertRunner.RuleStatus s : runner.status()) {
            String tail =
                s.lastError() != null
                    ? "ERROR " + s.lastError()
                    : s.firingKeys().isEmpty()
                        ? "-"
                        : "firing: " + String.join("; ", s.firingKeys());
            out.printf(
                "%-26s %-18s %-8s %-22s %8d %8d  %s%n",
                s.rule(),
                s.type(),
                s.enabled() ? "yes" : "no",
                s.lastRun() == null
                    ? "never"
                    : s.lastRun().toString().replaceFirst("\\.\\d+Z$", "Z"),
                s.lastMatches(),
                s.notices(),
                tail);
          }
          return bad;
        }
        default -> throw new IllegalArgumentException("unknown command '" + command + "'");
      }
    } catch (IllegalArgumentException e) {
      err.println("trailmark alerts: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println("trailmark alerts: " + e.getMessage());
      return 1;
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static Duration duration(String text, String option) {
    Duration d = Durations.parseShort(text);
    if (d == null || d.isZero()) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is not a duration like 30m, 1h, 2d");
    }
    return d;
  }

  private static String single(List<String> positional, String usage) {
    if (positional.size() != 1) {
      throw new IllegalArgumentException("usage: ./trailmark alerts " + usage);
    }
    return positional.get(0);
  }

  static Instant instant(String text) {
    if (text.equals("now")) {
      return Instant.now();
    }
    if (text.startsWith("-")) {
      Duration d = Durations.parseShort(text.substring(1));
      if (d == null) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a time like -2h or 2026-12-01T10:00:00Z");
      }
      return Instant.now().minus(d);
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a time like -2h or 2026-12-01T10:00:00Z");
    }
  }
}
