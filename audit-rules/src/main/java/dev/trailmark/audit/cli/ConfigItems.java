package dev.trailmark.audit.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.rules.Verdict;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Reads AWS Config configuration items for {@code trailmark audit evaluate}, in every shape a user
 * has at hand: an item as a Config rule notification carries it; a Config rule invocation event
 * (what the Lambda function receives, {@code invokingEvent} as text); the output of {@code aws
 * configservice select-resource-config} ({@code Results}, each item as JSON text), {@code
 * get-resource-config-history} ({@code configurationItems}) or {@code batch-get-resource-config}
 * ({@code baseConfigurationItems}); or a JSON array of any of these. Items are brought to the
 * notification's shape the rules read ({@code configuration} parsed, tags as a map).
 */
final class ConfigItems {
  /** A file larger than this is refused rather than read into memory. */
  static final long MAX_FILE_BYTES = 256L << 20;

  private ConfigItems() {}

  /**
   * Every {@code .json} / {@code .json.gz} file named by or under the given paths, sorted per
   * folder.
   */
  static List<Path> expand(List<Path> paths) throws IOException {
    return CloudTrailFiles.jsonFiles(paths, p -> true);
  }

  /**
   * Gives each item of {@code file} to {@code sink} with the rule id the input names (a Config rule
   * event's {@code ruleId} parameter or {@code trailmark-<id>} rule name), or null for every rule
   * of the item's type. Throws IOException naming the problem for input that holds no item.
   */
  static void forEachItem(Path file, RuleSet rules, BiConsumer<JsonNode, String> sink)
      throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IOException("larger than " + (MAX_FILE_BYTES >> 20) + " MiB; split it");
    }
    JsonNode root;
    try (InputStream in = CloudTrailFiles.open(file)) {
      root = Json.MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new IOException("empty file");
    }
    visit(root, rules, sink, 0);
  }

  private static void visit(
      JsonNode node, RuleSet rules, BiConsumer<JsonNode, String> sink, int depth)
      throws IOException {
    if (depth > 3) {
      throw new IOException("nested too deep: not a Config item, rule event or query result");
    }
    if (node.isTextual() && depth > 0) {
      // select-resource-config gives each result as JSON text.
      visit(parse(node.asText(), "a Results element"), rules, sink, depth + 1);
      return;
    }
    if (node.isArray()) {
      for (JsonNode element : node) {
        visit(element, rules, sink, depth + 1);
      }
      return;
    }
    if (!node.isObject()) {
      throw new IOException(shapeError());
    }
    if (node.has("invokingEvent")) {
      invocation(node, rules, sink);
    } else if (node.path("Results").isArray()) {
      visitAll(node.path("Results"), rules, sink, depth);
    } else if (node.path("configurationItems").isArray()) {
      visitAll(node.path("configurationItems"), rules, sink, depth);
    } else if (node.path("baseConfigurationItems").isArray()) {
      visitAll(node.path("baseConfigurationItems"), rules, sink, depth);
    } else if (node.path("configurationItem").isObject()) {
      sink.accept(normalize(node.path("configurationItem")), null);
    } else if (node.path("resourceType").isTextual()) {
      sink.accept(normalize(node), null);
    } else {
      throw new IOException(shapeError());
    }
  }

  private static void visitAll(
      JsonNode array, RuleSet rules, BiConsumer<JsonNode, String> sink, int depth)
      throws IOException {
    for (JsonNode element : array) {
      visit(element, rules, sink, depth + 1);
    }
  }

  /** A Config rule invocation event, as the Lambda function receives it. */
  private static void invocation(JsonNode event, RuleSet rules, BiConsumer<JsonNode, String> sink)
      throws IOException {
    JsonNode invoking = event.path("invokingEvent");
    if (invoking.isTextual()) {
      invoking = parse(invoking.asText(), "invokingEvent");
    }
    String ruleId = ruleId(event, rules);
    String type = invoking.path("messageType").asText("");
    switch (type) {
      case "ConfigurationItemChangeNotification":
        {
          JsonNode item = invoking.path("configurationItem");
          if (!item.isObject()) {
            throw new IOException(type + " without a configurationItem");
          }
          ObjectNode normalized = normalize(item);
          if (event.path("eventLeftScope").asBoolean(false)) {
            // Config says the resource left the rule's scope: not applicable, as the handler
            // decides.
            normalized.put("configurationItemStatus", "ResourceNotRecorded");
          }
          sink.accept(normalized, ruleId);
          return;
        }
      case "OversizedConfigurationItemChangeNotification":
        {
          JsonNode summary = invoking.path("configurationItemSummary");
          throw new IOException(
              type
                  + ": the item is not in the event; fetch it with `aws configservice "
                  + "get-resource-config-history --resource-type "
                  + summary.path("resourceType").asText("TYPE")
                  + " --resource-id "
                  + summary.path("resourceId").asText("ID")
                  + " --limit 1` and evaluate that");
        }
      case "ScheduledNotification":
        throw new IOException(
            type
                + " names no item; evaluate the output of `aws configservice "
                + "select-resource-config` for the rule's resource type instead");
      default:
        throw new IOException("Config rule event with unknown messageType '" + type + "'");
    }
  }

  private static String ruleId(JsonNode event, RuleSet rules) throws IOException {
    JsonNode params = event.path("ruleParameters");
    if (params.isTextual() && !params.asText().isBlank()) {
      params = parse(params.asText(), "ruleParameters");
    }
    String id = params.path("ruleId").asText(null);
    if (id != null) {
      if (rules.get(id).isEmpty()) {
        throw new IOException(
            "ruleParameters name rule '" + id + "', which the rule set does not have");
      }
      return id;
    }
    String name = event.path("configRuleName").asText("");
    String bare = name.startsWith("trailmark-") ? name.substring("trailmark-".length()) : name;
    return rules.get(bare).isPresent() ? bare : null;
  }

  /**
   * The findings of one item: every Config rule of its type (or just {@code ruleId}) that it
   * violates.
   */
  static List<Finding> evaluate(RuleSet rules, JsonNode item, String ruleId) {
    List<Finding> out = new ArrayList<>(1);
    for (Rule rule : rules.forResourceType(item.path("resourceType").asText(""))) {
      if (ruleId != null && !rule.id().equals(ruleId)) {
        continue;
      }
      if (rule.evaluateConfigItem(item) == Verdict.NON_COMPLIANT) {
        out.add(Finding.fromConfigItem(rule, item, "ConfigurationItem"));
      }
    }
    return out;
  }

  /**
   * The notification's shape: {@code configuration} parsed, tags a map, account and ARN named
   * alike.
   */
  static ObjectNode normalize(JsonNode item) {
    ObjectNode node = item.deepCopy();
    if (node.path("configuration").isTextual()) {
      node.set("configuration", parseOrKeep(node.path("configuration")));
    }
    if (node.path("supplementaryConfiguration").isObject()) {
      ObjectNode supp = (ObjectNode) node.path("supplementaryConfiguration");
      List<String> names = new ArrayList<>();
      supp.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        supp.set(name, parseOrKeep(supp.path(name)));
      }
    }
    if (!node.has("awsAccountId") && node.has("accountId")) {
      node.set("awsAccountId", node.get("accountId"));
    }
    if (!node.has("ARN") && node.has("arn")) {
      node.set("ARN", node.get("arn"));
    }
    JsonNode tags = node.path("tags");
    if (tags.isArray()) {
      ObjectNode map = Json.object();
      for (JsonNode tag : tags) {
        String key = tag.path("key").asText(tag.path("Key").asText(null));
        if (key != null) {
          map.put(key, tag.path("value").asText(tag.path("Value").asText("")));
        }
      }
      node.set("tags", map);
    }
    return node;
  }

  private static JsonNode parseOrKeep(JsonNode value) {
    if (!value.isTextual()) {
      return value;
    }
    try {
      JsonNode parsed = Json.read(value.asText());
      return parsed.isContainerNode() ? parsed : value;
    } catch (IllegalArgumentException e) {
      return value;
    }
  }

  private static JsonNode parse(String text, String what) throws IOException {
    try {
      return Json.read(text);
    } catch (IllegalArgumentException e) {
      throw new IOException(what + ": " + e.getMessage(), e);
    }
  }

  private static String shapeError() {
    return "not a Config configuration item, Config rule event or select-resource-config result "
        + "(expected resourceType, invokingEvent, Results, configurationItems or baseConfigurationItems)";
  }
}
