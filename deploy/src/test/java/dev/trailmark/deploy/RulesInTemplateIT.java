package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template routes exactly what the rule files need, as {@code ./trailmark audit rules --format
 * json} derives it: the EventBridge pattern of the CloudTrail rule and one Config custom rule per
 * rule with Config triggers.
 */
class RulesInTemplateIT {

  @Test
  void eventBridgePatternIsWhatTheRulesNeed() {
    assertThat(patternDifferences(Tools.auditRules(null))).isEmpty();
  }

  @Test
  void aRuleWatchingANewCloudTrailCallFailsUntilTheTemplateFollows(@TempDir Path rules)
      throws IOException {
    Path shipped = Tools.ROOT.resolve("audit-rules/rules");
    try (Stream<Path> files = Files.list(shipped)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, rules.resolve(f.getFileName()));
      }
    }
    String stopped = Files.readString(shipped.resolve("cloudtrail-logging-stopped.yaml"));
    assertThat(stopped).contains("StopLogging");
    Files.writeString(
        rules.resolve("cloudtrail-event-data-store-deleted.yaml"),
        stopped
            .replace("id: cloudtrail-logging-stopped", "id: cloudtrail-event-data-store-deleted")
            .replace("StopLogging", "DeleteEventDataStore"));
    List<String> differences = patternDifferences(Tools.auditRules(rules));
    assertThat(differences).anyMatch(d -> d.contains("DeleteEventDataStore"));
  }

  @Test
  void configRulesAreWhatTheRulesNeed() {
    Map<String, JsonNode> expected = new TreeMap<>();
    for (JsonNode c : Tools.auditRules(null).path("configRules")) {
      ObjectNode e = Tools.JSON.createObjectNode();
      e.set("scope", c.path("scope").path("complianceResourceTypes"));
      e.put("ruleId", c.path("inputParameters").asText());
      e.set("messageTypes", c.path("messageTypes"));
      e.put("frequency", c.path("maximumExecutionFrequency").asText(""));
      expected.put(c.path("configRuleName").asText(), Tools.normalized(e));
    }
    Map<String, JsonNode> actual = new TreeMap<>();
    for (JsonNode r : Tools.ofType("AWS::Config::ConfigRule").values()) {
      JsonNode p = r.path("Properties");
      ObjectNode a = Tools.JSON.createObjectNode();
      a.set("scope", p.path("Scope").path("ComplianceResourceTypes"));
      a.put("ruleId", p.path("InputParameters").toString());
      var types = a.putArray("messageTypes");
      String frequency = "";
      for (JsonNode d : p.path("Source").path("SourceDetails")) {
        types.add(d.path("MessageType").asText());
        if (d.has("MaximumExecutionFrequency")) {
          frequency = d.path("MaximumExecutionFrequency").asText();
        }
      }
      a.put("frequency", frequency);
      actual.put(p.path("ConfigRuleName").asText(), Tools.normalized(a));
    }
    assertThat(actual).isEqualTo(expected);
  }

  /** What the template's pattern lacks or has too much, compared with what the rules need. */
  static List<String> patternDifferences(JsonNode auditRules) {
    JsonNode needed = Tools.normalized(auditRules.path("eventBridgePattern"));
    JsonNode target = null;
    for (JsonNode rule : Tools.ofType("AWS::Events::Rule").values()) {
      if (rule.path("Properties")
          .path("Targets")
          .get(0)
          .path("Arn")
          .path("Ref")
          .asText()
          .equals("CloudTrailEventFunctionAliaslive")) {
        target = Tools.normalized(rule.path("Properties").path("EventPattern"));
      }
    }
    List<String> out = new ArrayList<>();
    if (target == null) {
      out.add("no EventBridge rule invokes the CloudTrail function");
      return out;
    }
    if (!needed.equals(target)) {
      compare("", needed, target, out);
    }
    return out;
  }

  private static void compare(String path, JsonNode needed, JsonNode actual, List<String> out) {
    if (needed.isObject()) {
      needed
          .properties()
          .forEach(
              e -> compare(path + "." + e.getKey(), e.getValue(), actual.path(e.getKey()), out));
      actual
          .properties()
          .forEach(
              e -> {
                if (!needed.has(e.getKey())) {
                  out.add(path + "." + e.getKey() + " is in the template but no rule needs it");
                }
              });
    } else if (needed.isArray()) {
      needed.forEach(
          n -> {
            if (!contains(actual, n)) {
              out.add(path + ": the template lacks " + n);
            }
          });
      actual.forEach(
          a -> {
            if (!contains(needed, a)) {
              out.add(path + ": the template has " + a + ", which no rule needs");
            }
          });
    } else if (!needed.equals(actual)) {
      out.add(path + ": " + actual + " instead of " + needed);
    }
  }

  private static boolean contains(JsonNode array, JsonNode item) {
    for (JsonNode n : array) {
      if (n.equals(item)) {
        return true;
      }
    }
    return false;
  }
}
