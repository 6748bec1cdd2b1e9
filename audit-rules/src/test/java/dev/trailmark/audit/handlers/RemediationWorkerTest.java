package dev.trailmark.audit.handlers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.testing.Fixtures;
import dev.trailmark.common.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's decisions, each proven by the requests it makes (or does not make) and its record.
 */
class RemediationWorkerTest {
  private static final String SG = "sg-0a1b2c3d4e5f60718";
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  static String group(String tagXml, boolean open) {
    return "<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
        + "<requestId>1d62eae0-acdd-481d-88c9-EXAMPLE</requestId><securityGroupInfo><item>"
        + "<ownerId>123456789012</ownerId><groupId>"
        + SG
        + "</groupId><groupName>web</groupName>"
        + "<groupDescription>web tier</groupDescription><ipPermissions>"
        + "<item><ipProtocol>tcp</ipProtocol><fromPort>443</fromPort><toPort>443</toPort><groups/>"
        + "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>"
        + (open
            ? "<item><ipProtocol>tcp</ipProtocol><fromPort>3389</fromPort><toPort>3389</toPort><groups/>"
                + "<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item>"
            : "")
        + "</ipPermissions><ipPermissionsEgress/><tagSet>"
        + tagXml
        + "</tagSet></item></securityGroupInfo>"
        + "</DescribeSecurityGroupsResponse>";
  }

  static String tag(String key, String value) {
    return "<item><key>" + key + "</key><value>" + value + "</value></item>";
  }

  /** Describe answers "open" until a revoke succeeds, then "closed": the state really changes. */
  void stubGroup(String tags) {
    h.stub.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=DescribeSecurityGroups&"))
            .inScenario("sg")
            .whenScenarioStateIs(STARTED)
            .willReturn(aResponse().withStatus(200).withBody(group(tags, true))));
    h.stub.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=DescribeSecurityGroups&"))
            .inScenario("sg")
            .whenScenarioStateIs("revoked")
            .willReturn(aResponse().withStatus(200).withBody(group(tags, false))));
    h.stub.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=RevokeSecurityGroupIngress&"))
            .inScenario("sg")
            .willSetStateTo("revoked")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "<RevokeSecurityGroupIngressResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                            + "<requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId><return>true</return></RevokeSecurityGroupIngressResponse>")));
  }

  static Finding sgFinding() {
    return Harness.RULES
        .get("ec2-sg-open-admin-ports")
        .map(
            rule ->
                new dev.trailmark.audit.internal.engine.RuleEngine(Harness.RULES)
                    .evaluateEvent(Fixtures.badEvent("ec2-sg-open-admin-ports"), "cloudtrail")
                    .get(0))
        .orElseThrow();
  }

  static SQSEvent.SQSMessage message(String id, String body, int receiveCount) {
    SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
    m.setMessageId(id);
    m.setBody(body);
    m.setAttributes(Map.of("ApproximateReceiveCount", String.valueOf(receiveCount)));
    m.setEventSource("aws:sqs");
    return m;
  }

  static SQSEvent batch(SQSEvent.SQSMessage... messages) {
    SQSEvent e = new SQSEvent();
    e.setRecords(new ArrayList<>(List.of(messages)));
    return e;
  }

  static List<String> failed(SQSBatchResponse r) {
    return r.getBatchItemFailures().stream()
        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
        .toList();
  }

  int revokes() {
    return h.stub.requests(h.stub.queryRequest("RevokeSecurityGroupIngress")).size();
  }

  @Test
  void remediatesOnceRecordingTheStateBeforeAndAfter() {
    stubGroup("");
    RemediationWorker worker = new RemediationWorker(h.context(s -> s.dryRun(false)));
    String body = Json.write(sgFinding());
    SQSBatchResponse response = worker.handleRequest(batch(message("m1", body, 1)), null);
    assertThat(failed(response)).isEmpty();
    assertThat(revokes()).isEqualTo(1);
    JsonNode record = h.firehoseRecords().get(0);
    assertThat(record.path("decision").asText()).isEqualTo("remediated");
    assertThat(record.path("before").path("ipPermissions").toString()).contains("3389");
    assertThat(record.path("after").path("ipPermissions").toString())
        .doesNotContain("3389")
        .contains("443");
    assertThat(record.path("finding").path("actor").asText())
        .contains("assumed-role/Developer/alice");
    assertThat(h.s3Records()).hasSize(1);
    assertThat(h.s3Records().get(0).getUrl())
        .startsWith("/" + Harness.BUCKET + "/audit/2026/11/20/ec2-sg-open-admin-ports/");
    assertThat(Harness.s3Body(h.s3Records().get(0)).path("decision").asText())
        .isEqualTo("remediated");

    // Redelivered: the group is already closed, so nothing is revoked twice.
    response = worker.handleRequest(batch(message("m1", body, 2)), null);
    assertThat(failed(response)).isEmpty();
    assertThat(revokes()).isEqualTo(1);
    assertThat(h.firehoseRecords().get(1).path("decision").asText()).isEqualTo("skipped-compliant");
  }

  @Test
  void dryRunIsTheDefaultAndChangesNothing() {
    stubGroup("");
    RemediationWorker worker = new RemediationWorker(h.context(s -> {}));
    assertThat(failed(worker.handleRequest(batch(message("m1", Json.write(sgFinding()), 1)), null)))
        .isEmpty();
    assertThat(revokes()).isZero();
    JsonNode record = h.firehoseRecords().get(0);
    assertThat(record.path("decision").asText()).isEqualTo("skipped-dry-run");
    assertThat(record.path("reason").asText())
        .contains("would revoke only the ingress permissions");
    assertThat(record.path("before").path("ipPermissions").toString()).contains("3389");
  }

  @Test
  void theRuleFileNotTheMessageDecidesTheAction() {
    stubGroup("");
    RemediationWorker worker = new RemediationWorker(h.context(s -> s.dryRun(false)));
    var forged =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(sgFinding());
    forged.put("action", "cloudtrail-restore-trail");
    worker.handleRequest(batch(message("m1", Json.write(forged), 1)), null);
    assertThat(revokes()).isEqualTo(1);
    assertThat(
            h.stub.requests(
                h.stub.jsonRequest(
                    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail")))
        .isEmpty();
    assertThat(h.firehoseRecords().get(0).path("action").asText())
        .isEqualTo("ec2-revoke-open-ingress");
  }

  @Test
  void dryRunPerRuleHoldsWhenTheGlobalSwitchIsOff() {
    stubGroup("");
    RemediationWorker worker =
        new RemediationWorker(
            h.context(
                s -> s.dryRun(false).dryRunRules(java.util.Set.of("ec2-sg-open-admin-ports"))));
    worker.handleRequest(batch(message("m1", Json.write(sgFinding()), 1)), null);
    assertThat(revokes()).isZero();
    assertThat(h.firehoseRecords().get(0).path("decision").asText()).isEqualTo("skipped-dry-run");
  }

  @Test
  void exemptionTagHoldsUntilItsDateAndThenExpires() {
    stubGroup(tag("trailmark:audit-exempt-until", "2026-11-30"));
    RemediationWorker worker = new RemediationWorker(h.context(s -> s.dryRun(false)));
    String body = Json.write(sgFinding());
    worker.handleRequest(batch(message("m1", body, 1)), null);
    assertThat(revokes()).isZero();
    assertThat(h.firehoseRecords().get(0).path("decision").asText()).isEqualTo("skipped-exempt");
    assertThat(h.firehoseRecords().get(0).path("reason").asText())
        .contains("exempt until 2026-11-30");

    h.clock.advance(Duration.ofDays(11)); // 2026-12-01: the exemption's last day has passed
    worker.handleRequest(batch(message("m2", body, 1)), null);
    assertThat(revokes()).isEqualTo(1);
    JsonNode record = h.firehoseRecords().get(1);
    assertThat(record.path("decision").asText()).isEqualTo("remediated");
    assertThat(record.path("reason").asText()).contains("exemption expired").contains("2026-11-30");
  }

  @Test
  void anExemptionTagThatIsNotADateExemptsNothing() {
    stubGroup(tag("trailmark:audit-exempt-until", "forever"));
    RemediationWorker worker = new RemediationWorker(h.context(s -> s.dryRun(false)));
    worker.handleRequest(batch(message("m1", Json.write(sgFinding()), 1)), null);
    assertThat(revokes()).isEqualTo(1);
    assertThat(h.firehoseRecords().get(0).path("reason").asText()).contains("not a date");
  }

  @Test
  void accountsAndRegionsOffTheAllowListAreNeverTouched() {
    stubGroup("");
    RemediationWorker worker =
        new RemediationWorker(
            h.context(s -> s.dryRun(false).allowedAccounts(java.util.Set.of("999999999999"))));
    worker.handleRequest(batch(message("m1", Json.write(sgFinding()), 1)), null);
    assertThat(h.stub.requests(h.stub.queryRequest("DescribeSecurityGroups"))).isEmpty();
    assertThat(revokes()).isZero();
    assertThat(h.firehoseRecords().get(0).path("decision").asText())
        .isEqualTo("skipped-not-allowed");

    RemediationWorker regions =
        new RemediationWorker(
            h.context(s -> s.dryRun(false).allowedRegions(java.util.Set.of("eu-west-1"))));
    regions.handleRequest(batch(message("m2", Json.write(sgFinding()), 1)), null);
    assertThat(revokes()).isZero();
  }

  @Test
  void rateLimitStopsTheThirdRemediationOfARuleWithinAnHourCountingMarkersInS3() {
    // S3 plays the shared counter: each remediation PUTs a marker; a list of the last hour counts
    // them.
    String markers = "/" + Harness.BUCKET + "/audit/ratelimit/ec2-sg-open-admin-ports/.*";
    for (int n = 0; n <= 2; n++) {
      String state = n == 0 ? STARTED : "used-" + n;
      h.stubRateLimitCount(state, n);
      h.stub.server.stubFor(
          com.github.tomakehurst.wiremock.client.WireMock.put(
                  com.github.tomakehurst.wiremock.client.WireMock.urlMatching(markers))
              .inScenario("rate-limit")
              .whenScenarioStateIs(state)
              .willSetStateTo("used-" + (n + 1))
              .willReturn(aResponse().withStatus(200)));
    }
    RemediationWorker worker =
        new RemediationWorker(h.context(s -> s.dryRun(false).maxRemediationsPerRulePerHour(2)));
    String body = Json.write(sgFinding());
    for (int i = 1; i <= 3; i++) {
      stubGroup("");
      h.stub.server.setScenarioState("sg", STARTED);
      h.clock.advance(Duration.ofMinutes(10));
      assertThat(failed(worker.handleRequest(batch(message("m" + i, body, 1)), null))).isEmpty();
    }
    assertThat(revokes()).isEqualTo(2);
    assertThat(h.firehoseRecords())
        .extracting(r -> r.path("decision").asText())
        .containsExactly("remediated", "remediated", "skipped-rate-limited");
    assertThat(h.firehoseRecords().get(2).path("reason").asText())
        .contains("the limit of 2 remediations of ec2-sg-open-admin-ports in any hour is reached");
    var lists =
        h.stub.requests(
            com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(
                    "/" + Harness.BUCKET)));
    // The window is the last hour before the third decision (10:45): markers after 09:45 count.
    assertThat(lists.get(2).queryParameter("start-after").firstValue())
        .isEqualTo(
            "audit/ratelimit/ec2-sg-open-admin-ports/"
                + java.time.Instant.parse("2026-11-20T09:45:00Z").toEpochMilli());
    assertThat(lists.get(2).queryParameter("prefix").firstValue())
        .isEqualTo("audit/ratelimit/ec2-sg-open-admin-ports/");
    var puts =
        h.stub.requests(
            com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlMatching(markers)));
    assertThat(puts).hasSize(2);
    assertThat(puts.get(0).getUrl())
        .endsWith(
            "/"
                + java.time.Instant.parse("2026-11-20T10:25:00Z").toEpochMilli()
                + "-"
                + sgFinding().findingId());

    // An hour later the first marker has left the window: one slot is free again.
    h.stub.server.setScenarioState("rate-limit", "used-1");
    h.clock.advance(Duration.ofMinutes(51));
    h.stub.server.setScenarioState("sg", STARTED);
    worker.handleRequest(batch(message("m4", body, 1)), null);
    assertThat(revokes()).isEqualTo(3);
  }

  @Test
  void withoutAnAuditBucketTheLimitIsCountedInProcessOverASlidingHour() {
    HourlyLimit.InMemory limit = new HourlyLimit.InMemory(2);
    java.time.Instant t = java.time.Instant.parse("2026-11-20T10:00:00Z");
    assertThat(limit.tryAcquire("r", "a", t)).isTrue();
    assertThat(limit.tryAcquire("r", "b", t.plusSeconds(600))).isTrue();
    assertThat(limit.tryAcquire("r", "c", t.plusSeconds(1200))).isFalse();
    assertThat(limit.tryAcquire("other-rule", "d", t.plusSeconds(1200))).isTrue();
    assertThat(limit.tryAcquire("r", "e", t.plusSeconds(3600)))
        .as("first slot expired exactly")
        .isTrue();
    assertThat(limit.tryAcquire("r", "f", t.plusSeconds(3601))).isFalse();
  }

  @Test
  void aFailingChangeIsReportedForRetryAndRecordedAsFailedOnTheLastAttempt() {
    stubGroup("");
    h.stub.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=RevokeSecurityGroupIngress&"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withBody(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            + "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform "
                            + "this operation.</Message></Error></Errors><RequestID>b2b3f1c4-EXAMPLE</RequestID></Response>")));
    RemediationWorker worker =
        new RemediationWorker(h.context(s -> s.dryRun(false).maxAttempts(3)));
    String body = Json.write(sgFinding());
    assertThat(failed(worker.handleRequest(batch(message("m1", body, 1)), null)))
        .containsExactly("m1");
    assertThat(failed(worker.handleRequest(batch(message("m1", body, 2)), null)))
        .containsExactly("m1");
    assertThat(h.firehoseRecords()).isEmpty();
    assertThat(failed(worker.handleRequest(batch(message("m1", body, 3)), null)))
        .containsExactly("m1");
    JsonNode record = h.firehoseRecords().get(0);
    assertThat(record.path("decision").asText()).isEqualTo("failed");
    assertThat(record.path("reason").asText())
        .contains("attempt 3 of 3")
        .contains("UnauthorizedOperation");
    assertThat(record.path("before").path("ipPermissions").toString()).contains("3389");
  }

  @Test
  void malformedMessagesAreRejectedWithoutAnyRemediationWhileGoodOnesInTheBatchProceed() {
    stubGroup("");
    RemediationWorker worker = new RemediationWorker(h.context(s -> s.dryRun(false)));
    JsonNode good = Json.MAPPER.valueToTree(sgFinding());
    var wrongType = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) wrongType).putArray("resourceId").add(SG);
    var noAction = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) noAction).remove("action");
    var unknownRule = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) unknownRule).put("ruleId", "no-such-rule");
    var badSeverity = good.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) badSeverity).put("severity", "apocalyptic");
    SQSBatchResponse response =
        worker.handleRequest(
            batch(
                message("truncated", Json.write(good).substring(0, 40), 1),
                message("not-json", "hello", 1),
                message("empty", "", 1),
                message("array", "[1,2]", 1),
                message("wrong-type", Json.write(wrongType), 1),
                message("no-action", Json.write(noAction), 1),
                message("unknown-rule", Json.write(unknownRule), 1),
                message("bad-severity", Json.write(badSeverity), 1),
                message("good", Json.write(good), 1)),
            null);
    assertThat(failed(response))
        .containsExactlyInAnyOrder(
            "truncated",
            "not-json",
            "empty",
            "array",
            "wrong-type",
            "no-action",
            "unknown-rule",
            "bad-severity");
    assertThat(revokes()).isEqualTo(1);
    assertThat(worker.handleRequest(new SQSEvent(), null).getBatchItemFailures()).isEmpty();
  }
}
