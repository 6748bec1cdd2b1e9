package dev.trailmark.audit.handlers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.ConfigEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.testing.Fixtures;
import dev.trailmark.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Config rule handler for every notification type, against WireMock as AWS Config. */
class ConfigRuleHandlerTest {
  private static final String CONFIG = "StarlingDoveService.";
  private final Harness h = new Harness();
  private ConfigRuleHandler handler;

  @BeforeEach
  void setUp() {
    handler = new ConfigRuleHandler(h.context(s -> {}));
    h.stub.json(CONFIG + "PutEvaluations", "{\"FailedEvaluations\":[]}");
  }

  @AfterEach
  void close() {
    h.close();
  }

  static ConfigEvent event(String ruleId, JsonNode invoking, String token) {
    return new ConfigEvent()
        .withVersion("1.0")
        .withInvokingEvent(Json.write(invoking))
        .withRuleParameters("{\"ruleId\":\"" + ruleId + "\"}")
        .withResultToken(token)
        .withConfigRuleName("trailmark-" + ruleId)
        .withAccountId("123456789012")
        .withConfigRuleArn("arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abc123")
        .withEventLeftScope(false);
  }

  static ObjectNode change(JsonNode item) {
    ObjectNode e = Json.object();
    e.putNull("configurationItemDiff");
    e.set("configurationItem", item);
    e.put("notificationCreationTime", "2026-11-20T10:15:03.000Z");
    e.put("messageType", "ConfigurationItemChangeNotification");
    e.put("recordVersion", "1.3");
    return e;
  }

  List<JsonNode> evaluationCalls() {
    List<JsonNode> out = new ArrayList<>();
    h.stub
        .requests(h.stub.jsonRequest(CONFIG + "PutEvaluations"))
        .forEach(r -> out.add(Json.read(r.getBodyAsString())));
    return out;
  }

  @Test
  void changeNotificationPutsOneEvaluationAndNotifiesTheViolation() {
    String result =
        handler.handleRequest(
            event(
                "ec2-sg-open-admin-ports",
                change(Fixtures.badItem("ec2-sg-open-admin-ports")),
                "token-1"),
            null);
    assertThat(result).isEqualTo("1 evaluations, 1 non-compliant");
    h.stub.server.verify(
        h.stub
            .jsonRequest(CONFIG + "PutEvaluations")
            .withRequestBody(
                equalToJson(
                    "{\"Evaluations\":[{\"ComplianceResourceType\":\"AWS::EC2::SecurityGroup\","
                        + "\"ComplianceResourceId\":\"sg-0a1b2c3d4e5f60718\",\"ComplianceType\":\"NON_COMPLIANT\","
                        + "\"Annotation\":\"Security group opens SSH, RDP or all ports to the internet\","
                        + "\"OrderingTimestamp\":1795169700}],\"ResultToken\":\"token-1\",\"TestMode\":false}")));
    assertThat(h.notices()).hasSize(1);
  }

  @Test
  void compliantItemsAreCompliantAndNotNotified() {
    handler.handleRequest(
        event(
            "ec2-sg-open-admin-ports",
            change(Fixtures.of("ec2-sg-open-admin-ports").path("configItem").path("compliant")),
            "t"),
        null);
    assertThat(evaluationCalls().get(0).path("Evaluations").get(0).path("ComplianceType").asText())
        .isEqualTo("COMPLIANT");
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void testModeTokenPutsEvaluationsInTestModeAndActsOnNothing() {
    handler.handleRequest(
        event(
            "ec2-sg-open-admin-ports",
            change(Fixtures.badItem("ec2-sg-open-admin-ports")),
            "TESTMODE"),
        null);
    JsonNode call = evaluationCalls().get(0);
    assertThat(call.path("TestMode").asBoolean()).isTrue();
    assertThat(call.path("ResultToken").asText()).isEqualTo("TESTMODE");
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void deletedResourcesAndResourcesThatLeftScopeAreNotApplicable() {
    handler.handleRequest(
        event(
            "ec2-sg-open-admin-ports",
            change(Fixtures.of("ec2-sg-open-admin-ports").path("configItem").path("notApplicable")),
            "t"),
        null);
    ConfigEvent left =
        event("ec2-sg-open-admin-ports", change(Fixtures.badItem("ec2-sg-open-admin-ports")), "t")
            .withEventLeftScope(true);
    handler.handleRequest(left, null);
    assertThat(evaluationCalls())
        .extracting(c -> c.path("Evaluations").get(0).path("ComplianceType").asText())
        .containsExactly("NOT_APPLICABLE", "NOT_APPLICABLE");
    assertThat(evaluationCalls().get(1).path("Evaluations").get(0).path("Annotation").asText())
        .contains("left");
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void oversizedNotificationFetchesTheItemFromHistory() {
    JsonNode item = Fixtures.badItem("ec2-sg-open-admin-ports");
    ObjectNode api = Json.object();
    api.put("version", "1.3");
    api.put("accountId", "123456789012");
    api.put("configurationItemCaptureTime", 1.7640975E9);
    api.put("configurationItemStatus", "OK");
    api.put("configurationStateId", "1732097700000");
    api.put("arn", item.path("ARN").asText());
    api.put("resourceType", "AWS::EC2::SecurityGroup");
    api.put("resourceId", "sg-0a1b2c3d4e5f60718");
    api.put("resourceName", "web");
    api.put("awsRegion", "us-east-1");
    api.putObject("tags").put("team", "orders");
    api.put("configuration", Json.write(item.path("configuration")));
    api.putObject("supplementaryConfiguration");
    api.putArray("relatedEvents");
    api.putArray("relationships");
    ObjectNode history = Json.object();
    history.putArray("configurationItems").add(api);
    h.stub.json(CONFIG + "GetResourceConfigHistory", Json.write(history));

    ObjectNode invoking = Json.object();
    ObjectNode summary = invoking.putObject("configurationItemSummary");
    summary.put("changeType", "UPDATE");
    summary.put("configurationItemVersion", "1.3");
    summary.put("configurationItemCaptureTime", "2026-11-20T10:15:00.000Z");
    summary.put("configurationStateId", 1732097700000L);
    summary.put("awsAccountId", "123456789012");
    summary.put("configurationItemStatus", "OK");
    summary.put("resourceType", "AWS::EC2::SecurityGroup");
    summary.put("resourceId", "sg-0a1b2c3d4e5f60718");
    summary.put("resourceName", "web");
    summary.put("awsRegion", "us-east-1");
    invoking.put("messageType", "OversizedConfigurationItemChangeNotification");
    invoking.put("notificationCreationTime", "2026-11-20T10:15:03.000Z");
    invoking.put("recordVersion", "1.0");
    assertThat(handler.handleRequest(event("ec2-sg-open-admin-ports", invoking, "t"), null))
        .isEqualTo("1 evaluations, 1 non-compliant");
    h.stub.server.verify(
        h.stub
            .jsonRequest(CONFIG + "GetResourceConfigHistory")
            .withRequestBody(
                equalToJson(
                    "{\"resourceType\":\"AWS::EC2::SecurityGroup\",\"resourceId\":\"sg-0a1b2c3d4e5f60718\",\"limit\":1}")));
    assertThat(evaluationCalls().get(0).path("Evaluations").get(0).path("ComplianceType").asText())
        .isEqualTo("NON_COMPLIANT");

    // History holds nothing any more: the resource is not applicable, never "compliant" by default.
    h.stub.json(CONFIG + "GetResourceConfigHistory", "{\"configurationItems\":[]}");
    assertThat(handler.handleRequest(event("ec2-sg-open-admin-ports", invoking, "t"), null))
        .isEqualTo("1 evaluations, 0 non-compliant");
    assertThat(evaluationCalls().get(1).path("Evaluations").get(0).path("ComplianceType").asText())
        .isEqualTo("NOT_APPLICABLE");
  }

  @Test
  void scheduledNotificationEvaluatesEveryRecordedResourceInChunksOfOneHundred() {
    int total = 250;
    ArrayNode page1 = Json.MAPPER.createArrayNode();
    ArrayNode page2 = Json.MAPPER.createArrayNode();
    for (int i = 0; i < total; i++) {
      ObjectNode id = (i < 125 ? page1 : page2).addObject();
      id.put("resourceType", "AWS::Logs::LogGroup");
      id.put("resourceId", String.format("/aws/lambda/fn-%03d", i));
      id.put("resourceName", String.format("/aws/lambda/fn-%03d", i));
    }
    h.stub.server.stubFor(
        h.stub
            .jsonCall(CONFIG + "ListDiscoveredResources")
            .withRequestBody(containing("nextToken"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody("{\"resourceIdentifiers\":" + Json.write(page2) + "}")));
    h.stub.server.stubFor(
        h.stub
            .jsonCall(CONFIG + "ListDiscoveredResources")
            .withRequestBody(equalToJson("{\"resourceType\":\"AWS::Logs::LogGroup\"}"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"resourceIdentifiers\":"
                            + Json.write(page1)
                            + ",\"nextToken\":\"page-2\"}")));
    for (int start = 0; start < total; start += 100) {
      ArrayNode items = Json.MAPPER.createArrayNode();
      for (int i = start; i < Math.min(total, start + 100); i++) {
        ObjectNode item = items.addObject();
        String name = String.format("/aws/lambda/fn-%03d", i);
        item.put("version", "1.3");
        item.put("accountId", "123456789012");
        item.put("configurationItemCaptureTime", 1.7640975E9);
        item.put("configurationItemStatus", "OK");
        item.put("configurationStateId", "1732097700000");
        item.put("arn", "arn:aws:logs:us-east-1:123456789012:log-group:" + name);
        item.put("resourceType", "AWS::Logs::LogGroup");
        item.put("resourceId", name);
        item.put("awsRegion", "us-east-1");
        item.put(
            "configuration",
            i % 10 != 1
                ? "{\"logGroupName\":\"" + name + "\",\"retentionInDays\":30}"
                : "{\"logGroupName\":\"" + name + "\"}");
        item.putObject("supplementaryConfiguration");
      }
      h.stub.server.stubFor(
          h.stub
              .jsonCall(CONFIG + "BatchGetResourceConfig")
              .withRequestBody(containing(String.format("\"/aws/lambda/fn-%03d\"", start)))
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withBody(
                          "{\"baseConfigurationItems\":"
                              + Json.write(items)
                              + ",\"unprocessedResourceKeys\":[]}")));
    }
    ObjectNode invoking = Json.object();
    invoking.put("awsAccountId", "123456789012");
    invoking.put("notificationCreationTime", "2026-11-20T10:00:00.000Z");
    invoking.put("messageType", "ScheduledNotification");
    invoking.put("recordVersion", "1.0");
    assertThat(handler.handleRequest(event("logs-retention", invoking, "token-s"), null))
        .isEqualTo("250 evaluations, 25 non-compliant");
    List<JsonNode> calls = evaluationCalls();
    assertThat(calls).extracting(c -> c.path("Evaluations").size()).containsExactly(100, 100, 50);
    assertThat(calls)
        .allSatisfy(c -> assertThat(c.path("ResultToken").asText()).isEqualTo("token-s"));
    assertThat(h.stub.requests(h.stub.jsonRequest(CONFIG + "BatchGetResourceConfig"))).hasSize(3);
    assertThat(calls.get(0).path("Evaluations").get(1).path("ComplianceType").asText())
        .isEqualTo("NON_COMPLIANT");
    assertThat(calls.get(0).path("Evaluations").get(0).path("OrderingTimestamp").asDouble())
        .isEqualTo(1795168800d);
    assertThat(h.notices()).hasSize(25);
  }

  static ObjectNode logGroupItem(String name, boolean retention) {
    ObjectNode item = Json.object();
    item.put("version", "1.3");
    item.put("accountId", "123456789012");
    item.put("configurationItemCaptureTime", 1.7640975E9);
    item.put("configurationItemStatus", "OK");
    item.put("configurationStateId", "1732097700000");
    item.put("resourceType", "AWS::Logs::LogGroup");
    item.put("resourceId", name);
    item.put("awsRegion", "us-east-1");
    item.put(
        "configuration",
        "{\"logGroupName\":\"" + name + "\"" + (retention ? ",\"retentionInDays\":7}" : "}"));
    item.putObject("supplementaryConfiguration");
    return item;
  }

  @Test
  void keysConfigLeavesUnprocessedAreAskedForAgain() {
    h.stub.json(
        CONFIG + "ListDiscoveredResources",
        "{\"resourceIdentifiers\":["
            + "{\"resourceType\":\"AWS::Logs::LogGroup\",\"resourceId\":\"/aws/lambda/a\"},"
            + "{\"resourceType\":\"AWS::Logs::LogGroup\",\"resourceId\":\"/aws/lambda/b\"},"
            + "{\"resourceType\":\"AWS::Logs::LogGroup\",\"resourceId\":\"/aws/lambda/c\"}]}");
    ArrayNode firstItems =
        Json.MAPPER
            .createArrayNode()
            .add(logGroupItem("/aws/lambda/a", true))
            .add(logGroupItem("/aws/lambda/b", false));
    h.stub.server.stubFor(
        h.stub
            .jsonCall(CONFIG + "BatchGetResourceConfig")
            .withRequestBody(containing("/aws/lambda/a"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"baseConfigurationItems\":"
                            + Json.write(firstItems)
                            + ",\"unprocessedResourceKeys\":"
                            + "[{\"resourceType\":\"AWS::Logs::LogGroup\",\"resourceId\":\"/aws/lambda/c\"}]}")));
    h.stub.server.stubFor(
        h.stub
            .jsonCall(CONFIG + "BatchGetResourceConfig")
            .withRequestBody(
                equalToJson(
                    "{\"resourceKeys\":[{\"resourceType\":\"AWS::Logs::LogGroup\",\"resourceId\":\"/aws/lambda/c\"}]}"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withBody(
                        "{\"baseConfigurationItems\":["
                            + Json.write(logGroupItem("/aws/lambda/c", false))
                            + "],\"unprocessedResourceKeys\":[]}")));
    ObjectNode invoking = Json.object();
    invoking.put("messageType", "ScheduledNotification");
    invoking.put("notificationCreationTime", "2026-11-20T10:00:00.000Z");
    assertThat(handler.handleRequest(event("logs-retention", invoking, "t"), null))
        .isEqualTo("3 evaluations, 2 non-compliant");
    assertThat(h.stub.requests(h.stub.jsonRequest(CONFIG + "BatchGetResourceConfig"))).hasSize(2);
  }

  @Test
  void malformedConfigEventsAreRejectedWithoutCallingConfig() {
    JsonNode good = change(Fixtures.badItem("ec2-sg-open-admin-ports"));
    assertThat(handler.handleRequest(null, null)).isEqualTo("rejected");
    assertThat(
            handler.handleRequest(
                event("ec2-sg-open-admin-ports", good, "t")
                    .withInvokingEvent(Json.write(good).substring(0, 60)),
                null))
        .isEqualTo("rejected");
    assertThat(
            handler.handleRequest(
                event("ec2-sg-open-admin-ports", good, "t").withInvokingEvent(null), null))
        .isEqualTo("rejected");
    ObjectNode unknown = Json.object();
    unknown.put("messageType", "ComplianceChangeNotification");
    assertThat(handler.handleRequest(event("ec2-sg-open-admin-ports", unknown, "t"), null))
        .isEqualTo("rejected");
    ObjectNode noItem = change(Fixtures.badItem("ec2-sg-open-admin-ports"));
    noItem.put("configurationItem", "sg-0a1b2c3d4e5f60718");
    assertThat(handler.handleRequest(event("ec2-sg-open-admin-ports", noItem, "t"), null))
        .isEqualTo("rejected");
    assertThat(handler.handleRequest(event("no-such-rule", good, "t"), null)).isEqualTo("rejected");
    assertThat(
            handler.handleRequest(
                event("ec2-sg-open-admin-ports", good, "t").withRuleParameters("{oops"), null))
        .isEqualTo("rejected");
    assertThat(evaluationCalls()).isEmpty();
    assertThat(h.notices()).isEmpty();
  }
}
