package dev.trailmark.audit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.common.json.Json;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a deployment derives from the rule files, so templates never restate them: the EventBridge
 * event pattern that routes exactly the CloudTrail calls some rule watches to the CloudTrail
 * handler, and one AWS Config custom rule per rule with Config triggers (scope, parameters,
 * frequency).
 */
final class Deployment {
  private Deployment() {}

  static ObjectNode describe(RuleSet rules) {
    ObjectNode root = Json.object();
    TreeMap<String, TreeSet<String>> namesBySource = new TreeMap<>();
    for (Rule rule : rules.rules()) {
      if (!rule.eventNames().isEmpty()) {
        namesBySource
            .computeIfAbsent(rule.eventSource(), k -> new TreeSet<>())
            .addAll(rule.eventNames());
      }
    }
    ObjectNode pattern = root.putObject("eventBridgePattern");
    pattern.putArray("detail-type").add("AWS API Call via CloudTrail");
    ArrayNode sources = pattern.putArray("source");
    ObjectNode detail = pattern.putObject("detail");
    ArrayNode eventSources = detail.putArray("eventSource");
    ArrayNode eventNames = detail.putArray("eventName");
    TreeSet<String> allNames = new TreeSet<>();
    namesBySource.forEach(
        (source, names) -> {
          sources.add("aws." + source.substring(0, source.indexOf('.')));
          eventSources.add(source);
          allNames.addAll(names);
        });
    allNames.forEach(eventNames::add);
    // Failed calls never reach the handler: it would skip them anyway.
    detail.putArray("errorCode").addObject().put("exists", false);

    ArrayNode configRules = root.putArray("configRules");
    ArrayNode all = root.putArray("rules");
    for (Rule rule : rules.rules()) {
      ObjectNode r = all.addObject();
      r.put("id", rule.id());
      r.put("title", rule.title());
      r.put("severity", rule.severity().name().toLowerCase(Locale.ROOT));
      r.put("resourceType", rule.resourceType());
      r.put("action", rule.action());
      r.put("dryRun", rule.dryRun());
      if (rule.onConfigChange() || rule.periodic()) {
        ObjectNode c = configRules.addObject();
        c.put("configRuleName", "trailmark-" + rule.id());
        c.put("description", rule.title());
        c.putObject("scope").putArray("complianceResourceTypes").add(rule.resourceType());
        c.put("inputParameters", "{\"ruleId\":\"" + rule.id() + "\"}");
        ArrayNode types = c.putArray("messageTypes");
        if (rule.onConfigChange()) {
          types.add("ConfigurationItemChangeNotification");
          types.add("OversizedConfigurationItemChangeNotification");
        }
        if (rule.periodic()) {
          types.add("ScheduledNotification");
          c.put("maximumExecutionFrequency", "TwentyFour_Hours");
        }
      }
    }
    return root;
  }
}
