package dev.trailmark.audit.rules.conditions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.trailmark.audit.rules.Condition;

/**
 * True when a bucket is public by ACL (a grant to AllUsers or AuthenticatedUsers, or a public
 * canned ACL) or by policy (an Allow to principal {@code *} with no Condition), and the bucket's
 * own public access block does not neutralise it. Reads Config items (whose ACL and policy are JSON
 * inside strings) and PutBucketAcl / PutBucketPolicy CloudTrail events.
 */
public final class S3BucketPublic implements Condition {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Creates the condition; rule files name it by class. */
  public S3BucketPublic() {}

  @Override
  public boolean test(JsonNode subject) {
    JsonNode supplementary = subject.path("supplementaryConfiguration");
    if (supplementary.isObject()) {
      JsonNode block = embedded(supplementary.path("PublicAccessBlockConfiguration"));
      boolean aclsBlocked = block.path("ignorePublicAcls").asBoolean(false);
      boolean policyBlocked = block.path("restrictPublicBuckets").asBoolean(false);
      boolean publicAcl =
          !aclsBlocked && aclIsPublic(embedded(supplementary.path("AccessControlList")));
      JsonNode policy = embedded(supplementary.path("BucketPolicy"));
      JsonNode policyText = embedded(policy.path("policyText"));
      boolean publicPolicy = !policyBlocked && policyIsPublic(policyText);
      return publicAcl || publicPolicy;
    }
    JsonNode request = subject.path("requestParameters");
    String event = subject.path("eventName").asText("");
    if (event.equals("PutBucketAcl")) {
      for (JsonNode canned : request.path("x-amz-acl")) {
        String acl = canned.asText("");
        if (acl.equals("public-read")
            || acl.equals("public-read-write")
            || acl.equals("authenticated-read")) {
          return true;
        }
      }
      return aclIsPublic(request.path("AccessControlPolicy"));
    }
    if (event.equals("PutBucketPolicy")) {
      return policyIsPublic(embedded(request.path("bucketPolicy")));
    }
    return false;
  }

  /** Any grantee naming the global AllUsers or AuthenticatedUsers groups, in any ACL shape. */
  static boolean aclIsPublic(JsonNode acl) {
    if (acl.isMissingNode() || acl.isNull()) {
      return false;
    }
    String text = acl.toString();
    return text.contains("AllUsers") || text.contains("AuthenticatedUsers");
  }

  static boolean policyIsPublic(JsonNode policy) {
    JsonNode statements = policy.path("Statement");
    if (statements.isObject()) {
      return statementIsPublic(statements);
    }
    for (JsonNode statement : statements) {
      if (statementIsPublic(statement)) {
        return true;
      }
    }
    return false;
  }

  private static boolean statementIsPublic(JsonNode statement) {
    if (!"Allow".equals(statement.path("Effect").asText())) {
      return false;
    }
    JsonNode condition = statement.path("Condition");
    if (condition.isObject() && !condition.isEmpty()) {
      return false;
    }
    JsonNode principal = statement.path("Principal");
    if (principal.isTextual()) {
      return principal.asText().equals("*");
    }
    JsonNode aws = principal.path("AWS");
    if (aws.isTextual()) {
      return aws.asText().equals("*");
    }
    for (JsonNode p : aws) {
      if (p.asText().equals("*")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Config stores some documents as JSON text inside a string; parse those, pass others through.
   */
  static JsonNode embedded(JsonNode node) {
    if (node != null && node.isTextual()) {
      try {
        return MAPPER.readTree(node.asText());
      } catch (JsonProcessingException e) {
        return MissingNode.getInstance();
      }
    }
    return node == null ? MissingNode.getInstance() : node;
  }
}
