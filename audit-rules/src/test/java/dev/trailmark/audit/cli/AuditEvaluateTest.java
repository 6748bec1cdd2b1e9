package dev.trailmark.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trailmark audit evaluate}: AWS Config items in the shapes a user has at hand, judged by
 * the Config rules outside Lambda, with the output and exit codes of {@code scan}.
 */
class AuditEvaluateTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return AuditCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static JsonNode item(String rule, String kind) throws Exception {
    return Json.read(Files.readString(Path.of("src/test/resources/fixtures/" + rule + ".json")))
        .path("configItem")
        .path(kind);
  }

  /**
   * A Config rule invocation event as the Lambda function receives it (AWS Config developer guide,
   * "Example events for AWS Config rules"): invokingEvent and ruleParameters are JSON text.
   */
  private static ObjectNode invocation(JsonNode item, String ruleId, boolean leftScope) {
    ObjectNode invoking = Json.object();
    invoking.set("configurationItemDiff", null);
    invoking.set("configurationItem", item);
    invoking.put("notificationCreationTime", "2026-11-20T10:16:00.000Z");
    invoking.put("messageType", "ConfigurationItemChangeNotification");
    invoking.put("recordVersion", "1.3");
    ObjectNode event = Json.object();
    event.put("version", "1.0");
    event.put("invokingEvent", Json.write(invoking));
    event.put("ruleParameters", "{\"ruleId\":\"" + ruleId + "\"}");
    event.put("resultToken", "myResultToken");
    event.put("eventLeftScope", leftScope);
    event.put("executionRoleArn", "arn:aws:iam::123456789012:role/config-role");
    event.put(
        "configRuleArn", "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-0123456");
    event.put("configRuleName", "trailmark-" + ruleId);
    event.put("configRuleId", "config-rule-0123456");
    event.put("accountId", "123456789012");
    return event;
  }

  @Test
  void aConfigurationItemIsJudgedLikeTheConfigRuleWouldAndFailOnWorksAsInScan(@TempDir Path dir)
      throws Exception {
    Path bad = dir.resolve("sg.json");
    Files.writeString(bad, Json.write(item("ec2-sg-open-admin-ports", "nonCompliant")));
    assertThat(run("evaluate", bad.toString())).isEqualTo(0);
    assertThat(out())
        .contains(
            "ec2-sg-open-admin-ports",
            "sg-0a1b2c3d4e5f60718",
            "would revoke only the ingress permissions of sg-0a1b2c3d4e5f60718",
            "1 configuration item in 1 file, 1 finding (critical: 1)");
    assertThat(run("evaluate", "--fail-on", "critical", bad.toString())).isEqualTo(2);

    Path good = dir.resolve("sg-good.json");
    Files.writeString(good, Json.write(item("ec2-sg-open-admin-ports", "compliant")));
    assertThat(run("evaluate", "--fail-on", "info", good.toString())).isEqualTo(0);
    assertThat(out()).contains("1 configuration item in 1 file, 0 findings");
  }

  @Test
  void aConfigRuleInvocationEventIsJudgedByTheRuleItNames(@TempDir Path dir) throws Exception {
    JsonNode sg = item("ec2-sg-open-admin-ports", "nonCompliant");
    Files.writeString(
        dir.resolve("a.json"), Json.write(invocation(sg, "ec2-sg-open-admin-ports", false)));
    assertThat(run("evaluate", "--fail-on", "high", dir.resolve("a.json").toString())).isEqualTo(2);
    assertThat(out()).contains("ec2-sg-open-admin-ports", "1 finding (critical: 1)");
    // The rule the event names is the only one applied, as in Lambda.
    Files.writeString(dir.resolve("b.json"), Json.write(invocation(sg, "logs-retention", false)));
    assertThat(run("evaluate", dir.resolve("b.json").toString())).isEqualTo(0);
    assertThat(out()).contains("0 findings");
    // A resource that left the rule's scope is not applicable.
    Files.writeString(
        dir.resolve("c.json"), Json.write(invocation(sg, "ec2-sg-open-admin-ports", true)));
    assertThat(run("evaluate", dir.resolve("c.json").toString())).isEqualTo(0);
    assertThat(out()).contains("0 findings");
  }

  @Test
  void aSelectResourceConfigResultIsJudgedItemByItem(@TempDir Path dir) throws Exception {
    // `aws configservice select-resource-config --expression "SELECT ... WHERE resourceType =
    // 'AWS::Elasticsearch::Domain'"` prints Results as JSON text, with the advanced query's names:
    // accountId, arn, tags as a key/value list (AWS Config developer guide, advanced queries).
    ObjectNode result = Json.object();
    ArrayNode results = result.putArray("Results");
    for (String kind : new String[] {"nonCompliant", "compliant"}) {
      ObjectNode i = (ObjectNode) item("elasticsearch-domain-encryption", kind).deepCopy();
      i.put("accountId", i.remove("awsAccountId").asText());
      i.put("arn", i.remove("ARN").asText());
      i.put("resourceName", kind.equals("compliant") ? "other-search" : "search-logs");
      i.put("resourceId", "123456789012/" + i.path("resourceName").asText());
      i.putArray("tags").addObject().put("key", "team").put("value", "search");
      results.add(Json.write(i));
    }
    result.putObject("QueryInfo").putArray("SelectFields").addObject().put("Name", "resourceId");
    Path file = dir.resolve("select.json");
    Files.writeString(file, Json.write(result));
    assertThat(run("evaluate", "--format", "json", file.toString())).isEqualTo(0);
    JsonNode json = Json.read(out());
    assertThat(json.path("items").asInt()).isEqualTo(2);
    assertThat(json.path("files").asInt()).isEqualTo(1);
    assertThat(json.path("findings")).hasSize(1);
    JsonNode finding = json.path("findings").get(0);
    assertThat(finding.path("ruleId").asText()).isEqualTo("elasticsearch-domain-encryption");
    assertThat(finding.path("resourceId").asText()).isEqualTo("123456789012/search-logs");
    assertThat(finding.path("accountId").asText()).isEqualTo("123456789012");
    assertThat(finding.path("tags").path("team").asText()).isEqualTo("search");
    assertThat(finding.path("remediation").asText())
        .isEqualTo("notify the owner only; change nothing");
  }

  @Test
  void inputWithoutAnItemIsNamedAndFailsTheRunWhileTheRestIsJudged(@TempDir Path dir)
      throws Exception {
    Files.writeString(
        dir.resolve("1-good.json"), Json.write(item("s3-default-encryption", "nonCompliant")));
    ObjectNode oversized = Json.object();
    oversized.put(
        "invokingEvent",
        "{\"configurationItemSummary\":{\"resourceType\":\"AWS::S3::Bucket\","
            + "\"resourceId\":\"big-bucket\"},\"messageType\":\"OversizedConfigurationItemChangeNotification\"}");
    Files.writeString(dir.resolve("2-oversized.json"), Json.write(oversized));
    Files.writeString(dir.resolve("3-cloudtrail.json"), "{\"Records\":[]}");
    Files.writeString(dir.resolve("4-truncated.json"), "{\"resourceType\":\"AWS::S3::Bu");
    assertThat(run("evaluate", dir.toString())).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "2-oversized.json: OversizedConfigurationItemChangeNotification: the item is not in the event; "
                + "fetch it with `aws configservice get-resource-config-history --resource-type AWS::S3::Bucket "
                + "--resource-id big-bucket --limit 1`")
        .contains("3-cloudtrail.json: not a Config configuration item")
        .contains("4-truncated.json: malformed JSON");
    assertThat(out())
        .contains(
            "s3-default-encryption",
            "1 configuration item in 4 files (3 damaged or unreadable: records before the damage were read), "
                + "1 finding (medium: 1)");
    assertThat(run("evaluate", "--fail-on", "medium", dir.toString())).isEqualTo(2);
    assertThat(run("evaluate")).isEqualTo(1);
    assertThat(run("evaluate", "/no/such/item.json")).isEqualTo(1);
  }
}
