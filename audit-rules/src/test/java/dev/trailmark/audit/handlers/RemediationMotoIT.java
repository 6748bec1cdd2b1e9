package dev.trailmark.audit.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.remediation.ActionNames;
import dev.trailmark.audit.internal.remediation.RemediationClients;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.RuleLoader;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.sink.AuditLog.Decision;
import dev.trailmark.audit.internal.sink.Notifier;
import dev.trailmark.collector.testing.MotoServer;
import dev.trailmark.common.json.Json;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.GetStageResponse;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Each remediation the worker makes, against moto_server (an AWS emulator started by this test on a
 * free port): the resource is set up in its violating state through the SDK, the worker's {@link
 * Remediator} fixes it (read, still violating?, change, read again), the resource is read back
 * through the SDK, and a second run finds it compliant and changes nothing. API Gateway {@code
 * UpdateDomainName} and Lambda {@code TracingConfig} updates are not emulated by moto 5.2.1; those
 * two stay covered by the wire-level {@code RemediationActionsTest}.
 */
class RemediationMotoIT {
  private static final RuleSet RULES = new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn();
  private static final String ACCOUNT = "123456789012";
  private static final String AUDIT_BUCKET = "trailmark-audit-" + ACCOUNT;
  private static MotoServer moto;
  private static RemediationClients aws;
  private static Remediator remediator;
  private static Ec2Client ec2;
  private static S3Client s3;
  private static CloudTrailClient cloudTrail;
  private static ApiGatewayClient apiGateway;
  private static CloudWatchLogsClient logs;
  private static SnsClient sns;
  private static SqsClient sqs;
  private int attempt;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    var credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark"));
    aws =
        RemediationClients.builder()
            .region(Region.US_EAST_1)
            .credentials(credentials)
            .endpoint(moto.endpoint())
            .build();
    ec2 = sdk(Ec2Client.builder());
    s3 = sdk(S3Client.builder().forcePathStyle(true));
    cloudTrail = sdk(CloudTrailClient.builder());
    apiGateway = sdk(ApiGatewayClient.builder());
    logs = sdk(CloudWatchLogsClient.builder());
    sns = sdk(SnsClient.builder());
    sqs = sdk(SqsClient.builder());
    s3.createBucket(b -> b.bucket(AUDIT_BUCKET));
    // Remediation on (no dry-run), audit records into the emulated S3 bucket (which also holds the
    // hourly rate-limit markers), no Firehose stream.
    Settings settings =
        Settings.builder()
            .dryRun(false)
            .auditBucket(AUDIT_BUCKET)
            .auditStream("")
            .maxRemediationsPerRulePerHour(100)
            .build();
    remediator = new Remediator(new AuditContext(settings, RULES, aws, Clock.systemUTC()));
  }

  private static <B extends AwsClientBuilder<B, C>, C> C sdk(B builder) {
    return builder
        .region(Region.US_EAST_1)
        .endpointOverride(moto.endpoint())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark")))
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c :
        new AutoCloseable[] {aws, ec2, s3, cloudTrail, apiGateway, logs, sns, sqs}) {
      if (c != null) {
        c.close();
      }
    }
    if (moto != null) {
      moto.close();
    }
  }

  @BeforeEach
  void firstAttempt() {
    attempt = 1;
  }

  /** A finding of {@code ruleId} on {@code resourceId}, as the CloudTrail handler queues it. */
  private static Finding finding(String ruleId, String resourceId) {
    Rule rule = RULES.get(ruleId).orElseThrow();
    var event = Json.object();
    event.put("eventID", "moto-" + ruleId + "-" + resourceId);
    event.put(
        "eventName",
        rule.eventNames().isEmpty()
            ? "ConfigurationItemChangeNotification"
            : new TreeSet<>(rule.eventNames()).first());
    event.put("eventTime", "2026-11-20T10:14:00Z");
    event.put("awsRegion", "us-east-1");
    event.put("recipientAccountId", ACCOUNT);
    return Finding.fromEvent(rule, event, resourceId, "moto");
  }

  /** Runs the worker twice: the first run remediates, the second finds nothing left to do. */
  private void remediatedThenNoOp(Finding f) {
    assertThat(remediator.process(f, attempt)).isEqualTo(Decision.REMEDIATED);
    assertThat(remediator.process(f, attempt)).isEqualTo(Decision.SKIPPED_COMPLIANT);
  }

  @Test
  void securityGroupLosesOnlyThePermissionsOpenToTheInternet() {
    String group =
        ec2.createSecurityGroup(
                b -> b.groupName("web-" + System.nanoTime()).description("web tier"))
            .groupId();
    ec2.authorizeSecurityGroupIngress(
        b ->
            b.groupId(group)
                .ipPermissions(
                    IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(22)
                        .toPort(22)
                        .ipRanges(r -> r.cidrIp("0.0.0.0/0"), r -> r.cidrIp("10.0.0.0/8"))
                        .build(),
                    IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(3389)
                        .toPort(3389)
                        .ipv6Ranges(r -> r.cidrIpv6("::/0"))
                        .build(),
                    // A /0 written with host bits (as `--cidr 208.236.235.254/0` stores it) is the
                    // internet too.
                    IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(22)
                        .toPort(22)
                        .ipRanges(r -> r.cidrIp("208.236.235.254/0"))
                        .build(),
                    IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(443)
                        .toPort(443)
                        .ipRanges(r -> r.cidrIp("0.0.0.0/0"))
                        .build()));

    remediatedThenNoOp(finding("ec2-sg-open-admin-ports", group));

    var left = ec2.describeSecurityGroups(b -> b.groupIds(group)).securityGroups().get(0);
    Set<String> ingress =
        left.ipPermissions().stream()
            .flatMap(
                p ->
                    java.util.stream.Stream.concat(
                        p.ipRanges().stream().map(r -> p.fromPort() + " " + r.cidrIp()),
                        p.ipv6Ranges().stream().map(r -> p.fromPort() + " " + r.cidrIpv6())))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(ingress).containsExactly("22 10.0.0.0/8", "443 0.0.0.0/0");
    assertThat(left.ipPermissionsEgress()).as("egress untouched").isNotEmpty();
  }

  @Test
  void bucketGetsAFullPublicAccessBlockAndDefaultEncryption() {
    String bucket = "orders-exports-" + System.nanoTime();
    s3.createBucket(b -> b.bucket(bucket));

    remediatedThenNoOp(finding("s3-public-access-block", bucket));
    PublicAccessBlockConfiguration block =
        s3.getPublicAccessBlock(b -> b.bucket(bucket)).publicAccessBlockConfiguration();
    assertThat(
            List.of(
                block.blockPublicAcls(),
                block.ignorePublicAcls(),
                block.blockPublicPolicy(),
                block.restrictPublicBuckets()))
        .containsOnly(true);

    remediatedThenNoOp(finding("s3-default-encryption", bucket));
    var rule =
        s3.getBucketEncryption(b -> b.bucket(bucket))
            .serverSideEncryptionConfiguration()
            .rules()
            .get(0);
    assertThat(rule.applyServerSideEncryptionByDefault().sseAlgorithmAsString())
        .isEqualTo("AES256");
  }

  @Test
  void stoppedTrailLogsAgainAndGetsLogFileValidation() {
    String bucket = "trail-logs-" + System.nanoTime();
    s3.createBucket(b -> b.bucket(bucket));
    String trail = "management-events-" + System.nanoTime();
    cloudTrail.createTrail(b -> b.name(trail).s3BucketName(bucket).enableLogFileValidation(false));
    cloudTrail.startLogging(b -> b.name(trail));
    cloudTrail.stopLogging(b -> b.name(trail));
    assertThat(cloudTrail.getTrailStatus(b -> b.name(trail)).isLogging()).isFalse();

    remediatedThenNoOp(finding("cloudtrail-logging-stopped", trail));
    assertThat(cloudTrail.getTrailStatus(b -> b.name(trail)).isLogging()).isTrue();

    remediatedThenNoOp(finding("cloudtrail-log-validation", trail));
    assertThat(cloudTrail.getTrail(b -> b.name(trail)).trail().logFileValidationEnabled()).isTrue();
  }

  @Test
  void stageGetsTracingAndErrorLogging() {
    String api = apiGateway.createRestApi(b -> b.name("orders-" + System.nanoTime())).id();
    String root = apiGateway.getResources(b -> b.restApiId(api)).items().get(0).id();
    apiGateway.putMethod(
        b -> b.restApiId(api).resourceId(root).httpMethod("GET").authorizationType("NONE"));
    apiGateway.putIntegration(
        b -> b.restApiId(api).resourceId(root).httpMethod("GET").type("MOCK"));
    String deployment = apiGateway.createDeployment(b -> b.restApiId(api)).id();
    apiGateway.createStage(b -> b.restApiId(api).stageName("prod").deploymentId(deployment));
    String stageArn = "arn:aws:apigateway:us-east-1::/restapis/" + api + "/stages/prod";

    remediatedThenNoOp(finding("apigw-stage-tracing", stageArn));
    remediatedThenNoOp(finding("apigw-stage-logging", stageArn));

    GetStageResponse stage = apiGateway.getStage(b -> b.restApiId(api).stageName("prod"));
    assertThat(stage.tracingEnabled()).isTrue();
    assertThat(stage.methodSettings().get("*/*").loggingLevel()).isEqualTo("ERROR");
    assertThat(stage.deploymentId())
        .as("the stage still serves the same deployment")
        .isEqualTo(deployment);
  }

  @Test
  void defaultEndpointIsDisabledOnlyBehindACustomDomainAndTheStageRedeployed() {
    String api = apiGateway.createRestApi(b -> b.name("fronted-" + System.nanoTime())).id();
    String root = apiGateway.getResources(b -> b.restApiId(api)).items().get(0).id();
    apiGateway.putMethod(
        b -> b.restApiId(api).resourceId(root).httpMethod("GET").authorizationType("NONE"));
    apiGateway.putIntegration(
        b -> b.restApiId(api).resourceId(root).httpMethod("GET").type("MOCK"));
    String deployment = apiGateway.createDeployment(b -> b.restApiId(api)).id();
    apiGateway.createStage(b -> b.restApiId(api).stageName("prod").deploymentId(deployment));
    Finding f = finding("apigw-default-endpoint", api);

    // No custom domain in front: the default endpoint is the only way in, so it stays.
    assertThat(remediator.process(f, attempt)).isEqualTo(Decision.SKIPPED_COMPLIANT);
    assertThat(apiGateway.getRestApi(b -> b.restApiId(api)).disableExecuteApiEndpoint())
        .isNotEqualTo(true);

    String domain = "api-" + System.nanoTime() + ".example.com";
    apiGateway.createDomainName(
        b ->
            b.domainName(domain)
                .regionalCertificateArn(
                    "arn:aws:acm:us-east-1:" + ACCOUNT + ":certificate/0b1e2a3c-example")
                .endpointConfiguration(e -> e.typesWithStrings("REGIONAL")));
    apiGateway.createBasePathMapping(
        b -> b.domainName(domain).basePath("orders").restApiId(api).stage("prod"));
    int deploymentsBefore = apiGateway.getDeployments(b -> b.restApiId(api)).items().size();

    remediatedThenNoOp(f);
    assertThat(apiGateway.getRestApi(b -> b.restApiId(api)).disableExecuteApiEndpoint()).isTrue();
    assertThat(apiGateway.getDeployments(b -> b.restApiId(api)).items())
        .as("the stage redeployed once, so the setting takes effect")
        .hasSize(deploymentsBefore + 1);
  }

  @Test
  void logGroupGetsItsRetention() {
    String group = "/aws/lambda/orders-api-" + System.nanoTime();
    logs.createLogGroup(b -> b.logGroupName(group));

    remediatedThenNoOp(finding("logs-retention", group));
    assertThat(
            logs.describeLogGroups(b -> b.logGroupNamePrefix(group))
                .logGroups()
                .get(0)
                .retentionInDays())
        .isEqualTo(90);
  }

  @Test
  void everyRemediationLeavesAnAuditRecordWithTheStateBeforeAndAfter() {
    String group = "/aws/lambda/audited-" + System.nanoTime();
    logs.createLogGroup(b -> b.logGroupName(group));
    Finding f = finding("logs-retention", group);
    remediatedThenNoOp(f);
    List<JsonNode> records =
        s3.listObjectsV2(b -> b.bucket(AUDIT_BUCKET).prefix("audit/")).contents().stream()
            .filter(o -> o.key().contains("/logs-retention/") && !o.key().contains("ratelimit/"))
            .map(
                o ->
                    Json.read(
                        s3.getObjectAsBytes(b -> b.bucket(AUDIT_BUCKET).key(o.key()))
                            .asUtf8String()))
            .filter(r -> r.path("resourceId").asText().equals(group))
            .toList();
    assertThat(records)
        .extracting(r -> r.path("decision").asText())
        .containsExactlyInAnyOrder("remediated", "skipped-compliant");
    JsonNode remediated =
        records.stream()
            .filter(r -> r.path("decision").asText().equals("remediated"))
            .findFirst()
            .orElseThrow();
    assertThat(
            remediated.path("before").path("retentionInDays").isMissingNode()
                || remediated.path("before").path("retentionInDays").isNull())
        .isTrue();
    assertThat(remediated.path("after").path("retentionInDays").asInt()).isEqualTo(90);
  }

  @Test
  void theNoticeReachesAnSqsQueueSubscribedToTheTopic() {
    String topic =
        sns.createTopic(b -> b.name("trailmark-findings-" + System.nanoTime())).topicArn();
    String queue = sqs.createQueue(b -> b.queueName("findings-" + System.nanoTime())).queueUrl();
    String queueArn =
        sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    sns.subscribe(b -> b.topicArn(topic).protocol("sqs").endpoint(queueArn));

    Finding f = finding("ec2-sg-open-admin-ports", "sg-0a1b2c3d4e5f60718");
    new Notifier(aws.sns(), topic).publish(f, false);

    List<Message> messages =
        sqs.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(5).maxNumberOfMessages(10))
            .messages();
    assertThat(messages).hasSize(1);
    JsonNode envelope = Json.read(messages.get(0).body());
    assertThat(envelope.path("Type").asText()).isEqualTo("Notification");
    assertThat(envelope.path("Subject").asText())
        .isEqualTo(
            "[CRITICAL] Security group opens SSH, RDP or all ports to the internet: sg-0a1b2c3d4e5f60718");
    // An SQS subscriber gets the machine-readable finding (the message structure's "sqs" entry).
    JsonNode finding = Json.read(envelope.path("Message").asText());
    assertThat(finding.path("findingId").asText()).isEqualTo(f.findingId());
    assertThat(finding.path("ruleId").asText()).isEqualTo("ec2-sg-open-admin-ports");
    assertThat(envelope.path("MessageAttributes").path("severity").path("Value").asText())
        .isEqualTo("CRITICAL");
    assertThat(envelope.path("MessageAttributes").path("ruleId").path("Value").asText())
        .isEqualTo("ec2-sg-open-admin-ports");
  }
}
