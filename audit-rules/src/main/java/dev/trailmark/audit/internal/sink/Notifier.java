package dev.trailmark.audit.internal.sink;

import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.remediation.Plans;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.sns.SnsMessages;
import java.util.Map;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Publishes one SNS message per finding: a short subject, a readable body for email and SMS
 * subscribers, and the finding as JSON for SQS, Lambda and HTTP subscribers (SNS message structure
 * {@code json} delivers each protocol its own body). {@code severity} and {@code ruleId} are
 * message attributes, so subscriptions can filter.
 */
public final class Notifier {

  private final SnsClient sns;
  private final String topicArn;

  /** A notifier for one topic. */
  public Notifier(SnsClient sns, String topicArn) {
    this.sns = sns;
    this.topicArn = topicArn;
  }

  /** Publishes the notice of one finding; throws when SNS refuses, so the trigger is retried. */
  public void publish(Finding f, boolean dryRun) {
    SnsMessages.publish(
        sns,
        topicArn,
        subject(f),
        body(f, dryRun),
        Json.write(f),
        Map.of("severity", f.severity().name(), "ruleId", f.ruleId()));
  }

  /** At most 100 printable ASCII characters, as SNS requires. */
  static String subject(Finding f) {
    return SnsMessages.subject("[" + f.severity() + "] " + f.title() + ": " + f.resourceId());
  }

  static String body(Finding f, boolean dryRun) {
    StringBuilder b = new StringBuilder();
    b.append(f.title()).append("\n\n");
    b.append("Rule:      ").append(f.ruleId()).append(" (").append(f.severity()).append(")\n");
    b.append("Resource:  ")
        .append(f.resourceType())
        .append(" ")
        .append(f.resourceId())
        .append("\n");
    b.append("Account:   ").append(f.accountId()).append(" in ").append(f.region()).append("\n");
    if (f.eventName() != null) {
      b.append("Trigger:   ")
          .append(f.eventName())
          .append(" at ")
          .append(f.eventTime())
          .append("\n");
    }
    if (f.actor() != null) {
      b.append("Changed by: ").append(f.actor()).append("\n");
    }
    b.append("\nRemediation")
        .append(dryRun ? " (dry-run, nothing will change)" : "")
        .append(": ")
        .append(Plans.describe(f))
        .append("\n");
    b.append("\nFinding id: ").append(f.findingId()).append("\n");
    return b.toString();
  }
}
