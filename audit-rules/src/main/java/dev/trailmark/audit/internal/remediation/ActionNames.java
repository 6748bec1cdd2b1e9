package dev.trailmark.audit.internal.remediation;

import java.util.Map;
import java.util.Set;

/**
 * The remediation actions a rule file may name (besides {@code notify-only}) and what each acts on.
 */
public final class ActionNames {
  /** Each action and the one AWS Config resource type it can fix. */
  public static final Map<String, String> RESOURCE_TYPES =
      Map.ofEntries(
          Map.entry("apigateway-set-domain-security-policy", "AWS::ApiGateway::DomainName"),
          Map.entry("apigateway-disable-default-endpoint", "AWS::ApiGateway::RestApi"),
          Map.entry("apigateway-enable-stage-tracing", "AWS::ApiGateway::Stage"),
          Map.entry("apigateway-enable-stage-logging", "AWS::ApiGateway::Stage"),
          Map.entry("ec2-revoke-open-ingress", "AWS::EC2::SecurityGroup"),
          Map.entry("s3-put-public-access-block", "AWS::S3::Bucket"),
          Map.entry("s3-enable-default-encryption", "AWS::S3::Bucket"),
          Map.entry("cloudtrail-start-logging", "AWS::CloudTrail::Trail"),
          Map.entry("cloudtrail-restore-trail", "AWS::CloudTrail::Trail"),
          Map.entry("cloudtrail-enable-log-file-validation", "AWS::CloudTrail::Trail"),
          Map.entry("logs-set-retention", "AWS::Logs::LogGroup"),
          Map.entry("lambda-enable-active-tracing", "AWS::Lambda::Function"));

  /** Every action this module implements. */
  public static final Set<String> ALL = RESOURCE_TYPES.keySet();

  private ActionNames() {}
}
