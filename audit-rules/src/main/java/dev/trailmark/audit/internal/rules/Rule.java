package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.rules.Condition;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One audit rule, loaded from one YAML file: what it looks at, when it is violated, and what fixes
 * it. Immutable; evaluation never throws on unexpected event shapes.
 */
public final class Rule {
  /** The remediation action name meaning "notify, change nothing". */
  public static final String NOTIFY_ONLY = "notify-only";

  private final String id;
  private final String title;
  private final String description;
  private final Severity severity;
  private final String resourceType;
  private final boolean onConfigChange;
  private final boolean periodic;
  private final String eventSource;
  private final Set<String> eventNames;
  private final Condition configApplies;
  private final Condition configViolates;
  private final Condition eventApplies;
  private final Condition eventViolates;
  private final List<ValueTemplate> eventResourceId;
  private final String action;
  private final boolean dryRun;
  private final Map<String, Object> params;
  private final String exemptionTag;
  private final Set<String> exemptResourceIds;
  private final String source;

  Rule(
      String id,
      String title,
      String description,
      Severity severity,
      String resourceType,
      boolean onConfigChange,
      boolean periodic,
      String eventSource,
      Set<String> eventNames,
      Condition configApplies,
      Condition configViolates,
      Condition eventApplies,
      Condition eventViolates,
      List<ValueTemplate> eventResourceId,
      String action,
      boolean dryRun,
      Map<String, Object> params,
      String exemptionTag,
      Set<String> exemptResourceIds,
      String source) {
    this.id = id;
    this.title = title;
    this.description = description;
    this.severity = severity;
    this.resourceType = resourceType;
    this.onConfigChange = onConfigChange;
    this.periodic = periodic;
    this.eventSource = eventSource;
    this.eventNames = Set.copyOf(eventNames);
    this.configApplies = configApplies;
    this.configViolates = configViolates;
    this.eventApplies = eventApplies;
    this.eventViolates = eventViolates;
    this.eventResourceId = List.copyOf(eventResourceId);
    this.action = action;
    this.dryRun = dryRun;
    this.params = Map.copyOf(params);
    this.exemptionTag = exemptionTag;
    this.exemptResourceIds = Set.copyOf(exemptResourceIds);
    this.source = source;
  }

  /**
   * Evaluates a Config configuration item. Deleted or not-recorded resources, other resource types
   * and items outside the rule's {@code appliesWhen} are NOT_APPLICABLE.
   */
  public Verdict evaluateConfigItem(JsonNode item) {
    if (configViolates == null || item == null || !item.isObject()) {
      return Verdict.NOT_APPLICABLE;
    }
    if (!resourceType.equals(item.path("resourceType").asText())) {
      return Verdict.NOT_APPLICABLE;
    }
    String status = item.path("configurationItemStatus").asText("");
    if (status.equals("ResourceDeleted")
        || status.equals("ResourceDeletedNotRecorded")
        || status.equals("ResourceNotRecorded")) {
      return Verdict.NOT_APPLICABLE;
    }
    if (configApplies != null && !configApplies.test(item)) {
      return Verdict.NOT_APPLICABLE;
    }
    return configViolates.test(item) ? Verdict.NON_COMPLIANT : Verdict.COMPLIANT;
  }

  /**
   * Evaluates a CloudTrail event record (the {@code detail} of an EventBridge event, or one element
   * of a log file's {@code Records}). Failed calls (with {@code errorCode}) are NOT_APPLICABLE:
   * they changed nothing.
   */
  public Verdict evaluateEvent(JsonNode event) {
    if (!matchesEventName(event)) {
      return Verdict.NOT_APPLICABLE;
    }
    JsonNode errorCode = event.get("errorCode");
    if (errorCode != null && !errorCode.isNull() && !errorCode.asText().isEmpty()) {
      return Verdict.NOT_APPLICABLE;
    }
    if (eventApplies != null && !eventApplies.test(event)) {
      return Verdict.NOT_APPLICABLE;
    }
    return eventViolates == null || eventViolates.test(event)
        ? Verdict.NON_COMPLIANT
        : Verdict.COMPLIANT;
  }

  /** True when the event's source and name are among this rule's CloudTrail triggers. */
  public boolean matchesEventName(JsonNode event) {
    if (eventNames.isEmpty() || event == null || !event.isObject()) {
      return false;
    }
    return eventNames.contains(event.path("eventName").asText())
        && eventSource.equals(event.path("eventSource").asText());
  }

  /** The id of the resource a CloudTrail event acted on, from the rule's resourceId paths. */
  public String eventResourceId(JsonNode event) {
    for (ValueTemplate template : eventResourceId) {
      String value = template.render(event);
      if (value != null && !value.isEmpty()) {
        return value;
      }
    }
    return null;
  }

  /** The rule's id, unique in a rule set (the file name without {@code .yaml}). */
  public String id() {
    return id;
  }

  /** A one-line title for people. */
  public String title() {
    return title;
  }

  /** A longer explanation, or empty. */
  public String description() {
    return description;
  }

  /** How bad a violation is. */
  public Severity severity() {
    return severity;
  }

  /** The AWS Config resource type, e.g. {@code AWS::EC2::SecurityGroup}. */
  public String resourceType() {
    return resourceType;
  }

  /** True when Config change notifications are evaluated. */
  public boolean onConfigChange() {
    return onConfigChange;
  }

  /** True when scheduled (periodic) Config evaluations are made. */
  public boolean periodic() {
    return periodic;
  }

  /** The CloudTrail event source, e.g. {@code ec2.amazonaws.com}, or empty. */
  public String eventSource() {
    return eventSource;
  }

  /** The CloudTrail event names that trigger this rule. */
  public Set<String> eventNames() {
    return eventNames;
  }

  /** The remediation action name, or {@link #NOTIFY_ONLY}. */
  public String action() {
    return action;
  }

  /** True when this rule only reports what its remediation would do. */
  public boolean dryRun() {
    return dryRun;
  }

  /** The remediation's parameters. */
  public Map<String, Object> params() {
    return params;
  }

  /** The tag key whose value (an ISO date) exempts a resource until that date. */
  public String exemptionTag() {
    return exemptionTag;
  }

  /** Resource ids exempt without expiry. */
  public Set<String> exemptResourceIds() {
    return exemptResourceIds;
  }

  /** Where the rule was loaded from. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Rule{" + id + ", " + severity + ", " + resourceType + "}";
  }
}
