package dev.trailmark.audit.handlers;

import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.ActionNames;
import dev.trailmark.audit.internal.remediation.RemediationClients;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.RuleLoader;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.sink.AuditLog;
import dev.trailmark.audit.internal.sink.Notifier;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** What every handler shares: settings, rules, AWS clients, the notifier and the audit log. */
final class AuditContext {
  private static final Logger log = LoggerFactory.getLogger(AuditContext.class);

  final Settings settings;
  final RuleSet rules;
  final RuleEngine engine;
  final RemediationClients aws;
  final Notifier notifier;
  final AuditLog auditLog;
  final Clock clock;

  AuditContext(Settings settings, RuleSet rules, RemediationClients aws, Clock clock) {
    this.settings = settings;
    this.rules = rules;
    this.engine = new RuleEngine(rules);
    this.aws = aws;
    this.clock = clock;
    this.notifier =
        settings.topicArn == null || settings.topicArn.isBlank()
            ? null
            : new Notifier(aws.sns(), settings.topicArn);
    this.auditLog =
        new AuditLog(
            aws.s3ForAudit(),
            settings.auditBucket,
            settings.auditPrefix,
            aws.firehose(),
            settings.auditStream);
  }

  /**
   * The context of a Lambda function: everything from the environment; bad rules fail the cold
   * start.
   */
  static AuditContext fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static AuditContext fromEnvironment(Map<String, String> env) {
    Settings settings = Settings.fromEnvironment(env);
    RuleLoader loader = new RuleLoader(ActionNames.RESOURCE_TYPES);
    RuleSet rules;
    try {
      rules =
          settings.rulesDir == null || settings.rulesDir.isBlank()
              ? loader.loadBuiltIn()
              : loader.loadDirectory(Path.of(settings.rulesDir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new AuditContext(
        settings, rules, RemediationClients.fromEnvironment(env), Clock.systemUTC());
  }

  /**
   * Notifies and queues a finding; notify-only findings are recorded as notified instead of queued.
   * Throws when SNS or SQS refuse, so the trigger is retried.
   */
  void dispatch(Finding f) {
    Rule rule = rules.get(f.ruleId()).orElseThrow();
    boolean dryRun = settings.dryRunFor(rule.id(), rule.dryRun());
    if (notifier != null) {
      notifier.publish(f, dryRun);
    }
    if (Rule.NOTIFY_ONLY.equals(f.action())) {
      auditLog.write(
          AuditLog.record(
              f,
              AuditLog.Decision.NOTIFIED,
              f.resourceUnknown() ? "resource id not found in the event" : "rule is notify-only",
              null,
              null,
              0,
              dryRun,
              clock.instant()));
      return;
    }
    if (settings.queueUrl == null || settings.queueUrl.isBlank()) {
      log.warn("no TRAILMARK_QUEUE_URL: finding {} of {} not queued", f.findingId(), f.ruleId());
      return;
    }
    aws.sqs()
        .sendMessage(
            r ->
                r.queueUrl(settings.queueUrl)
                    .messageBody(Json.write(f))
                    .messageAttributes(
                        Map.of(
                            "ruleId",
                            MessageAttributeValue.builder()
                                .dataType("String")
                                .stringValue(f.ruleId())
                                .build())));
  }
}
