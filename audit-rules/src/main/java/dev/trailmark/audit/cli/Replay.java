package dev.trailmark.audit.cli;

import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.Plans;
import dev.trailmark.audit.internal.remediation.RemediationClients;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.sink.AuditLog;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code audit replay}: what the CloudTrail handler would record for these log files, without an
 * account: every finding becomes a dry-run audit record sent through Firehose, by default to the
 * local collector, so findings show up in OpenSearch's {@code audit-findings-*} like the cloud's.
 */
final class Replay {
  static final String DEFAULT_ENDPOINT = "http://127.0.0.1:4318";

  private Replay() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    Path rulesDir = null;
    String endpoint = DEFAULT_ENDPOINT;
    String stream = "trailmark-audit-findings";
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--rules" -> rulesDir = Path.of(AuditCli.value(args, ++i, a));
        case "--endpoint" -> endpoint = AuditCli.value(args, ++i, a);
        case "--stream" -> stream = AuditCli.value(args, ++i, a);
        default -> {
          if (a.startsWith("--")) {
            throw new AuditCli.UsageException("unknown option " + a);
          }
          paths.add(Path.of(a));
        }
      }
    }
    if (paths.isEmpty()) {
      throw new AuditCli.UsageException("replay needs at least one PATH");
    }
    RuleSet rules;
    List<Path> files;
    try {
      rules = AuditCli.loadRules(rulesDir);
      files = CloudTrailFiles.expand(paths);
    } catch (IOException e) {
      err.println(e.getMessage());
      return AuditCli.ERROR;
    }
    Scan scan = Scan.run(new RuleEngine(rules), files, Scan.DEFAULT_REPORT_BYTES);
    scan.errors().forEach(e -> err.println("damaged " + e));
    // The local stack's credentials unless the environment names others.
    var credentials =
        System.getenv("AWS_ACCESS_KEY_ID") == null
            ? StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark"))
            : DefaultCredentialsProvider.builder().build();
    int sent = 0;
    int refused = 0;
    try (RemediationClients aws =
        RemediationClients.builder()
            .credentials(credentials)
            .serviceEndpoint("firehose", URI.create(endpoint))
            .build()) {
      AuditLog log = new AuditLog(null, null, null, aws.firehose(), stream);
      for (Finding f : scan.findings()) {
        boolean ok =
            log.write(
                AuditLog.record(
                    f,
                    AuditLog.Decision.SKIPPED_DRY_RUN,
                    "dry-run (offline replay): would " + Plans.describe(f),
                    null,
                    null,
                    0,
                    true,
                    Instant.now()));
        if (ok) {
          sent++;
        } else {
          refused++;
        }
      }
    }
    out.println(
        AuditCli.summary(scan, Scan.DEFAULT_REPORT_BYTES)
            + "; "
            + sent
            + " audit records sent to "
            + stream
            + " at "
            + endpoint
            + (refused > 0 ? ", " + refused + " refused" : ""));
    if (refused > 0) {
      return AuditCli.ERROR;
    }
    return scan.damagedFiles() > 0 ? AuditCli.DAMAGED : AuditCli.OK;
  }
}
