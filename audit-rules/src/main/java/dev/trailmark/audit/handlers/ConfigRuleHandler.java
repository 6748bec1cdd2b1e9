package dev.trailmark.audit.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ConfigEvent;
import com.amazonaws.xray.entities.Subsegment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.Verdict;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.xray.Subsegments;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.config.ConfigClient;
import software.amazon.awssdk.services.config.model.BaseConfigurationItem;
import software.amazon.awssdk.services.config.model.ComplianceType;
import software.amazon.awssdk.services.config.model.ConfigurationItem;
import software.amazon.awssdk.services.config.model.Evaluation;
import software.amazon.awssdk.services.config.model.ResourceIdentifier;
import software.amazon.awssdk.services.config.model.ResourceKey;

/**
 * Lambda handler of an AWS Config custom rule. The rule to apply is the {@code ruleId} rule
 * parameter, else the Config rule's name. Handles change notifications, oversized ones (the item is
 * fetched with GetResourceConfigHistory) and scheduled ones (every recorded resource of the type,
 * 100 per BatchGetResourceConfig); resources out of scope or deleted are NOT_APPLICABLE.
 * Evaluations go to PutEvaluations in chunks of 100, in test mode when the result token is {@code
 * TESTMODE}. Non-compliant resources are notified and queued (not in test mode).
 */
public final class ConfigRuleHandler implements RequestHandler<ConfigEvent, String> {
  static final int MAX_EVALUATIONS_PER_CALL = 100;
  private static final Logger log = LoggerFactory.getLogger(ConfigRuleHandler.class);
  private final AuditContext ctx;

  /** The Lambda entry point: configuration from the environment. */
  public ConfigRuleHandler() {
    this(AuditContext.fromEnvironment());
  }

  ConfigRuleHandler(AuditContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String handleRequest(ConfigEvent event, Context context) {
    // One top-level subsegment per invocation (the X-Ray SDK sends one per Lambda invocation); each
    // evaluation,
    // PutEvaluations and dispatch is nested in it.
    Subsegment trace = Subsegments.begin("Config rule");
    try {
      Subsegments.annotate(trace, "config_rule", event == null ? null : event.getConfigRuleName());
      String result = handle(event);
      trace.putAnnotation("result", result);
      return result;
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "error");
      throw e;
    } finally {
      Subsegments.end(trace);
    }
  }

  private String handle(ConfigEvent event) {
    if (event == null) {
      log.warn("Config event rejected: empty");
      return "rejected";
    }
    JsonNode invoking;
    try {
      invoking = Json.read(event.getInvokingEvent() == null ? "" : event.getInvokingEvent());
    } catch (IllegalArgumentException e) {
      log.warn("Config event rejected: invokingEvent {}", e.getMessage());
      return "rejected";
    }
    Rule rule = rule(event);
    if (rule == null) {
      return "rejected";
    }
    String type = invoking.path("messageType").asText("");
    List<Evaluation> evaluations = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    switch (type) {
      case "ConfigurationItemChangeNotification":
        {
          JsonNode item = invoking.path("configurationItem");
          if (!item.isObject()
              || !item.path("resourceType").isTextual()
              || !item.path("resourceId").isTextual()) {
            log.warn("Config event rejected: {} without a configurationItem", type);
            return "rejected";
          }
          evaluate(rule, item, event.getEventLeftScope(), type, evaluations, findings);
          break;
        }
      case "OversizedConfigurationItemChangeNotification":
        {
          JsonNode summary = invoking.path("configurationItemSummary");
          if (!summary.path("resourceType").isTextual()
              || !summary.path("resourceId").isTextual()) {
            log.warn("Config event rejected: {} without a configurationItemSummary", type);
            return "rejected";
          }
          JsonNode item = fetchHistory(summary);
          if (item == null) {
            // Config holds no configuration for it (gone, or no longer recorded): not applicable.
            ObjectNode unrecorded = summary.deepCopy();
            unrecorded.put("configurationItemStatus", "ResourceNotRecorded");
            item = unrecorded;
          }
          evaluate(rule, item, event.getEventLeftScope(), type, evaluations, findings);
          break;
        }
      case "ScheduledNotification":
        if (!rule.periodic()) {
          log.info("rule {} is not periodic: scheduled notification ignored", rule.id());
          return "ignored";
        }
        return scheduled(
            rule,
            invoking.path("notificationCreationTime").asText(ctx.clock.instant().toString()),
            event.getResultToken());
      default:
        log.warn("Config event rejected: unknown messageType '{}'", type);
        return "rejected";
    }
    String token = event.getResultToken();
    boolean testMode = "TESTMODE".equals(token);
    putEvaluations(evaluations, token, testMode);
    if (!testMode) {
      for (Finding f : findings) {
        ctx.dispatch(f);
      }
    }
    return evaluations.size() + " evaluations, " + findings.size() + " non-compliant";
  }

  private Rule rule(ConfigEvent event) {
    String id = null;
    String params = event.getRuleParameters();
    if (params != null && !params.isBlank()) {
      try {
        id = Json.read(params).path("ruleId").asText(null);
      } catch (IllegalArgumentException e) {
        log.warn("Config event rejected: ruleParameters {}", e.getMessage());
        return null;
      }
    }
    if (id == null) {
      id = event.getConfigRuleName();
    }
    Rule rule = id == null ? null : ctx.rules.get(id).orElse(null);
    if (rule == null) {
      log.warn("Config event rejected: no rule '{}' (set rule parameter ruleId)", id);
    }
    return rule;
  }

  private void evaluate(
      Rule rule,
      JsonNode item,
      boolean leftScope,
      String type,
      List<Evaluation> evaluations,
      List<Finding> findings) {
    Subsegment trace = Subsegments.begin("evaluate rule");
    Subsegments.annotate(trace, "rule_id", rule.id());
    Subsegments.annotate(trace, "resource", item.path("resourceId").asText(null));
    int before = evaluations.size();
    try {
      evaluate(
          rule,
          item,
          leftScope,
          type,
          evaluations,
          findings,
          item.path("configurationItemCaptureTime").asText(ctx.clock.instant().toString()));
      trace.putAnnotation(
          "outcome",
          evaluations.size() > before
              ? evaluations.get(before).complianceTypeAsString()
              : "OTHER_RESOURCE_TYPE");
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "error");
      throw e;
    } finally {
      Subsegments.end(trace);
    }
  }

  private void evaluate(
      Rule rule,
      JsonNode item,
      boolean leftScope,
      String type,
      List<Evaluation> evaluations,
      List<Finding> findings,
      String orderingTime) {
    Verdict verdict = leftScope ? Verdict.NOT_APPLICABLE : rule.evaluateConfigItem(item);
    if (!leftScope && !rule.resourceType().equals(item.path("resourceType").asText())) {
      // Another type's item (a rule scope wider than the rule): Config wants evaluations of our
      // type.
      return;
    }
    String annotation =
        verdict == Verdict.NON_COMPLIANT
            ? rule.title()
            : verdict == Verdict.NOT_APPLICABLE
                ? (leftScope ? "resource left the rule's scope" : "not applicable")
                : "compliant";
    evaluations.add(
        Evaluation.builder()
            .complianceResourceType(item.path("resourceType").asText())
            .complianceResourceId(item.path("resourceId").asText())
            .complianceType(ComplianceType.fromValue(verdict.name()))
            .annotation(annotation.length() > 256 ? annotation.substring(0, 256) : annotation)
            .orderingTimestamp(parseTime(orderingTime))
            .build());
    if (verdict == Verdict.NON_COMPLIANT) {
      findings.add(Finding.fromConfigItem(rule, item, type));
    }
  }

  private Instant parseTime(String text) {
    try {
      return Instant.parse(text);
    } catch (RuntimeException e) {
      return ctx.clock.instant();
    }
  }

  private void putEvaluations(List<Evaluation> evaluations, String token, boolean testMode) {
    ConfigClient config = ctx.aws.config();
    for (int i = 0; i < evaluations.size(); i += MAX_EVALUATIONS_PER_CALL) {
      List<Evaluation> chunk =
          evaluations.subList(i, Math.min(evaluations.size(), i + MAX_EVALUATIONS_PER_CALL));
      var response =
          config.putEvaluations(r -> r.evaluations(chunk).resultToken(token).testMode(testMode));
      if (response.hasFailedEvaluations() && !response.failedEvaluations().isEmpty()) {
        throw new IllegalStateException(
            "Config refused "
                + response.failedEvaluations().size()
                + " evaluations, e.g. "
                + response.failedEvaluations().get(0));
      }
    }
  }

  private JsonNode fetchHistory(JsonNode summary) {
    List<ConfigurationItem> items =
        ctx.aws
            .config()
            .getResourceConfigHistory(
                r ->
                    r.resourceType(summary.path("resourceType").asText())
                        .resourceId(summary.path("resourceId").asText())
                        .limit(1))
            .configurationItems();
    return items.isEmpty() ? null : toNotificationShape(items.get(0));
  }

  /**
   * Evaluates every recorded resource of the rule's type, 100 at a time: at most one page of items
   * is held, and each full chunk of evaluations is put (and its violations dispatched) before the
   * next is fetched, so memory stays bounded however many resources the account has.
   */
  private String scheduled(Rule rule, String when, String token) {
    boolean testMode = "TESTMODE".equals(token);
    List<ResourceKey> keys = new ArrayList<>();
    int[] counts = {0, 0};
    for (ResourceIdentifier id :
        ctx.aws
            .config()
            .listDiscoveredResourcesPaginator(r -> r.resourceType(rule.resourceType()))
            .resourceIdentifiers()) {
      keys.add(
          ResourceKey.builder()
              .resourceType(id.resourceTypeAsString())
              .resourceId(id.resourceId())
              .build());
      if (keys.size() == MAX_EVALUATIONS_PER_CALL) {
        evaluateChunk(rule, keys, when, token, testMode, counts);
        keys.clear();
      }
    }
    if (!keys.isEmpty()) {
      evaluateChunk(rule, keys, when, token, testMode, counts);
    }
    return counts[0] + " evaluations, " + counts[1] + " non-compliant";
  }

  private void evaluateChunk(
      Rule rule,
      List<ResourceKey> keys,
      String when,
      String token,
      boolean testMode,
      int[] counts) {
    // One subsegment per chunk of up to 100 resources, not per resource: a scheduled run can cover
    // thousands.
    Subsegment trace = Subsegments.begin("evaluate rule");
    Subsegments.annotate(trace, "rule_id", rule.id());
    Subsegments.annotate(trace, "resource", keys.size() + " x " + rule.resourceType());
    int nonCompliantBefore = counts[1];
    try {
      evaluateChunkTraced(rule, keys, when, token, testMode, counts);
      trace.putAnnotation(
          "outcome", counts[1] > nonCompliantBefore ? "NON_COMPLIANT" : "COMPLIANT");
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "error");
      throw e;
    } finally {
      Subsegments.end(trace);
    }
  }

  private void evaluateChunkTraced(
      Rule rule,
      List<ResourceKey> keys,
      String when,
      String token,
      boolean testMode,
      int[] counts) {
    List<Evaluation> evaluations = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    List<ResourceKey> pending = List.copyOf(keys);
    // BatchGetResourceConfig may leave keys unprocessed (throttling inside Config): ask again for
    // those, a bounded number of times; the SDK's own retry already covers each call.
    for (int round = 0; round < 5 && !pending.isEmpty(); round++) {
      List<ResourceKey> ask = pending;
      var response = ctx.aws.config().batchGetResourceConfig(r -> r.resourceKeys(ask));
      for (BaseConfigurationItem item : response.baseConfigurationItems()) {
        evaluate(
            rule,
            toNotificationShape(item),
            false,
            "ScheduledNotification",
            evaluations,
            findings,
            when);
      }
      pending =
          response.hasUnprocessedResourceKeys() ? response.unprocessedResourceKeys() : List.of();
    }
    if (!pending.isEmpty()) {
      throw new IllegalStateException(
          pending.size() + " resources left unprocessed by BatchGetResourceConfig");
    }
    putEvaluations(evaluations, token, testMode);
    if (!testMode) {
      findings.forEach(ctx::dispatch);
    }
    counts[0] += evaluations.size();
    counts[1] += findings.size();
  }

  /** The API's items carry configuration as JSON text; the rules read the notification's shape. */
  static ObjectNode toNotificationShape(ConfigurationItem item) {
    ObjectNode node =
        common(
            item.accountId(),
            item.arn(),
            item.resourceTypeAsString(),
            item.resourceId(),
            item.resourceName(),
            item.awsRegion(),
            item.configurationItemStatusAsString(),
            item.configurationStateId(),
            item.configurationItemCaptureTime(),
            item.configuration(),
            item.supplementaryConfiguration());
    ObjectNode tags = node.putObject("tags");
    if (item.hasTags()) {
      item.tags().forEach(tags::put);
    }
    return node;
  }

  static ObjectNode toNotificationShape(BaseConfigurationItem item) {
    ObjectNode node =
        common(
            item.accountId(),
            item.arn(),
            item.resourceTypeAsString(),
            item.resourceId(),
            item.resourceName(),
            item.awsRegion(),
            item.configurationItemStatusAsString(),
            item.configurationStateId(),
            item.configurationItemCaptureTime(),
            item.configuration(),
            item.supplementaryConfiguration());
    node.putObject("tags");
    return node;
  }

  private static ObjectNode common(
      String account,
      String arn,
      String type,
      String id,
      String name,
      String region,
      String status,
      String stateId,
      Instant capture,
      String configuration,
      Map<String, String> supplementary) {
    ObjectNode node = Json.object();
    node.put("awsAccountId", account);
    node.put("ARN", arn);
    node.put("resourceType", type);
    node.put("resourceId", id);
    node.put("resourceName", name);
    node.put("awsRegion", region);
    node.put("configurationItemStatus", status);
    node.put("configurationStateId", stateId);
    node.put("configurationItemCaptureTime", capture == null ? null : capture.toString());
    node.set("configuration", parseOrText(configuration));
    ObjectNode supp = node.putObject("supplementaryConfiguration");
    if (supplementary != null) {
      supplementary.forEach((k, v) -> supp.set(k, parseOrText(v)));
    }
    return node;
  }

  private static JsonNode parseOrText(String text) {
    if (text == null) {
      return Json.MAPPER.nullNode();
    }
    try {
      JsonNode parsed = Json.read(text);
      return parsed.isContainerNode() ? parsed : Json.MAPPER.getNodeFactory().textNode(text);
    } catch (IllegalArgumentException e) {
      return Json.MAPPER.getNodeFactory().textNode(text);
    }
  }
}
