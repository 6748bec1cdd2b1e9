package dev.trailmark.audit.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.xray.entities.Subsegment;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.xray.Subsegments;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda handler for EventBridge events of detail-type "AWS API Call via CloudTrail". Failed calls
 * (with {@code errorCode}) and calls made by the remediation role itself (the loop guard) are
 * skipped; each finding is notified on SNS and queued on SQS. Malformed events are logged and
 * rejected without throwing, so they are neither retried nor acted on.
 */
public final class CloudTrailEventHandler implements RequestStreamHandler {
  static final String DETAIL_TYPE = "AWS API Call via CloudTrail";
  private static final Logger log = LoggerFactory.getLogger(CloudTrailEventHandler.class);
  private final AuditContext ctx;

  /** What became of one event. */
  enum Outcome {
    REJECTED,
    SKIPPED_ERROR_CODE,
    SKIPPED_LOOP_GUARD,
    NO_FINDING,
    DISPATCHED
  }

  /** The Lambda entry point: configuration from the environment. */
  public CloudTrailEventHandler() {
    this(AuditContext.fromEnvironment());
  }

  CloudTrailEventHandler(AuditContext ctx) {
    this.ctx = ctx;
    if (ctx.settings.remediationRoleArns.isEmpty()) {
      log.warn(
          "TRAILMARK_REMEDIATION_ROLE_ARNS is not set: the loop guard cannot recognise the worker's "
              + "own calls (remediations stay idempotent, but their events will be evaluated again)");
    }
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    Outcome outcome = handle(new String(input.readAllBytes(), StandardCharsets.UTF_8));
    output.write(("{\"outcome\":\"" + outcome + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  Outcome handle(String json) {
    JsonNode event;
    try {
      event = Json.read(json);
    } catch (IllegalArgumentException e) {
      log.warn("event rejected: {}", e.getMessage());
      return Outcome.REJECTED;
    }
    if (!event.isObject()
        || !DETAIL_TYPE.equals(event.path("detail-type").asText())
        || !event.path("detail").isObject()) {
      log.warn(
          "event rejected: not an EventBridge '{}' event with a detail object (id {})",
          DETAIL_TYPE,
          event.path("id").asText("?"));
      return Outcome.REJECTED;
    }
    JsonNode detail = event.path("detail");
    if (!detail.path("eventName").isTextual() || !detail.path("eventSource").isTextual()) {
      log.warn(
          "event {} rejected: detail lacks eventName/eventSource strings",
          event.path("id").asText("?"));
      return Outcome.REJECTED;
    }
    JsonNode errorCode = detail.get("errorCode");
    if (errorCode != null && !errorCode.isNull() && !errorCode.asText().isEmpty()) {
      log.debug(
          "skipped {}: the call failed with {}",
          detail.path("eventName").asText(),
          errorCode.asText());
      return Outcome.SKIPPED_ERROR_CODE;
    }
    if (byRemediationRole(detail.path("userIdentity"))) {
      log.info(
          "skipped {} by the remediation role (loop guard)", detail.path("eventName").asText());
      return Outcome.SKIPPED_LOOP_GUARD;
    }
    // One subsegment per event, the dispatch of each finding nested in it: inside Lambda, the X-Ray
    // SDK sends the
    // invocation's first top-level subsegment only, so everything hangs under this one.
    List<Finding> findings;
    Subsegment evaluation = Subsegments.begin("evaluate rules");
    try {
      evaluation.putAnnotation("event_name", detail.path("eventName").asText());
      evaluation.putAnnotation("event_source", detail.path("eventSource").asText());
      findings = ctx.engine.evaluateEvent(detail, "cloudtrail");
      evaluation.putAnnotation("findings", findings.size());
      for (Finding f : findings) {
        Subsegment dispatch = Subsegments.begin("dispatch");
        try {
          Subsegments.annotate(dispatch, "rule_id", f.ruleId());
          Subsegments.annotate(dispatch, "resource", f.resourceId());
          Subsegments.annotate(dispatch, "action", f.action());
          ctx.dispatch(f);
          dispatch.putAnnotation("outcome", "dispatched");
        } catch (RuntimeException e) {
          Subsegments.fail(dispatch, e, "error");
          throw e;
        } finally {
          Subsegments.end(dispatch);
        }
      }
      evaluation.putAnnotation("outcome", findings.isEmpty() ? "no-finding" : "violation");
    } catch (RuntimeException e) {
      Subsegments.fail(evaluation, e, "error");
      throw e;
    } finally {
      Subsegments.end(evaluation);
    }
    return findings.isEmpty() ? Outcome.NO_FINDING : Outcome.DISPATCHED;
  }

  /** True when the caller is one of the remediation roles, by issuer ARN or assumed-role name. */
  boolean byRemediationRole(JsonNode identity) {
    String issuer = identity.path("sessionContext").path("sessionIssuer").path("arn").asText("");
    String arn = identity.path("arn").asText("");
    for (String role : ctx.settings.remediationRoleArns) {
      if (role.equals(issuer) || role.equals(arn)) {
        return true;
      }
      String name = role.substring(role.lastIndexOf('/') + 1);
      String account = role.split(":").length > 4 ? role.split(":")[4] : "";
      if (!name.isEmpty()
          && arn.startsWith("arn:")
          && arn.contains(":" + account + ":assumed-role/" + name + "/")) {
        return true;
      }
    }
    return false;
  }
}
