package dev.trailmark.audit.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.ActionNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped rule against compliant, non-compliant and not-applicable fixtures of each trigger.
 */
class RuleFixturesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final RuleSet RULES = load();

  private static RuleSet load() {
    try {
      return new RuleLoader(ActionNames.RESOURCE_TYPES).loadDirectory(Path.of("rules"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<Rule> rules() {
    return RULES.rules().stream();
  }

  @Test
  void shipsAtLeastTwelveRulesEachWithARemediationOrNotifyOnly() {
    assertThat(RULES.rules()).hasSizeGreaterThanOrEqualTo(12);
    assertThat(RULES.rules())
        .allSatisfy(
            r ->
                assertThat(
                        ActionNames.ALL.contains(r.action()) || r.action().equals(Rule.NOTIFY_ONLY))
                    .isTrue());
  }

  @Test
  void builtInRulesOnTheClasspathAreTheRuleFiles() {
    RuleSet builtIn = new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn();
    assertThat(builtIn.rules())
        .extracting(Rule::id)
        .containsExactlyInAnyOrderElementsOf(RULES.rules().stream().map(Rule::id).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void configItemFixtures(Rule rule) throws IOException {
    JsonNode fixtures = fixtures(rule).path("configItem");
    if (!rule.onConfigChange() && !rule.periodic()) {
      assertThat(fixtures.isMissingNode()).as("no Config trigger, so no Config fixtures").isTrue();
      return;
    }
    assertThat(rule.evaluateConfigItem(fixtures.get("compliant"))).isEqualTo(Verdict.COMPLIANT);
    assertThat(rule.evaluateConfigItem(fixtures.get("nonCompliant")))
        .isEqualTo(Verdict.NON_COMPLIANT);
    assertThat(rule.evaluateConfigItem(fixtures.get("notApplicable")))
        .isEqualTo(Verdict.NOT_APPLICABLE);
    // Another resource type is never this rule's business.
    JsonNode other = fixtures.get("nonCompliant").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) other).put("resourceType", "AWS::SQS::Queue");
    assertThat(rule.evaluateConfigItem(other)).isEqualTo(Verdict.NOT_APPLICABLE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void cloudTrailFixtures(Rule rule) throws IOException {
    JsonNode fixtures = fixtures(rule).path("cloudTrail");
    if (rule.eventNames().isEmpty()) {
      assertThat(fixtures.isMissingNode()).isTrue();
      return;
    }
    RuleEngine engine = new RuleEngine(RULES);
    JsonNode bad = fixtures.get("nonCompliant");
    assertThat(rule.evaluateEvent(bad)).isEqualTo(Verdict.NON_COMPLIANT);
    List<Finding> findings = engine.evaluateEvent(bad, "test");
    assertThat(findings).extracting(Finding::ruleId).contains(rule.id());
    Finding finding =
        findings.stream().filter(f -> f.ruleId().equals(rule.id())).findFirst().orElseThrow();
    assertThat(finding.resourceId()).isNotBlank();
    assertThat(finding.accountId()).isEqualTo("123456789012");
    assertThat(finding.region()).isEqualTo("us-east-1");
    assertThat(finding.actor()).contains("assumed-role/Developer");
    // A failed call changed nothing.
    JsonNode failed = fixtures.get("notApplicable");
    assertThat(failed.has("errorCode")).isTrue();
    assertThat(rule.evaluateEvent(failed)).isEqualTo(Verdict.NOT_APPLICABLE);
    assertThat(engine.evaluateEvent(failed, "test"))
        .extracting(Finding::ruleId)
        .doesNotContain(rule.id());
    if (fixtures.has("compliant")) {
      assertThat(rule.evaluateEvent(fixtures.get("compliant"))).isEqualTo(Verdict.COMPLIANT);
      assertThat(engine.evaluateEvent(fixtures.get("compliant"), "test"))
          .extracting(Finding::ruleId)
          .doesNotContain(rule.id());
    }
    // Only the rule's own calls count: the same request under another name or service is not its
    // business
    // (for StopLogging or DeleteTrail, where the call itself is the violation, this is the
    // compliant case).
    com.fasterxml.jackson.databind.node.ObjectNode renamed = bad.deepCopy();
    renamed.put("eventName", "Describe" + bad.path("eventName").asText());
    assertThat(rule.evaluateEvent(renamed)).isEqualTo(Verdict.NOT_APPLICABLE);
    com.fasterxml.jackson.databind.node.ObjectNode otherService = bad.deepCopy();
    otherService.put("eventSource", "sts.amazonaws.com");
    assertThat(rule.evaluateEvent(otherService)).isEqualTo(Verdict.NOT_APPLICABLE);
  }

  @Test
  void securityGroupRuleIgnoresOpenHttpsButFlagsAllPortsAndIpv6() throws IOException {
    Rule rule = RULES.get("ec2-sg-open-admin-ports").orElseThrow();
    JsonNode item = fixtures(rule).path("configItem").get("compliant").deepCopy();
    assertThat(rule.evaluateConfigItem(item)).isEqualTo(Verdict.COMPLIANT);
    String allPorts =
        "{\"ipProtocol\":\"-1\",\"ipv4Ranges\":[],\"ipRanges\":[],"
            + "\"ipv6Ranges\":[{\"cidrIpv6\":\"::/0\"}],\"prefixListIds\":[],\"userIdGroupPairs\":[]}";
    ((com.fasterxml.jackson.databind.node.ArrayNode)
            item.path("configuration").path("ipPermissions"))
        .add(MAPPER.readTree(allPorts));
    assertThat(rule.evaluateConfigItem(item)).isEqualTo(Verdict.NON_COMPLIANT);
  }

  @Test
  void publicBucketPolicyWithAConditionIsNotPublic() throws IOException {
    Rule rule = RULES.get("s3-bucket-public").orElseThrow();
    JsonNode event = fixtures(rule).path("cloudTrail").get("nonCompliant").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode)
            event.path("requestParameters").path("bucketPolicy").path("Statement").get(0))
        .set(
            "Condition",
            MAPPER.readTree("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc123\"}}"));
    assertThat(rule.evaluateEvent(event)).isEqualTo(Verdict.COMPLIANT);
  }

  static JsonNode fixtures(Rule rule) throws IOException {
    try (InputStream in =
        RuleFixturesTest.class.getResourceAsStream("/fixtures/" + rule.id() + ".json")) {
      assertThat(in).as("fixture file for " + rule.id()).isNotNull();
      return MAPPER.readTree(in);
    }
  }
}
