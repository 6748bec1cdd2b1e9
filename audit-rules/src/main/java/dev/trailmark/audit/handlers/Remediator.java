package dev.trailmark.audit.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.remediation.Plans;
import dev.trailmark.audit.internal.remediation.RemediationAction;
import dev.trailmark.audit.internal.remediation.RemediationActions;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.sink.AuditLog;
import dev.trailmark.audit.internal.sink.AuditLog.Decision;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Decides and applies one queued finding, in this order: account/region allow-list, current state
 * (gone: skip), exemption by resource id or by tag with an expiry date, still violating (no: skip,
 * which makes redelivery harmless), dry-run, hourly rate limit, then the change and the state after
 * it. Every outcome is one audit record carrying the state before the change.
 */
final class Remediator {
  private final AuditContext ctx;
  private final HourlyLimit limit;

  Remediator(AuditContext ctx) {
    this.ctx = ctx;
    int max = ctx.settings.maxRemediationsPerRulePerHour;
    this.limit =
        ctx.settings.auditBucket == null || ctx.settings.auditBucket.isBlank()
            ? new HourlyLimit.InMemory(max)
            : new HourlyLimit.InS3(
                ctx.aws.s3ForAudit(), ctx.settings.auditBucket, ctx.settings.auditPrefix, max);
  }

  /**
   * Processes a finding on its {@code attempt}-th receive. Throws when the change fails, after
   * recording FAILED if this was the last attempt.
   */
  Decision process(Finding queued, int attempt) {
    Instant now = ctx.clock.instant();
    Rule rule =
        ctx.rules
            .get(queued.ruleId())
            .orElseThrow(() -> new IllegalArgumentException("no rule " + queued.ruleId()));
    // The rule file decides what is done, not the message: a message cannot ask for another action.
    Finding f = queued.withRemediationOf(rule);
    boolean dryRun = ctx.settings.dryRunFor(rule.id(), rule.dryRun());
    Receipt receipt = new Receipt(ctx.auditLog, f, attempt, dryRun, now);
    if (!ctx.settings.allowed(f.accountId(), f.region())) {
      return receipt.record(
          Decision.SKIPPED_NOT_ALLOWED,
          "account " + f.accountId() + " / region " + f.region() + " is not on the allow-list",
          null,
          null);
    }
    RemediationAction action = RemediationActions.forName(f.action()).orElse(null);
    if (action == null) {
      return receipt.record(Decision.NOTIFIED, "rule is notify-only", null, null);
    }
    JsonNode before = null;
    try {
      before = action.read(f, ctx.aws);
      if (before == null) {
        return receipt.record(Decision.SKIPPED_GONE, "the resource no longer exists", null, null);
      }
      Exemption exemption = exemption(rule, f, before, now);
      if (exemption != null && exemption.exempt()) {
        return receipt.record(Decision.SKIPPED_EXEMPT, exemption.reason(), before, null);
      }
      String expiredNote = exemption == null ? "" : " (" + exemption.reason() + ")";
      if (!action.violates(before, f)) {
        return receipt.record(
            Decision.SKIPPED_COMPLIANT, "already compliant" + expiredNote, before, null);
      }
      if (dryRun) {
        return receipt.record(
            Decision.SKIPPED_DRY_RUN,
            "dry-run: would " + Plans.describe(f) + expiredNote,
            before,
            null);
      }
      if (!limit.tryAcquire(rule.id(), f.findingId(), now)) {
        return receipt.record(
            Decision.SKIPPED_RATE_LIMITED,
            "the limit of "
                + ctx.settings.maxRemediationsPerRulePerHour
                + " remediations of "
                + rule.id()
                + " in any hour is reached",
            before,
            null);
      }
      action.apply(before, f, ctx.aws);
      JsonNode after = action.read(f, ctx.aws);
      return receipt.record(Decision.REMEDIATED, "remediated" + expiredNote, before, after);
    } catch (RuntimeException e) {
      if (attempt >= ctx.settings.maxAttempts) {
        receipt.record(
            Decision.FAILED,
            "attempt "
                + attempt
                + " of "
                + ctx.settings.maxAttempts
                + " failed, giving up to the dead-letter queue: "
                + describe(e),
            before,
            null);
      }
      throw e;
    }
  }

  /**
   * Writes the audit records of one receive of one finding, which share the finding, the attempt,
   * the dry-run setting and the time.
   */
  private record Receipt(AuditLog log, Finding f, int attempt, boolean dryRun, Instant now) {
    /** Writes the record of decision {@code d} and returns {@code d}. */
    Decision record(Decision d, String reason, JsonNode before, JsonNode after) {
      log.write(AuditLog.record(f, d, reason, before, after, attempt, dryRun, now));
      return d;
    }
  }

  /** The AWS error code and message when there is one: what an operator searches for. */
  static String describe(RuntimeException e) {
    if (e instanceof AwsServiceException) {
      var details = ((AwsServiceException) e).awsErrorDetails();
      if (details != null && details.errorCode() != null) {
        return details.errorCode() + ": " + details.errorMessage();
      }
    }
    return e.toString();
  }

  /** An exemption that applies, or one that no longer does (expired, or unreadable), and why. */
  record Exemption(boolean exempt, String reason) {}

  /** Null when no exemption names the resource. */
  static Exemption exemption(Rule rule, Finding f, JsonNode state, Instant now) {
    if (rule.exemptResourceIds().contains(f.resourceId())) {
      return new Exemption(true, "resource " + f.resourceId() + " is exempt by the rule file");
    }
    String value = null;
    JsonNode tags = state.path("tags");
    for (Map.Entry<String, JsonNode> e : tags.properties()) {
      if (e.getKey().equals(rule.exemptionTag())) {
        value = e.getValue().asText();
      }
    }
    if (value == null && f.tags() != null) {
      value = f.tags().get(rule.exemptionTag());
    }
    if (value == null) {
      return null;
    }
    Instant until;
    try {
      until =
          value.length() == 10
              ? LocalDate.parse(value).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)
              : OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      return new Exemption(
          false,
          "tag " + rule.exemptionTag() + "=" + value + " is not a date, so it exempts nothing");
    }
    if (now.isBefore(until)) {
      return new Exemption(true, "exempt until " + value + " by tag " + rule.exemptionTag());
    }
    return new Exemption(
        false, "exemption expired: tag " + rule.exemptionTag() + "=" + value + " has passed");
  }
}
