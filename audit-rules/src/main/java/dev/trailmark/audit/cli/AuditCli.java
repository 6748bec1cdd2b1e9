package dev.trailmark.audit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.ActionNames;
import dev.trailmark.audit.internal.remediation.Plans;
import dev.trailmark.audit.internal.rules.RuleFileException;
import dev.trailmark.audit.internal.rules.RuleLoader;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.rules.Severity;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The offline audit tool ({@code ./trailmark audit ...}): {@code scan} applies the rules to
 * CloudTrail log files; {@code verify-digests} checks CloudTrail digest files. Nothing here calls
 * AWS: remediations are shown as what they would do (dry-run).
 *
 * <p>Exit codes: 0 fine; 1 usage error, bad rule file or missing path; 2 a finding at or above
 * {@code --fail-on} (also one read before a file's damage), or a digest that does not verify; 3
 * ({@code scan}, {@code evaluate}) some input was damaged or unreadable and no finding reached
 * {@code --fail-on}.
 */
public final class AuditCli {
  static final int OK = 0;
  static final int ERROR = 1;
  static final int FAILED = 2;
  static final int DAMAGED = 3;

  private static final String USAGE =
      String.join(
          "\n",
          "usage: trailmark audit scan [--rules DIR] [--format table|json] [--fail-on SEVERITY] PATH...",
          "       trailmark audit evaluate [--rules DIR] [--format table|json] [--fail-on SEVERITY] ITEM.json...",
          "       trailmark audit verify-digests --public-key FILE [--public-key FILE...] PATH",
          "       trailmark audit rules [--rules DIR] [--format table|json]",
          "       trailmark audit replay [--rules DIR] [--endpoint URL] [--stream NAME] PATH...",
          "  scan            apply the audit rules to CloudTrail log files ({\"Records\":[...]}, .json or",
          "                  .json.gz) or folders laid out as CloudTrail writes to S3",
          "  evaluate        apply the Config rules to AWS Config configuration items: an item, a Config",
          "                  rule invocation event, or the output of `aws configservice select-resource-config`",
          "                  (also get-resource-config-history, batch-get-resource-config); files or folders",
          "  --rules DIR     rule files to use instead of the built-in rules",
          "  --format        table (default) or json",
          "  --fail-on SEV   exit 2 when a finding of severity SEV or worse exists",
          "                  (info, low, medium, high, critical)",
          "  exit codes      0 clean; 1 usage error, bad rule file, missing path; 2 a finding at or",
          "                  above --fail-on (or a digest problem); 3 damaged or unreadable input (the",
          "                  records before the damage were still judged) and nothing reached --fail-on",
          "  verify-digests  check every digest file under PATH (the bucket root or any folder in it):",
          "                  log file hashes, the previous-digest chain and SHA256withRSA signatures",
          "  --public-key    a PEM public key, or the JSON of `aws cloudtrail list-public-keys`",
          "  rules           validate the rule files and list them; json adds the EventBridge pattern",
          "                  and the AWS Config rules a deployment needs",
          "  replay          scan PATH like the CloudTrail handler would and send each finding's dry-run",
          "                  audit record through Firehose (default: the local collector at",
          "                  http://127.0.0.1:4318, stream trailmark-audit-findings) into audit-findings-*");

  private AuditCli() {}

  /** Runs the tool and exits with its code. */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-audit-logback.xml");
    }
    if (Boolean.getBoolean(
        "trailmark.verbose")) { // ./trailmark --verbose audit ...: the SDK's detail too
      System.setProperty("trailmark.log.libraries", "DEBUG");
    }
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? ERROR : OK;
    }
    try {
      switch (args[0]) {
        case "scan":
          return scan(List.of(args).subList(1, args.length), out, err);
        case "evaluate":
          return judge(List.of(args).subList(1, args.length), true, out, err);
        case "replay":
          return Replay.run(List.of(args).subList(1, args.length), out, err);
        case "rules":
          return listRules(List.of(args).subList(1, args.length), out, err);
        case "verify-digests":
          return DigestVerifier.run(List.of(args).subList(1, args.length), out, err);
        default:
          err.println("unknown command '" + args[0] + "'\n" + USAGE);
          return ERROR;
      }
    } catch (UsageException e) {
      err.println(e.getMessage() + "\n" + USAGE);
      return ERROR;
    } catch (RuleFileException e) {
      err.println("bad rule file: " + e.getMessage());
      return ERROR;
    }
  }

  private static int scan(List<String> args, PrintStream out, PrintStream err) {
    return judge(args, false, out, err);
  }

  /**
   * {@code scan} (CloudTrail log files) and {@code evaluate} (Config items): the same options, the
   * same report and the same exit codes.
   */
  private static int judge(
      List<String> args, boolean configItems, PrintStream out, PrintStream err) {
    String command = configItems ? "evaluate" : "scan";
    long reportBytes = Scan.DEFAULT_REPORT_BYTES;
    Path rulesDir = null;
    String format = "table";
    Severity failOn = null;
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--rules":
          rulesDir = Path.of(value(args, ++i, a));
          break;
        case "--report-limit":
          // Undocumented on purpose: lets tests reach the bound without gigabytes of input.
          reportBytes = Long.parseLong(value(args, ++i, a));
          break;
        case "--format":
          format = value(args, ++i, a);
          if (!format.equals("table") && !format.equals("json")) {
            throw new UsageException("--format must be table or json, not '" + format + "'");
          }
          break;
        case "--fail-on":
          String sev = value(args, ++i, a);
          failOn = Severity.parse(sev);
          if (failOn == null) {
            throw new UsageException("--fail-on: '" + sev + "' is not a severity");
          }
          break;
        default:
          if (a.startsWith("--")) {
            throw new UsageException("unknown option " + a);
          }
          paths.add(Path.of(a));
      }
    }
    if (paths.isEmpty()) {
      throw new UsageException(
          command + " needs at least one " + (configItems ? "ITEM.json" : "PATH"));
    }
    RuleSet rules;
    try {
      rules = loadRules(rulesDir);
    } catch (IOException e) {
      err.println("cannot read rules: " + e.getMessage());
      return ERROR;
    }
    List<Path> files;
    try {
      files = configItems ? ConfigItems.expand(paths) : CloudTrailFiles.expand(paths);
    } catch (IOException e) {
      err.println(e.getMessage());
      return ERROR;
    }
    Scan scan =
        configItems
            ? Scan.evaluate(rules, files, reportBytes)
            : Scan.run(new RuleEngine(rules), files, reportBytes);
    for (String problem : scan.errors()) {
      err.println("damaged " + problem);
    }
    if (format.equals("json")) {
      printJson(scan, out);
    } else {
      printTable(scan, out, reportBytes);
    }
    return exitCode(scan, failOn);
  }

  /**
   * A finding at or above {@code --fail-on} wins (2), whether it came from an intact file or from
   * the records before a file's damage; otherwise damaged or unreadable input (3), so that a scan
   * that could not read everything never looks clean.
   */
  static int exitCode(Scan scan, Severity failOn) {
    if (failOn != null && scan.any(failOn)) {
      return FAILED;
    }
    return scan.damagedFiles() > 0 ? DAMAGED : OK;
  }

  /** The built-in rules, or those of {@code dir}. */
  static RuleSet loadRules(Path dir) throws IOException {
    RuleLoader loader = new RuleLoader(ActionNames.RESOURCE_TYPES);
    return dir == null ? loader.loadBuiltIn() : loader.loadDirectory(dir);
  }

  private static int listRules(List<String> args, PrintStream out, PrintStream err) {
    Path rulesDir = null;
    String format = "table";
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--rules")) {
        rulesDir = Path.of(value(args, ++i, "--rules"));
      } else if (args.get(i).equals("--format")) {
        format = value(args, ++i, "--format");
        if (!format.equals("table") && !format.equals("json")) {
          throw new UsageException("--format must be table or json, not '" + format + "'");
        }
      } else {
        throw new UsageException("unknown argument " + args.get(i));
      }
    }
    RuleSet rules;
    try {
      RuleLoader loader = new RuleLoader(ActionNames.RESOURCE_TYPES);
      rules = rulesDir == null ? loader.loadBuiltIn() : loader.loadDirectory(rulesDir);
    } catch (IOException e) {
      err.println("cannot read rules: " + e.getMessage());
      return ERROR;
    }
    if (format.equals("json")) {
      out.println(Json.write(Deployment.describe(rules)));
      return OK;
    }
    List<String[]> rows = new ArrayList<>();
    for (var rule : rules.rules()) {
      List<String> triggers = new ArrayList<>();
      if (rule.onConfigChange()) {
        triggers.add("config");
      }
      if (rule.periodic()) {
        triggers.add("periodic");
      }
      if (!rule.eventNames().isEmpty()) {
        triggers.add(String.join("/", new TreeSet<>(rule.eventNames())));
      }
      rows.add(
          new String[] {
            rule.id(),
            rule.severity().name(),
            rule.resourceType(),
            String.join(", ", triggers),
            rule.action() + (rule.dryRun() ? " (dry-run)" : "")
          });
    }
    String[] header = {"RULE", "SEVERITY", "RESOURCE TYPE", "TRIGGERS", "REMEDIATION"};
    int[] widths = widths(header, rows);
    out.println(line(header, widths));
    rows.forEach(r -> out.println(line(r, widths)));
    out.println(rows.size() + " rules, all valid");
    return OK;
  }

  private static int[] widths(String[] header, List<String[]> rows) {
    int[] widths = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      widths[i] = header[i].length();
      for (String[] row : rows) {
        widths[i] = Math.min(70, Math.max(widths[i], row[i].length()));
      }
    }
    return widths;
  }

  private static void printTable(Scan scan, PrintStream out, long reportBytes) {
    String[] header = {"SEVERITY", "RULE", "RESOURCE", "ACCOUNT/REGION", "EVENT", "TIME", "ACTOR"};
    List<String[]> rows = new ArrayList<>();
    for (Finding f : scan.findings()) {
      rows.add(
          new String[] {
            f.severity().name(),
            f.ruleId(),
            f.resourceId(),
            f.accountId() + "/" + f.region(),
            f.eventName(),
            nz(f.eventTime()),
            nz(f.actor())
          });
    }
    int[] widths = widths(header, rows);
    if (!rows.isEmpty()) {
      out.println(line(header, widths));
      for (String[] row : rows) {
        out.println(line(row, widths));
      }
      out.println();
      out.println("Remediation (dry-run: nothing was changed):");
      for (Finding f : scan.findings()) {
        out.println("  " + f.ruleId() + " " + f.resourceId() + ": would " + Plans.describe(f));
      }
      out.println();
    }
    out.println(summary(scan, reportBytes));
  }

  /** The one-line summary: records, files (damaged ones named as such), findings by severity. */
  static String summary(Scan scan, long reportBytes) {
    Map<Severity, Long> counts = scan.counts();
    StringBuilder summary = new StringBuilder();
    String noun =
        scan.events() == 1 ? scan.noun().substring(0, scan.noun().length() - 1) : scan.noun();
    summary
        .append(scan.events())
        .append(' ')
        .append(noun)
        .append(" in ")
        .append(scan.files())
        .append(scan.files() == 1 ? " file" : " files");
    if (scan.damagedFiles() > 0) {
      summary
          .append(" (")
          .append(scan.damagedFiles())
          .append(" damaged or unreadable: ")
          .append("records before the damage were read)");
    }
    summary.append(", ").append(scan.total()).append(scan.total() == 1 ? " finding" : " findings");
    if (!counts.isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (Severity s : Severity.values()) {
        if (counts.containsKey(s)) {
          parts.add(s.name().toLowerCase(Locale.ROOT) + ": " + counts.get(s));
        }
      }
      summary.append(" (").append(String.join(", ", parts)).append(")");
    }
    if (scan.duplicates() > 0) {
      summary.append(", ").append(scan.duplicates()).append(" duplicate deliveries ignored");
    }
    if (scan.notListed() > 0) {
      summary
          .append(", ")
          .append(scan.notListed())
          .append(" not listed (report limit ")
          .append(reportBytes >= (1 << 20) ? (reportBytes >> 20) + " MiB" : reportBytes + " bytes")
          .append(" of findings)");
    }
    return summary.toString();
  }

  private static void printJson(Scan scan, PrintStream out) {
    ObjectNode root = Json.object();
    root.put("files", scan.files());
    root.put("damagedFiles", scan.damagedFiles());
    root.put(scan.noun().equals("events") ? "events" : "items", scan.events());
    root.put("findingCount", scan.total());
    root.put("notListed", scan.notListed());
    root.put("duplicates", scan.duplicates());
    ArrayNode findings = root.putArray("findings");
    for (Finding f : scan.findings()) {
      ObjectNode node = Json.MAPPER.valueToTree(f);
      node.put("dryRun", true);
      node.put("remediation", Plans.describe(f));
      findings.add(node);
    }
    ArrayNode errors = root.putArray("errors");
    scan.errors().forEach(errors::add);
    out.println(Json.write(root));
  }

  private static String line(String[] cells, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c =
          cells[i].length() > widths[i] ? cells[i].substring(0, widths[i] - 1) + "~" : cells[i];
      b.append(c);
      if (i < cells.length - 1) {
        b.append(" ".repeat(widths[i] - c.length() + 2));
      }
    }
    return b.toString();
  }

  private static String nz(String s) {
    return s == null ? "-" : s;
  }

  static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new UsageException(option + " needs a value");
    }
    return args.get(i);
  }

  /** A command line the tool cannot act on. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
