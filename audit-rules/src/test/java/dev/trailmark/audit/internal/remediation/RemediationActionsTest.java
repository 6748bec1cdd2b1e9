package dev.trailmark.audit.internal.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.rules.RuleLoader;
import dev.trailmark.audit.testing.AwsStub;
import dev.trailmark.audit.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each remediation against a WireMock stand-in for its service: the exact requests the real SDK
 * sends (method, path, target, body), answered with responses shaped like the service's.
 */
class RemediationActionsTest {
  private static final RuleEngine ENGINE =
      new RuleEngine(new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn());
  private static AwsStub stub;
  private static RemediationClients aws;

  @BeforeAll
  static void start() {
    stub = new AwsStub();
    aws = stub.clients().build();
  }

  @AfterAll
  static void stop() {
    aws.close();
    stub.close();
  }

  @AfterEach
  void reset() {
    stub.server.resetAll();
  }

  static Finding finding(String ruleId) {
    List<Finding> findings = ENGINE.evaluateEvent(Fixtures.badEvent(ruleId), "test");
    return findings.stream().filter(f -> f.ruleId().equals(ruleId)).findFirst().orElseThrow();
  }

  static RemediationAction action(Finding f) {
    return RemediationActions.forName(f.action()).orElseThrow();
  }

  /** The state that the action of {@code ruleId}'s finding reads now. */
  static JsonNode read(String ruleId) {
    Finding f = finding(ruleId);
    return action(f).read(f, aws);
  }

  /** Whether the state read now still violates {@code ruleId}. */
  static boolean violatesNow(String ruleId) {
    Finding f = finding(ruleId);
    return action(f).violates(read(ruleId), f);
  }

  /**
   * Reads the state of {@code ruleId}'s finding, checks that it violates the rule and applies the
   * fix; returns the state read before the fix.
   */
  static JsonNode readAndFix(String ruleId) {
    return fix(ruleId, read(ruleId));
  }

  /** Checks that {@code state} violates {@code ruleId} and applies the fix to it; returns it. */
  static JsonNode fix(String ruleId, JsonNode state) {
    Finding f = finding(ruleId);
    RemediationAction a = action(f);
    assertThat(a.violates(state, f)).as("%s violated by %s", ruleId, state).isTrue();
    a.apply(state, f, aws);
    return state;
  }

  @Test
  void apiGatewayDomainSecurityPolicy() {
    stub.server.stubFor(
        get(urlEqualTo("/domainnames/api.example.com"))
            .willReturn(
                okJson(
                    "{\"domainName\":\"api.example.com\",\"securityPolicy\":\"TLS_1_0\",\"domainNameStatus\":\"AVAILABLE\","
                        + "\"regionalDomainName\":\"d-abc123.execute-api.us-east-1.amazonaws.com\","
                        + "\"endpointConfiguration\":{\"types\":[\"REGIONAL\"]},\"tags\":{\"team\":\"orders\"}}")));
    stub.server.stubFor(
        patch(urlEqualTo("/domainnames/api.example.com"))
            .willReturn(
                okJson("{\"domainName\":\"api.example.com\",\"securityPolicy\":\"TLS_1_2\"}")));
    JsonNode state = readAndFix("apigw-domain-tls12");
    assertThat(state.path("securityPolicy").asText()).isEqualTo("TLS_1_0");
    assertThat(state.path("tags").path("team").asText()).isEqualTo("orders");
    stub.server.verify(
        1,
        patchRequestedFor(urlEqualTo("/domainnames/api.example.com"))
            .withRequestBody(
                equalToJson(
                    "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/securityPolicy\",\"value\":\"TLS_1_2\"}]}")));
  }

  @Test
  void apiGatewayDefaultEndpointDisabledAndStagesRedeployedOnlyWhenADomainFrontsTheApi() {
    stub.server.stubFor(
        get(urlEqualTo("/restapis/a1b2c3d4e5"))
            .willReturn(
                okJson(
                    "{\"id\":\"a1b2c3d4e5\",\"name\":\"orders\",\"disableExecuteApiEndpoint\":false,"
                        + "\"endpointConfiguration\":{\"types\":[\"REGIONAL\"]},\"tags\":{}}")));
    stub.server.stubFor(
        get(urlPathEqualTo("/domainnames"))
            .willReturn(
                okJson(
                    "{\"item\":[{\"domainName\":\"api.example.com\"},{\"domainName\":\"other.example.com\"}]}")));
    stub.server.stubFor(
        get(urlPathEqualTo("/domainnames/other.example.com/basepathmappings"))
            .willReturn(
                okJson(
                    "{\"item\":[{\"basePath\":\"(none)\",\"restApiId\":\"zzzzzzzzzz\",\"stage\":\"prod\"}]}")));
    stub.server.stubFor(
        get(urlPathEqualTo("/domainnames/api.example.com/basepathmappings"))
            .willReturn(
                okJson(
                    "{\"item\":[{\"basePath\":\"orders\",\"restApiId\":\"a1b2c3d4e5\",\"stage\":\"prod\"}]}")));
    stub.server.stubFor(
        patch(urlEqualTo("/restapis/a1b2c3d4e5"))
            .willReturn(okJson("{\"id\":\"a1b2c3d4e5\",\"disableExecuteApiEndpoint\":true}")));
    stub.server.stubFor(
        get(urlEqualTo("/restapis/a1b2c3d4e5/stages"))
            .willReturn(
                okJson(
                    "{\"item\":[{\"stageName\":\"prod\",\"deploymentId\":\"dep1\"},{\"stageName\":\"beta\",\"deploymentId\":\"dep2\"}]}")));
    stub.server.stubFor(
        post(urlEqualTo("/restapis/a1b2c3d4e5/deployments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"id\":\"dep3\"}")));
    JsonNode state = readAndFix("apigw-default-endpoint");
    assertThat(state.path("customDomains").toString()).isEqualTo("[\"api.example.com\"]");
    stub.server.verify(
        patchRequestedFor(urlEqualTo("/restapis/a1b2c3d4e5"))
            .withRequestBody(
                equalToJson(
                    "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/disableExecuteApiEndpoint\",\"value\":\"true\"}]}")));
    stub.server.verify(
        1,
        postRequestedFor(urlEqualTo("/restapis/a1b2c3d4e5/deployments"))
            .withRequestBody(equalToJson("{\"stageName\":\"prod\"}", true, true)));
    stub.server.verify(
        1,
        postRequestedFor(urlEqualTo("/restapis/a1b2c3d4e5/deployments"))
            .withRequestBody(equalToJson("{\"stageName\":\"beta\"}", true, true)));

    // Without a custom domain in front, the default endpoint is the only way in: leave it alone.
    stub.server.stubFor(
        get(urlPathEqualTo("/domainnames/api.example.com/basepathmappings"))
            .willReturn(okJson("{\"item\":[]}")));
    assertThat(violatesNow("apigw-default-endpoint")).isFalse();
  }

  @Test
  void apiGatewayStageTracingAndLogging() {
    stub.server.stubFor(
        get(urlEqualTo("/restapis/a1b2c3d4e5/stages/prod"))
            .willReturn(
                okJson(
                    "{\"stageName\":\"prod\",\"deploymentId\":\"dep1\",\"tracingEnabled\":false,"
                        + "\"methodSettings\":{\"*/*\":{\"loggingLevel\":\"OFF\",\"metricsEnabled\":false}},\"tags\":{}}")));
    stub.server.stubFor(
        patch(urlEqualTo("/restapis/a1b2c3d4e5/stages/prod"))
            .willReturn(okJson("{\"stageName\":\"prod\"}")));
    JsonNode state = readAndFix("apigw-stage-tracing");
    stub.server.verify(
        patchRequestedFor(urlEqualTo("/restapis/a1b2c3d4e5/stages/prod"))
            .withRequestBody(
                equalToJson(
                    "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/tracingEnabled\",\"value\":\"true\"}]}")));

    // The same stage, as read before tracing was turned on.
    fix("apigw-stage-logging", state);
    stub.server.verify(
        patchRequestedFor(urlEqualTo("/restapis/a1b2c3d4e5/stages/prod"))
            .withRequestBody(
                equalToJson(
                    "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/*/*/logging/loglevel\",\"value\":\"ERROR\"}]}")));
  }

  static final String SECURITY_GROUP =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          + "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
          + "<requestId>1d62eae0-acdd-481d-88c9-EXAMPLE</requestId><securityGroupInfo><item>"
          + "<ownerId>123456789012</ownerId><groupId>sg-0a1b2c3d4e5f60718</groupId><groupName>web</groupName>"
          + "<groupDescription>web tier</groupDescription><vpcId>vpc-0123456789abcdef0</vpcId><ipPermissions>"
          + "<item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/>"
          + "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>"
          + "<item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups/>"
          + "<ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges>"
          + "<ipv6Ranges/><prefixListIds/></item>"
          + "<item><ipProtocol>-1</ipProtocol><groups/><ipRanges/>"
          + "<ipv6Ranges><item><cidrIpv6>::/0</cidrIpv6></item></ipv6Ranges><prefixListIds/></item>"
          + "</ipPermissions><ipPermissionsEgress/><tagSet><item><key>team</key><value>orders</value></item></tagSet>"
          + "</item></securityGroupInfo></DescribeSecurityGroupsResponse>";

  @Test
  void ec2RevokesOnlyTheOffendingPermissions() {
    stub.query("DescribeSecurityGroups", SECURITY_GROUP);
    stub.query(
        "RevokeSecurityGroupIngress",
        "<RevokeSecurityGroupIngressResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
            + "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><return>true</return></RevokeSecurityGroupIngressResponse>");
    JsonNode state = readAndFix("ec2-sg-open-admin-ports");
    assertThat(state.path("tags").path("team").asText()).isEqualTo("orders");
    stub.server.verify(
        stub.queryRequest("DescribeSecurityGroups")
            .withRequestBody(containing("GroupId.1=sg-0a1b2c3d4e5f60718")));
    List<com.github.tomakehurst.wiremock.verification.LoggedRequest> revokes =
        stub.requests(stub.queryRequest("RevokeSecurityGroupIngress"));
    assertThat(revokes).hasSize(1);
    String body =
        java.net.URLDecoder.decode(
            revokes.get(0).getBodyAsString(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(body)
        .contains(
            "GroupId=sg-0a1b2c3d4e5f60718",
            "IpPermissions.1.IpProtocol=tcp",
            "IpPermissions.1.FromPort=22",
            "IpPermissions.1.ToPort=22",
            "IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
            "IpPermissions.2.IpProtocol=-1",
            "IpPermissions.2.Ipv6Ranges.1.CidrIpv6=::/0");
    // HTTPS stays open and the private SSH range stays.
    assertThat(body)
        .doesNotContain("443")
        .doesNotContain("10.0.0.0/8")
        .doesNotContain("IpPermissions.3");
  }

  static void s3Error(String urlRegex, int status, String code) {
    stub.server.stubFor(
        get(urlMatching(urlRegex))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            + "<Error><Code>"
                            + code
                            + "</Code><Message>The specified configuration does not exist</Message>"
                            + "<RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>")));
  }

  @Test
  void s3PublicAccessBlockPutUnlessTheAccountBlockCoversIt() {
    s3Error("/orders-exports-prod\\?tagging.*", 404, "NoSuchTagSet");
    s3Error(
        "/orders-exports-prod\\?publicAccessBlock.*", 404, "NoSuchPublicAccessBlockConfiguration");
    // S3 Control wraps its errors in ErrorResponse, unlike S3.
    stub.server.stubFor(
        get(urlEqualTo("/v20180820/configuration/publicAccessBlock"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            + "<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code>"
                            + "<Message>The public access block configuration was not found</Message><AccountId>123456789012</AccountId>"
                            + "</Error><RequestId>C2A3D0E4B9F1A7E2</RequestId><HostId>host</HostId></ErrorResponse>")));
    stub.server.stubFor(
        put(urlMatching("/orders-exports-prod\\?publicAccessBlock.*"))
            .willReturn(aResponse().withStatus(200)));
    readAndFix("s3-bucket-public");
    stub.server.verify(
        getRequestedFor(urlEqualTo("/v20180820/configuration/publicAccessBlock"))
            .withHeader("x-amz-account-id", equalTo("123456789012")));
    stub.server.verify(
        putRequestedFor(urlMatching("/orders-exports-prod\\?publicAccessBlock.*"))
            .withRequestBody(containing("<BlockPublicAcls>true</BlockPublicAcls>"))
            .withRequestBody(containing("<IgnorePublicAcls>true</IgnorePublicAcls>"))
            .withRequestBody(containing("<BlockPublicPolicy>true</BlockPublicPolicy>"))
            .withRequestBody(containing("<RestrictPublicBuckets>true</RestrictPublicBuckets>")));

    stub.server.stubFor(
        get(urlEqualTo("/v20180820/configuration/publicAccessBlock"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        "<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">"
                            + "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
                            + "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
                            + "</PublicAccessBlockConfiguration>")));
    assertThat(violatesNow("s3-bucket-public"))
        .as("account-level block already covers the bucket")
        .isFalse();
  }

  @Test
  void s3DefaultEncryption() {
    stub.server.stubFor(
        get(urlMatching("/orders-exports-prod\\?tagging.*"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/xml")
                    .withBody(
                        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                            + "<TagSet><Tag><Key>trailmark:audit-exempt-until</Key><Value>2027-01-31</Value></Tag></TagSet></Tagging>")));
    s3Error(
        "/orders-exports-prod\\?encryption.*",
        404,
        "ServerSideEncryptionConfigurationNotFoundError");
    stub.server.stubFor(
        put(urlMatching("/orders-exports-prod\\?encryption.*"))
            .willReturn(aResponse().withStatus(200)));
    JsonNode state = readAndFix("s3-default-encryption");
    assertThat(state.path("tags").path("trailmark:audit-exempt-until").asText())
        .isEqualTo("2027-01-31");
    stub.server.verify(
        putRequestedFor(urlMatching("/orders-exports-prod\\?encryption.*"))
            .withRequestBody(containing("<SSEAlgorithm>AES256</SSEAlgorithm>")));
  }

  static final String CT = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
  static final String TRAIL_ARN =
      "arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events";

  @Test
  void cloudTrailStartLoggingAndLogFileValidation() {
    stub.json(CT + "GetTrailStatus", "{\"IsLogging\":false,\"LatestDeliveryTime\":1.7320977E9}");
    stub.json(CT + "StartLogging", "{}");
    readAndFix("cloudtrail-logging-stopped");
    stub.server.verify(
        stub.jsonRequest(CT + "StartLogging")
            .withRequestBody(equalToJson("{\"Name\":\"" + TRAIL_ARN + "\"}")));

    stub.json(
        CT + "GetTrail",
        "{\"Trail\":{\"Name\":\"management-events\",\"S3BucketName\":\"org-cloudtrail-logs\","
            + "\"TrailARN\":\""
            + TRAIL_ARN
            + "\",\"LogFileValidationEnabled\":false,\"IsMultiRegionTrail\":true,\"HomeRegion\":\"us-east-1\"}}");
    stub.json(
        CT + "UpdateTrail", "{\"Name\":\"management-events\",\"LogFileValidationEnabled\":true}");
    readAndFix("cloudtrail-log-validation");
    stub.server.verify(
        stub.jsonRequest(CT + "UpdateTrail")
            .withRequestBody(
                equalToJson("{\"Name\":\"management-events\",\"EnableLogFileValidation\":true}")));
  }

  @Test
  void cloudTrailDeletedTrailRestoredFromItsLastConfigRecord() {
    stub.server.stubFor(
        stub.jsonCall(CT + "GetTrail")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(
                        "{\"__type\":\"TrailNotFoundException\",\"Message\":\"Unknown trail: management-events\"}")));
    String configuration =
        "{\\\"name\\\":\\\"management-events\\\",\\\"s3BucketName\\\":\\\"org-cloudtrail-logs\\\","
            + "\\\"s3KeyPrefix\\\":\\\"trails\\\",\\\"includeGlobalServiceEvents\\\":true,\\\"isMultiRegionTrail\\\":true,"
            + "\\\"logFileValidationEnabled\\\":true,\\\"kmsKeyId\\\":null}";
    stub.json(
        "StarlingDoveService.GetResourceConfigHistory",
        "{\"configurationItems\":["
            + "{\"version\":\"1.3\",\"accountId\":\"123456789012\",\"configurationItemCaptureTime\":1.7321E9,"
            + "\"configurationItemStatus\":\"ResourceDeleted\",\"resourceType\":\"AWS::CloudTrail::Trail\","
            + "\"resourceId\":\"management-events\",\"relatedEvents\":[],\"relationships\":[],\"supplementaryConfiguration\":{}},"
            + "{\"version\":\"1.3\",\"accountId\":\"123456789012\",\"configurationItemCaptureTime\":1.7320E9,"
            + "\"configurationItemStatus\":\"OK\",\"configurationStateId\":\"1732000000000\",\"arn\":\""
            + TRAIL_ARN
            + "\","
            + "\"resourceType\":\"AWS::CloudTrail::Trail\",\"resourceId\":\"management-events\",\"awsRegion\":\"us-east-1\","
            + "\"configuration\":\""
            + configuration
            + "\",\"relatedEvents\":[],\"relationships\":[],\"supplementaryConfiguration\":{}}]}");
    stub.json(
        CT + "CreateTrail",
        "{\"Name\":\"management-events\",\"S3BucketName\":\"org-cloudtrail-logs\",\"TrailARN\":\""
            + TRAIL_ARN
            + "\"}");
    stub.json(CT + "StartLogging", "{}");
    JsonNode state = readAndFix("cloudtrail-trail-deleted");
    assertThat(state.path("exists").asBoolean()).isFalse();
    assertThat(state.path("lastRecordedConfiguration").path("s3KeyPrefix").asText())
        .isEqualTo("trails");
    stub.server.verify(
        stub.jsonRequest("StarlingDoveService.GetResourceConfigHistory")
            .withRequestBody(
                equalToJson(
                    "{\"resourceType\":\"AWS::CloudTrail::Trail\",\"resourceId\":\"management-events\",\"limit\":10}")));
    stub.server.verify(
        stub.jsonRequest(CT + "CreateTrail")
            .withRequestBody(
                equalToJson(
                    "{\"Name\":\"management-events\",\"S3BucketName\":\"org-cloudtrail-logs\",\"S3KeyPrefix\":\"trails\","
                        + "\"IncludeGlobalServiceEvents\":true,\"IsMultiRegionTrail\":true,\"IsOrganizationTrail\":false,"
                        + "\"EnableLogFileValidation\":true}")));
    stub.server.verify(
        stub.jsonRequest(CT + "StartLogging")
            .withRequestBody(equalToJson("{\"Name\":\"management-events\"}")));
  }

  @Test
  void logsRetention() {
    stub.json(
        "Logs_20140328.DescribeLogGroups",
        "{\"logGroups\":[{\"logGroupName\":\"/aws/lambda/orders-api\","
            + "\"creationTime\":1735804800000,\"metricFilterCount\":0,\"storedBytes\":1024,"
            + "\"arn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders-api:*\"},"
            + "{\"logGroupName\":\"/aws/lambda/orders-api-canary\",\"retentionInDays\":7}]}");
    stub.json("Logs_20140328.PutRetentionPolicy", "{}");
    stub.json(
        "Logs_20140328.ListTagsForResource",
        "{\"tags\":{\"trailmark:audit-exempt-until\":\"2026-12-31\"}}");
    JsonNode state = readAndFix("logs-retention");
    assertThat(state.path("tags").path("trailmark:audit-exempt-until").asText())
        .isEqualTo("2026-12-31");
    stub.server.verify(
        stub.jsonRequest("Logs_20140328.ListTagsForResource")
            .withRequestBody(
                equalToJson(
                    "{\"resourceArn\":\"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders-api\"}")));
    stub.server.verify(
        stub.jsonRequest("Logs_20140328.DescribeLogGroups")
            .withRequestBody(equalToJson("{\"logGroupNamePrefix\":\"/aws/lambda/orders-api\"}")));
    stub.server.verify(
        stub.jsonRequest("Logs_20140328.PutRetentionPolicy")
            .withRequestBody(
                equalToJson(
                    "{\"logGroupName\":\"/aws/lambda/orders-api\",\"retentionInDays\":90}")));
  }

  @Test
  void lambdaActiveTracing() {
    stub.server.stubFor(
        get(urlEqualTo("/2015-03-31/functions/orders-api"))
            .willReturn(
                okJson(
                    "{\"Configuration\":{\"FunctionName\":\"orders-api\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:123456789012:function:orders-api\","
                        + "\"Runtime\":\"java17\",\"TracingConfig\":{\"Mode\":\"PassThrough\"},\"State\":\"Active\"},"
                        + "\"Code\":{\"RepositoryType\":\"S3\"},\"Tags\":{\"team\":\"orders\"}}")));
    stub.server.stubFor(
        put(urlEqualTo("/2015-03-31/functions/orders-api/configuration"))
            .willReturn(
                okJson(
                    "{\"FunctionName\":\"orders-api\",\"TracingConfig\":{\"Mode\":\"Active\"}}")));
    JsonNode state = readAndFix("lambda-active-tracing");
    assertThat(state.path("tracingMode").asText()).isEqualTo("PassThrough");
    stub.server.verify(
        putRequestedFor(urlEqualTo("/2015-03-31/functions/orders-api/configuration"))
            .withRequestBody(equalToJson("{\"TracingConfig\":{\"Mode\":\"Active\"}}")));
  }

  @Test
  void everyImplementedActionIsUsedByAShippedRule() {
    var used =
        ENGINE.rules().rules().stream()
            .map(r -> r.action())
            .collect(java.util.stream.Collectors.toSet());
    assertThat(used).containsAll(ActionNames.ALL);
    assertThat(ActionNames.ALL)
        .allSatisfy(name -> assertThat(RemediationActions.forName(name)).isPresent());
  }
}
