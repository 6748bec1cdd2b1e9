package dev.trailmark.audit.internal.engine;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.Severity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * One violation of one rule by one resource: what the notification, the remediation queue and the
 * audit record carry. {@code findingId} is stable for the same rule, resource and triggering event,
 * so a redelivered event produces the same id.
 *
 * @param findingId stable id (hash of rule, resource and trigger)
 * @param ruleId the rule violated
 * @param title the rule's title
 * @param severity the rule's severity
 * @param resourceType the AWS Config resource type
 * @param resourceId the resource's id (group id, bucket name, ARN...)
 * @param accountId the AWS account
 * @param region the AWS region
 * @param source {@code config}, {@code cloudtrail} or {@code scan}
 * @param eventName the CloudTrail event name, or the Config notification type
 * @param eventId the CloudTrail event id or the Config item's state id
 * @param eventTime when the change happened (ISO-8601)
 * @param actor who made the change (the caller's ARN), when known
 * @param action the remediation action name
 * @param params the remediation's parameters
 * @param tags the resource's tags when the trigger carried them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(
    String findingId,
    String ruleId,
    String title,
    Severity severity,
    String resourceType,
    String resourceId,
    String accountId,
    String region,
    String source,
    String eventName,
    String eventId,
    String eventTime,
    String actor,
    String action,
    Map<String, Object> params,
    Map<String, String> tags) {

  /** The resource id of a violation whose record names no resource the rule can read. */
  public static final String UNKNOWN_RESOURCE = "(unknown)";

  /** A finding from a CloudTrail event record. */
  public static Finding fromEvent(Rule rule, JsonNode event, String resourceId, String source) {
    String eventId = text(event, "eventID");
    return new Finding(
        id(rule.id(), resourceId, eventId),
        rule.id(),
        rule.title(),
        rule.severity(),
        rule.resourceType(),
        resourceId,
        firstText(event, "recipientAccountId", "userIdentity.accountId"),
        text(event, "awsRegion"),
        source,
        text(event, "eventName"),
        eventId,
        text(event, "eventTime"),
        actor(event),
        rule.action(),
        rule.params(),
        null);
  }

  /** A finding from an AWS Config configuration item. */
  public static Finding fromConfigItem(Rule rule, JsonNode item, String notificationType) {
    String resourceId = text(item, "resourceId");
    String stateId = text(item, "configurationStateId");
    Map<String, String> tags = null;
    JsonNode tagNode = item.get("tags");
    if (tagNode != null && tagNode.isObject() && !tagNode.isEmpty()) {
      Map<String, String> t = new TreeMap<>();
      tagNode.properties().forEach(e -> t.put(e.getKey(), e.getValue().asText()));
      tags = Map.copyOf(t);
    }
    return new Finding(
        id(rule.id(), resourceId, stateId + "@" + text(item, "configurationItemCaptureTime")),
        rule.id(),
        rule.title(),
        rule.severity(),
        rule.resourceType(),
        resourceId,
        text(item, "awsAccountId"),
        text(item, "awsRegion"),
        "config",
        notificationType,
        stateId,
        text(item, "configurationItemCaptureTime"),
        null,
        rule.action(),
        rule.params(),
        tags);
  }

  /** This finding with the remediation (action and parameters) the rule file names now. */
  public Finding withRemediationOf(Rule rule) {
    return withRemediation(rule.action(), rule.params());
  }

  /** This finding with no remediation: only a notice, for when the resource cannot be named. */
  public Finding notifyOnly() {
    return withRemediation("notify-only", Map.of());
  }

  private Finding withRemediation(String newAction, Map<String, Object> newParams) {
    return new Finding(
        findingId,
        ruleId,
        title,
        severity,
        resourceType,
        resourceId,
        accountId,
        region,
        source,
        eventName,
        eventId,
        eventTime,
        actor,
        newAction,
        newParams,
        tags);
  }

  /** True when the record named no resource this finding's rule could read. */
  public boolean resourceUnknown() {
    return UNKNOWN_RESOURCE.equals(resourceId);
  }

  /** Who made the call: the role behind an assumed-role session, else the caller's ARN. */
  static String actor(JsonNode event) {
    JsonNode identity = event.path("userIdentity");
    String issuer = identity.path("sessionContext").path("sessionIssuer").path("arn").asText(null);
    String arn = identity.path("arn").asText(null);
    if (arn != null) {
      return arn;
    }
    if (issuer != null) {
      return issuer;
    }
    return identity.path("invokedBy").asText(null);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
  }

  private static String firstText(JsonNode node, String... paths) {
    for (String path : paths) {
      JsonNode n = node;
      for (String part : path.split("\\.")) {
        n = n.path(part);
      }
      if (n.isValueNode() && !n.asText().isEmpty()) {
        return n.asText();
      }
    }
    return null;
  }

  static String id(String ruleId, String resourceId, String trigger) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] hash =
          sha.digest((ruleId + "|" + resourceId + "|" + trigger).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing", e);
    }
  }
}
