package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.remediation.ActionNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every IAM statement of the transformed template (role policies, trust policies, bucket, queue and
 * domain policies): no wildcard action and no {@code "Resource": "*"} outside the written
 * allow-lists below (also in deploy/README.md), and the remediation role's change calls present
 * only for the enabled remediations.
 */
class IamPolicyIT {

  /** Wildcard actions allowed, and why. */
  static final Map<String, String> WILDCARD_ACTIONS =
      Map.of(
          "s3:*",
          "only in Deny statements: the TLS-only bucket policies deny every S3 call made without TLS");

  /**
   * Actions allowed on {@code "Resource": "*"}, because AWS offers no narrower resource for them.
   */
  static final Map<String, String> STAR_RESOURCE_ACTIONS =
      Map.of(
          "xray:PutTraceSegments", "X-Ray has no resource-level permissions",
          "xray:PutTelemetryRecords", "X-Ray has no resource-level permissions",
          "ec2:DescribeSecurityGroups", "EC2 Describe* calls take no resource",
          "s3:GetAccountPublicAccessBlock", "an account-wide setting with no resource ARN",
          "config:BatchGetResourceConfig", "AWS Config reads take no resource",
          "config:GetResourceConfigHistory", "AWS Config reads take no resource",
          "config:ListDiscoveredResources", "AWS Config reads take no resource",
          "config:PutEvaluations", "PutEvaluations takes no resource",
          "s3:*", "the TLS-only Deny covers every principal and call");

  /**
   * The calls each remediation makes when it changes something (read from audit-rules' actions);
   * the worker may make them only when EnabledRemediations names the action.
   */
  static final Map<String, Set<String>> CHANGE_CALLS =
      Map.ofEntries(
          Map.entry("apigateway-set-domain-security-policy", Set.of("apigateway:PATCH")),
          Map.entry(
              "apigateway-disable-default-endpoint", Set.of("apigateway:PATCH", "apigateway:POST")),
          Map.entry("apigateway-enable-stage-tracing", Set.of("apigateway:PATCH")),
          Map.entry("apigateway-enable-stage-logging", Set.of("apigateway:PATCH")),
          Map.entry("ec2-revoke-open-ingress", Set.of("ec2:RevokeSecurityGroupIngress")),
          Map.entry("s3-put-public-access-block", Set.of("s3:PutBucketPublicAccessBlock")),
          Map.entry("s3-enable-default-encryption", Set.of("s3:PutEncryptionConfiguration")),
          Map.entry("cloudtrail-start-logging", Set.of("cloudtrail:StartLogging")),
          Map.entry(
              "cloudtrail-restore-trail",
              Set.of("cloudtrail:CreateTrail", "cloudtrail:StartLogging", "iam:PassRole")),
          Map.entry("cloudtrail-enable-log-file-validation", Set.of("cloudtrail:UpdateTrail")),
          Map.entry("logs-set-retention", Set.of("logs:PutRetentionPolicy")),
          Map.entry("lambda-enable-active-tracing", Set.of("lambda:UpdateFunctionConfiguration")));

  record Statement(String where, String condition, JsonNode body) {}

  @Test
  void noWildcardActionOrStarResourceOutsideTheAllowLists() {
    List<Statement> statements = allStatements();
    assertThat(statements).hasSizeGreaterThan(50);
    assertThat(problems(statements)).isEmpty();
  }

  @Test
  void theCheckRejectsWhatTheAllowListsDoNotName() {
    JsonNode wildcard =
        Tools.JSON
            .createObjectNode()
            .put("Effect", "Allow")
            .put("Action", "s3:Get*")
            .put("Resource", "arn:aws:s3:::b/*");
    JsonNode star =
        Tools.JSON
            .createObjectNode()
            .put("Effect", "Allow")
            .put("Action", "sns:Publish")
            .put("Resource", "*");
    JsonNode allowedStar =
        Tools.JSON
            .createObjectNode()
            .put("Effect", "Allow")
            .put("Action", "xray:PutTraceSegments")
            .put("Resource", "*");
    assertThat(
            problems(
                List.of(
                    new Statement("a", null, wildcard),
                    new Statement("b", null, star),
                    new Statement("c", null, allowedStar))))
        .containsExactly("a: wildcard action s3:Get*", "b: sns:Publish on Resource \"*\"");
  }

  static List<String> problems(List<Statement> statements) {
    List<String> problems = new ArrayList<>();
    for (Statement s : statements) {
      JsonNode b = s.body();
      if (b.has("NotAction") || b.has("NotResource")) {
        problems.add(s.where() + ": NotAction/NotResource");
      }
      boolean deny = "Deny".equals(b.path("Effect").asText());
      for (String action : texts(b.path("Action"))) {
        if (action.contains("*") && !(WILDCARD_ACTIONS.containsKey(action) && deny)) {
          problems.add(s.where() + ": wildcard action " + action);
        }
        if (texts(b.path("Resource")).contains("*") && !STAR_RESOURCE_ACTIONS.containsKey(action)) {
          problems.add(s.where() + ": " + action + " on Resource \"*\"");
        }
      }
      if (b.has("Principal") && texts(b.path("Principal")).contains("*") && !deny) {
        problems.add(s.where() + ": Allow to every principal");
      }
    }
    return problems;
  }

  @Test
  void remediationChangesOnlyForEnabledRemediations() {
    assertThat(CHANGE_CALLS.keySet())
        .as("one row per action audit-rules implements")
        .containsExactlyInAnyOrderElementsOf(ActionNames.ALL);
    Set<String> changeCalls = new TreeSet<>();
    CHANGE_CALLS.values().forEach(changeCalls::addAll);
    Map<String, Set<String>> byCondition = new HashMap<>();
    for (Statement s : statementsOf("RemediationWorkerRole")) {
      Set<String> actions = new TreeSet<>(texts(s.body().path("Action")));
      if (s.condition() == null) {
        assertThat(actions)
            .as(s.where() + " is unconditional: no change call")
            .doesNotContainAnyElementsOf(changeCalls);
      } else {
        byCondition.computeIfAbsent(s.condition(), k -> new TreeSet<>()).addAll(actions);
      }
    }
    CHANGE_CALLS.forEach(
        (action, calls) ->
            assertThat(byCondition.get(condition(action)))
                .as("statement of " + action)
                .isEqualTo(calls));
    assertThat(byCondition.keySet()).hasSize(CHANGE_CALLS.size());
  }

  @Test
  void enabledRemediationsConditionsMatchWholeNames() {
    JsonNode conditions = Tools.transformed().path("Conditions");
    Map<String, String> params =
        Map.of("EnabledRemediations", "ec2-revoke-open-ingress,logs-set-retention");
    assertThat(Conditions.evaluate(conditions.path(condition("ec2-revoke-open-ingress")), params))
        .isTrue();
    assertThat(Conditions.evaluate(conditions.path(condition("logs-set-retention")), params))
        .isTrue();
    assertThat(Conditions.evaluate(conditions.path(condition("cloudtrail-start-logging")), params))
        .isFalse();
    assertThat(
            Conditions.evaluate(
                conditions.path(condition("cloudtrail-start-logging")),
                Map.of("EnabledRemediations", "cloudtrail-start-logging-later")))
        .isFalse();
    assertThat(
            Conditions.evaluate(
                conditions.path(condition("cloudtrail-start-logging")),
                Map.of("EnabledRemediations", "")))
        .isFalse();
  }

  static String condition(String action) {
    StringBuilder b = new StringBuilder("Remediate");
    for (String part : action.split("-")) {
      b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }

  static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray()) {
      node.forEach(n -> out.addAll(texts(n)));
    } else if (node.isObject() && node.has("AWS")) {
      out.addAll(texts(node.get("AWS")));
    } else if (node.isObject() && node.has("Service")) {
      out.addAll(texts(node.get("Service")));
    }
    return out;
  }

  /** Every statement of every policy document in the transformed template. */
  static List<Statement> allStatements() {
    List<Statement> out = new ArrayList<>();
    Tools.resources()
        .properties()
        .forEach(e -> collect(e.getKey(), e.getValue().path("Properties"), out));
    return out;
  }

  static List<Statement> statementsOf(String resource) {
    List<Statement> out = new ArrayList<>();
    collect(resource, Tools.resources().path(resource).path("Properties"), out);
    return out;
  }

  private static void collect(String where, JsonNode node, List<Statement> out) {
    if (node.isObject()) {
      if (node.has("Statement") && node.has("Version")) {
        int i = 0;
        for (JsonNode s : node.path("Statement")) {
          addStatement(where + " statement " + i++, s, null, out);
        }
        return;
      }
      node.properties().forEach(e -> collect(where, e.getValue(), out));
    } else if (node.isArray()) {
      node.forEach(n -> collect(where, n, out));
    }
  }

  private static void addStatement(
      String where, JsonNode s, String condition, List<Statement> out) {
    if (s.has("Fn::If")) {
      JsonNode branches = s.get("Fn::If");
      addStatement(where, branches.get(1), branches.get(0).asText(), out);
      addStatement(where, branches.get(2), "!" + branches.get(0).asText(), out);
    } else if (s.has("Effect")) {
      out.add(
          new Statement(
              where + (s.has("Sid") ? " (" + s.get("Sid").asText() + ")" : ""), condition, s));
    }
  }
}
