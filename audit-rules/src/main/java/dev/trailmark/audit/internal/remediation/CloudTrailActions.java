package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.common.json.Json;
import java.util.function.Consumer;
import software.amazon.awssdk.services.cloudtrail.model.GetTrailResponse;
import software.amazon.awssdk.services.cloudtrail.model.Trail;
import software.amazon.awssdk.services.cloudtrail.model.TrailNotFoundException;
import software.amazon.awssdk.services.config.model.ConfigurationItem;
import software.amazon.awssdk.services.config.model.ConfigurationItemStatus;
import software.amazon.awssdk.services.config.model.ResourceType;

/** CloudTrail remediations. */
final class CloudTrailActions {
  private CloudTrailActions() {}

  static ObjectNode trailState(Trail t) {
    ObjectNode state = States.object();
    state.put("exists", true);
    state.put("name", t.name());
    state.put("trailARN", t.trailARN());
    state.put("s3BucketName", t.s3BucketName());
    state.put("logFileValidationEnabled", Boolean.TRUE.equals(t.logFileValidationEnabled()));
    state.put("isMultiRegionTrail", Boolean.TRUE.equals(t.isMultiRegionTrail()));
    return state;
  }

  static JsonNode readTrail(Finding f, RemediationClients aws) {
    try {
      GetTrailResponse r = aws.cloudTrail().getTrail(b -> b.name(f.resourceId()));
      return trailState(r.trail());
    } catch (TrailNotFoundException e) {
      return null;
    }
  }

  /** Starts logging on a trail someone stopped. */
  static final class StartLogging implements RemediationAction {
    @Override
    public String name() {
      return "cloudtrail-start-logging";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      try {
        var status = aws.cloudTrail().getTrailStatus(b -> b.name(f.resourceId()));
        ObjectNode state = States.object();
        state.put("name", f.resourceId());
        state.put("isLogging", Boolean.TRUE.equals(status.isLogging()));
        if (status.latestDeliveryError() != null) {
          state.put("latestDeliveryError", status.latestDeliveryError());
        }
        return state;
      } catch (TrailNotFoundException e) {
        return null;
      }
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.isTrue(state, "isLogging");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      aws.cloudTrail().startLogging(b -> b.name(f.resourceId()));
    }
  }

  /** Turns log file validation back on. */
  static final class EnableLogFileValidation implements RemediationAction {
    @Override
    public String name() {
      return "cloudtrail-enable-log-file-validation";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      return readTrail(f, aws);
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.isTrue(state, "logFileValidationEnabled");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      aws.cloudTrail().updateTrail(b -> b.name(f.resourceId()).enableLogFileValidation(true));
    }
  }

  /**
   * Recreates a deleted trail from the last configuration AWS Config recorded for it, with log file
   * validation on, and starts logging.
   */
  static final class RestoreTrail implements RemediationAction {
    @Override
    public String name() {
      return "cloudtrail-restore-trail";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      JsonNode trail = readTrail(f, aws);
      if (trail != null) {
        return trail;
      }
      // Gone: the state before the change is the last configuration Config recorded.
      ObjectNode state = States.object();
      state.put("exists", false);
      state.put("name", f.resourceId());
      for (ConfigurationItem item :
          aws.config()
              .getResourceConfigHistory(
                  b ->
                      b.resourceType(ResourceType.AWS_CLOUD_TRAIL_TRAIL)
                          .resourceId(f.resourceId())
                          .limit(10))
              .configurationItems()) {
        if (item.configurationItemStatus() != ConfigurationItemStatus.RESOURCE_DELETED
            && item.configurationItemStatus()
                != ConfigurationItemStatus.RESOURCE_DELETED_NOT_RECORDED
            && item.configuration() != null) {
          state.set("lastRecordedConfiguration", Json.read(item.configuration()));
          state.put("lastRecordedAt", String.valueOf(item.configurationItemCaptureTime()));
          break;
        }
      }
      return state;
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.isTrue(state, "exists");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      JsonNode c = state.path("lastRecordedConfiguration");
      if (!c.isObject() || c.path("s3BucketName").asText("").isEmpty()) {
        throw new IllegalStateException(
            "AWS Config has no configuration of trail " + f.resourceId() + " to restore it from");
      }
      aws.cloudTrail()
          .createTrail(
              b -> {
                b.name(c.path("name").asText(f.resourceId()))
                    .s3BucketName(c.path("s3BucketName").asText())
                    .includeGlobalServiceEvents(
                        c.path("includeGlobalServiceEvents").asBoolean(true))
                    .isMultiRegionTrail(c.path("isMultiRegionTrail").asBoolean(false))
                    .isOrganizationTrail(c.path("isOrganizationTrail").asBoolean(false))
                    .enableLogFileValidation(true);
                text(c, "s3KeyPrefix", b::s3KeyPrefix);
                text(c, "snsTopicName", b::snsTopicName);
                text(c, "cloudWatchLogsLogGroupArn", b::cloudWatchLogsLogGroupArn);
                text(c, "cloudWatchLogsRoleArn", b::cloudWatchLogsRoleArn);
                text(c, "kmsKeyId", b::kmsKeyId);
              });
      aws.cloudTrail().startLogging(b -> b.name(c.path("name").asText(f.resourceId())));
    }

    private static void text(JsonNode c, String field, Consumer<String> setter) {
      String v = c.path(field).asText("");
      if (!v.isEmpty() && !c.path(field).isNull()) {
        setter.accept(v);
      }
    }
  }
}
