package dev.trailmark.audit.internal.remediation;

import dev.trailmark.audit.internal.engine.Finding;
import java.util.Map;

/**
 * Describes, in words, what a finding's remediation does: the dry-run text and the audit summary.
 */
public final class Plans {
  private Plans() {}

  /** What the remediation would change for this finding, in one sentence. */
  public static String describe(Finding f) {
    String id = f.resourceId();
    if (f.resourceUnknown()) {
      return "notify only: the record names no resource id the rule can read, so nothing can be changed";
    }
    Map<String, Object> p = f.params() == null ? Map.of() : f.params();
    switch (f.action()) {
      case "apigateway-set-domain-security-policy":
        return "set securityPolicy of custom domain "
            + id
            + " to "
            + p.getOrDefault("securityPolicy", "TLS_1_2");
      case "apigateway-disable-default-endpoint":
        return "disable the execute-api endpoint of REST API "
            + id
            + " (if a custom domain maps it) and redeploy its stages";
      case "apigateway-enable-stage-tracing":
        return "enable X-Ray tracing on stage " + id;
      case "apigateway-enable-stage-logging":
        return "set execution logging of every method of stage "
            + id
            + " to "
            + p.getOrDefault("loggingLevel", "ERROR");
      case "ec2-revoke-open-ingress":
        return "revoke only the ingress permissions of "
            + id
            + " that open 22, 3389 or all ports to the whole internet (any /0 range)";
      case "s3-put-public-access-block":
        return "put a full public access block (all four settings true) on bucket " + id;
      case "s3-enable-default-encryption":
        return "enable default encryption ("
            + p.getOrDefault("algorithm", "AES256")
            + ") on bucket "
            + id;
      case "cloudtrail-start-logging":
        return "start logging again on trail " + id;
      case "cloudtrail-restore-trail":
        return "recreate trail "
            + id
            + " from its last configuration recorded by AWS Config and start logging";
      case "cloudtrail-enable-log-file-validation":
        return "enable log file validation on trail " + id;
      case "logs-set-retention":
        return "set retention of log group "
            + id
            + " to "
            + p.getOrDefault("retentionInDays", 90)
            + " days";
      case "lambda-enable-active-tracing":
        return "set tracing mode of function " + id + " to Active";
      case "notify-only":
        return "notify the owner only; change nothing";
      default:
        return "unknown action " + f.action();
    }
  }
}
