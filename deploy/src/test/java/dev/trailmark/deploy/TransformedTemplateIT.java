package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What CloudFormation receives after the SAM transform: every function's settings and its trigger
 * wired to it.
 */
class TransformedTemplateIT {

  private static final Set<String> FUNCTIONS =
      Set.of(
          "LogsSubscriptionFunction",
          "FirehoseTransformFunction",
          "CloudTrailEventFunction",
          "ConfigRuleFunction",
          "RemediationWorkerFunction",
          "AlertRunnerFunction");

  @Test
  void everyFunctionRunsJava21WithActiveTracingAndSnapStart() {
    Map<String, JsonNode> functions = Tools.ofType("AWS::Lambda::Function");
    assertThat(functions.keySet()).containsExactlyInAnyOrderElementsOf(FUNCTIONS);
    functions.forEach(
        (id, f) -> {
          JsonNode p = f.path("Properties");
          assertThat(p.path("Runtime").asText()).as(id).isEqualTo("java21");
          assertThat(p.path("TracingConfig").path("Mode").asText()).as(id).isEqualTo("Active");
          assertThat(p.path("SnapStart").path("ApplyOn").asText())
              .as(id)
              .isEqualTo("PublishedVersions");
          assertThat(p.path("MemorySize").asInt()).as(id).isBetween(512, 2048);
          assertThat(p.path("Timeout").asInt()).as(id).isBetween(30, 300);
          assertThat(Tools.resources().has(id + "Aliaslive")).as(id + " alias").isTrue();
        });
  }

  @Test
  void subscriptionFilterInvokesTheLogsFunctionAlias() {
    JsonNode filter = Tools.resources().path("LambdaSubscriptionFilter").path("Properties");
    assertThat(filter.path("DestinationArn").path("Ref").asText())
        .isEqualTo("LogsSubscriptionFunctionAliaslive");
    JsonNode permission = Tools.resources().path("LogsSubscriptionPermission").path("Properties");
    assertThat(permission.path("Principal").asText()).isEqualTo("logs.amazonaws.com");
    assertThat(permission.path("FunctionName").path("Ref").asText())
        .isEqualTo("LogsSubscriptionFunctionAliaslive");
    JsonNode viaFirehose = Tools.resources().path("FirehoseSubscriptionFilter").path("Properties");
    assertThat(viaFirehose.path("DestinationArn").path("Fn::GetAtt").get(0).asText())
        .isEqualTo("CloudWatchLogsDeliveryStream");
    JsonNode transform =
        Tools.resources()
            .path("CloudWatchLogsDeliveryStream")
            .path("Properties")
            .path("AmazonopensearchserviceDestinationConfiguration");
    assertThat(
            transform
                .path("ProcessingConfiguration")
                .path("Processors")
                .get(0)
                .path("Parameters")
                .get(0)
                .path("ParameterValue")
                .path("Ref")
                .asText())
        .isEqualTo("FirehoseTransformFunctionAliaslive");
    assertThat(transform.path("S3BackupMode").asText()).isEqualTo("FailedDocumentsOnly");
  }

  @Test
  void eventBridgeRuleInvokesTheCloudTrailFunctionWithADeadLetterQueue() {
    JsonNode target = ruleTargeting("CloudTrailEventFunctionAliaslive");
    assertThat(target.path("DeadLetterConfig").path("Arn").path("Fn::GetAtt").get(0).asText())
        .isEqualTo("CloudTrailEventFunctionCloudTrailApiCallsQueue");
    assertThat(target.path("RetryPolicy").path("MaximumRetryAttempts").asInt()).isPositive();
    assertThat(
            Tools.resources()
                .path("CloudTrailEventFunctionCloudTrailApiCallsQueuePolicy")
                .isObject())
        .isTrue();
  }

  @Test
  void queueFeedsTheWorkerWithBatchItemFailuresAndRedrivesAfterItsAttempts() {
    Map<String, JsonNode> mappings = Tools.ofType("AWS::Lambda::EventSourceMapping");
    assertThat(mappings).hasSize(1);
    JsonNode m = mappings.values().iterator().next().path("Properties");
    assertThat(m.path("FunctionName").path("Ref").asText())
        .isEqualTo("RemediationWorkerFunctionAliaslive");
    assertThat(m.path("EventSourceArn").path("Fn::GetAtt").get(0).asText())
        .isEqualTo("RemediationQueue");
    assertThat(m.path("FunctionResponseTypes").toString()).contains("ReportBatchItemFailures");
    JsonNode queue = Tools.resources().path("RemediationQueue").path("Properties");
    String attempts =
        Tools.resources()
            .path("RemediationWorkerFunction")
            .path("Properties")
            .path("Environment")
            .path("Variables")
            .path("TRAILMARK_MAX_ATTEMPTS")
            .asText();
    assertThat(queue.path("RedrivePolicy").path("maxReceiveCount").asText()).isEqualTo(attempts);
    assertThat(
            queue
                .path("RedrivePolicy")
                .path("deadLetterTargetArn")
                .path("Fn::GetAtt")
                .get(0)
                .asText())
        .isEqualTo("RemediationDeadLetterQueue");
    int workerTimeout =
        Tools.resources()
            .path("RemediationWorkerFunction")
            .path("Properties")
            .path("Timeout")
            .asInt();
    assertThat(queue.path("VisibilityTimeout").asInt()).isGreaterThanOrEqualTo(6 * workerTimeout);
  }

  @Test
  void configMayInvokeTheConfigFunctionAndEveryRuleUsesIt() {
    JsonNode permission = Tools.resources().path("ConfigRulePermission").path("Properties");
    assertThat(permission.path("Principal").asText()).isEqualTo("config.amazonaws.com");
    assertThat(permission.path("FunctionName").path("Ref").asText())
        .isEqualTo("ConfigRuleFunctionAliaslive");
    Map<String, JsonNode> rules = Tools.ofType("AWS::Config::ConfigRule");
    assertThat(rules).isNotEmpty();
    rules.forEach(
        (id, r) -> {
          assertThat(
                  r.path("Properties").path("Source").path("SourceIdentifier").path("Ref").asText())
              .as(id)
              .isEqualTo("ConfigRuleFunctionAliaslive");
          assertThat(r.path("DependsOn").toString()).as(id).contains("ConfigRulePermission");
        });
  }

  @Test
  void scheduleRunsTheAlertRunner() {
    Map<String, JsonNode> rules =
        Tools.ofType("AWS::Events::Rule").entrySet().stream()
            .filter(e -> e.getValue().path("Properties").has("ScheduleExpression"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(rules).hasSize(1);
    JsonNode rule = rules.values().iterator().next().path("Properties");
    assertThat(rule.path("Targets").get(0).path("Arn").path("Ref").asText())
        .isEqualTo("AlertRunnerFunctionAliaslive");
    assertThat(
            Tools.ofType("AWS::Lambda::Permission").values().stream()
                .anyMatch(
                    p ->
                        p.path("Properties")
                                .path("Principal")
                                .asText()
                                .equals("events.amazonaws.com")
                            && p.path("Properties")
                                .path("FunctionName")
                                .path("Ref")
                                .asText()
                                .equals("AlertRunnerFunctionAliaslive")))
        .isTrue();
    JsonNode env =
        Tools.resources()
            .path("AlertRunnerFunction")
            .path("Properties")
            .path("Environment")
            .path("Variables");
    assertThat(env.has("OPENSEARCH_ENDPOINT")).isTrue();
    assertThat(env.has("INDEX_PREFIX")).isTrue();
    assertThat(env.has("SNS_TOPIC_ARN")).isTrue();
    assertThat(env.has("ALERT_RULES_S3")).isTrue();
  }

  @Test
  void auditBucketIsEncryptedVersionedPrivateAndTlsOnly() {
    JsonNode bucket = Tools.resources().path("AuditBucket").path("Properties");
    assertThat(bucket.path("BucketEncryption").toString()).contains("AES256");
    assertThat(bucket.path("VersioningConfiguration").path("Status").asText()).isEqualTo("Enabled");
    JsonNode block = bucket.path("PublicAccessBlockConfiguration");
    for (String k :
        new String[] {
          "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"
        }) {
      assertThat(block.path(k).asBoolean()).as(k).isTrue();
    }
    JsonNode deny =
        Tools.resources()
            .path("AuditBucketPolicy")
            .path("Properties")
            .path("PolicyDocument")
            .path("Statement")
            .get(0);
    assertThat(deny.path("Effect").asText()).isEqualTo("Deny");
    assertThat(deny.path("Condition").path("Bool").path("aws:SecureTransport").asText())
        .isEqualTo("false");
  }

  @Test
  void createdDomainIsEncryptedTls12AndFineGrained() {
    JsonNode domain = Tools.resources().path("OpenSearchDomain").path("Properties");
    assertThat(domain.path("EncryptionAtRestOptions").path("Enabled").asBoolean()).isTrue();
    assertThat(domain.path("NodeToNodeEncryptionOptions").path("Enabled").asBoolean()).isTrue();
    assertThat(domain.path("DomainEndpointOptions").path("EnforceHTTPS").asBoolean()).isTrue();
    assertThat(domain.path("DomainEndpointOptions").path("TLSSecurityPolicy").asText())
        .startsWith("Policy-Min-TLS-1-2");
    assertThat(domain.path("AdvancedSecurityOptions").path("Enabled").asBoolean()).isTrue();
    assertThat(Tools.resources().path("OpenSearchDomain").path("Condition").asText())
        .isEqualTo("CreateDomain");
  }

  @Test
  void alarmsNotifyTheTopic() {
    Map<String, JsonNode> alarms = Tools.ofType("AWS::CloudWatch::Alarm");
    Set<String> metrics =
        alarms.values().stream()
            .map(a -> a.path("Properties").path("MetricName").asText())
            .collect(Collectors.toSet());
    assertThat(metrics)
        .contains(
            "ApproximateNumberOfMessagesVisible",
            "Errors",
            "Throttles",
            "DeliveryToAmazonOpenSearchService.Success");
    alarms.forEach(
        (id, a) ->
            assertThat(a.path("Properties").path("AlarmActions").get(0).path("Ref").asText())
                .as(id)
                .isEqualTo("NoticesTopic"));
    for (String f : FUNCTIONS) {
      for (String metric : new String[] {"Errors", "Throttles"}) {
        assertThat(
                alarms.values().stream()
                    .anyMatch(
                        a ->
                            a.path("Properties").path("MetricName").asText().equals(metric)
                                && a.path("Properties")
                                    .path("Dimensions")
                                    .get(0)
                                    .path("Value")
                                    .path("Ref")
                                    .asText()
                                    .equals(f)))
            .as(metric + " alarm of " + f)
            .isTrue();
      }
    }
  }

  private static JsonNode ruleTargeting(String alias) {
    for (JsonNode rule : Tools.ofType("AWS::Events::Rule").values()) {
      for (JsonNode target : rule.path("Properties").path("Targets")) {
        if (alias.equals(target.path("Arn").path("Ref").asText())) {
          return target;
        }
      }
    }
    throw new AssertionError("no EventBridge rule targets " + alias);
  }
}
