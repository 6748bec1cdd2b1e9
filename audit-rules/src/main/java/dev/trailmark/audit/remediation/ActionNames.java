package dev.trailmark.audit.remediation;

import java.util.Set;

/** The remediation action names a rule file may use (besides {@code notify-only}). */
public final class ActionNames {
  /** Every action this module implements. */
  public static final Set<String> ALL = Set.of(
      "apigateway-set-domain-security-policy",
      "apigateway-disable-default-endpoint",
      "apigateway-enable-stage-tracing",
      "apigateway-enable-stage-logging",
      "ec2-revoke-open-ingress",
      "s3-put-public-access-block",
      "s3-enable-default-encryption",
      "cloudtrail-start-logging",
      "cloudtrail-restore-trail",
      "cloudtrail-enable-log-file-validation",
      "logs-set-retention",
      "lambda-enable-active-tracing");

  private ActionNames() {}
}
