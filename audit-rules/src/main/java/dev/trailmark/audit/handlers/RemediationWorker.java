package dev.trailmark.audit.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.xray.entities.Subsegment;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.xray.Subsegments;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lambda handler for the remediation queue (SQS event source with {@code ReportBatchItemFailures}).
 * Each message is one finding; a message that fails is reported in {@code batchItemFailures} and
 * redelivered, and after {@code TRAILMARK_MAX_ATTEMPTS} receives it is recorded as failed and the
 * queue's redrive policy moves it to the dead-letter queue. A malformed message is never acted on.
 */
public final class RemediationWorker implements RequestHandler<SQSEvent, SQSBatchResponse> {
  private static final Logger log = LoggerFactory.getLogger(RemediationWorker.class);
  private final Remediator remediator;

  /** The Lambda entry point: configuration from the environment. */
  public RemediationWorker() {
    this(AuditContext.fromEnvironment());
  }

  RemediationWorker(AuditContext ctx) {
    this.remediator = new Remediator(ctx);
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
    List<SQSEvent.SQSMessage> records =
        event == null || event.getRecords() == null ? List.of() : event.getRecords();
    // One top-level subsegment per batch (the X-Ray SDK sends one per Lambda invocation), one child
    // per finding.
    Subsegment batch = Subsegments.begin("remediation batch");
    try {
      for (SQSEvent.SQSMessage message : records) {
        if (!handle(message)) {
          failures.add(
              SQSBatchResponse.BatchItemFailure.builder()
                  .withItemIdentifier(message.getMessageId())
                  .build());
        }
      }
      batch.putAnnotation("messages", records.size());
      batch.putAnnotation("failures", failures.size());
    } finally {
      Subsegments.end(batch);
    }
    return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
  }

  private boolean handle(SQSEvent.SQSMessage message) {
    int attempt = 1;
    try {
      String count =
          message.getAttributes() == null
              ? null
              : message.getAttributes().get("ApproximateReceiveCount");
      attempt = count == null ? 1 : Integer.parseInt(count);
    } catch (NumberFormatException e) {
      log.warn("message {}: unreadable ApproximateReceiveCount", message.getMessageId());
    }
    Finding finding;
    try {
      finding =
          Json.MAPPER.readValue(message.getBody() == null ? "" : message.getBody(), Finding.class);
      if (finding == null
          || finding.ruleId() == null
          || finding.resourceId() == null
          || finding.action() == null
          || finding.findingId() == null
          || finding.severity() == null) {
        throw new IllegalArgumentException(
            "a finding needs findingId, ruleId, severity, resourceId and action");
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      log.error(
          "message {} rejected, nothing remediated (attempt {}): {}",
          message.getMessageId(),
          attempt,
          e.getMessage());
      return false;
    }
    // One subsegment per remediation; the AWS calls it makes (read, change, read again) are its
    // children.
    Subsegment trace = Subsegments.begin("remediate " + finding.action());
    Subsegments.annotate(trace, "rule_id", finding.ruleId());
    Subsegments.annotate(trace, "resource", finding.resourceId());
    Subsegments.annotate(trace, "action", finding.action());
    Subsegments.annotate(trace, "finding_id", finding.findingId());
    trace.putAnnotation("attempt", attempt);
    try {
      var decision = remediator.process(finding, attempt);
      trace.putAnnotation("outcome", decision.label());
      log.info(
          "finding {} of {} on {}: {}",
          finding.findingId(),
          finding.ruleId(),
          finding.resourceId(),
          decision.label());
      return true;
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "error");
      log.error(
          "finding {} of {} on {} failed (attempt {}): {}",
          finding.findingId(),
          finding.ruleId(),
          finding.resourceId(),
          attempt,
          e.toString());
      return false;
    } finally {
      Subsegments.end(trace);
    }
  }
}
