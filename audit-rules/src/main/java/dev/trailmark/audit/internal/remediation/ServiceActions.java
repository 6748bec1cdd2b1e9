package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TracingMode;

/** CloudWatch Logs and Lambda remediations. */
final class ServiceActions {
  private ServiceActions() {}

  /** Sets a log group's retention to {@code retentionInDays}. */
  static final class SetLogRetention implements RemediationAction {
    @Override
    public String name() {
      return "logs-set-retention";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      for (LogGroup g :
          aws.logs().describeLogGroups(r -> r.logGroupNamePrefix(f.resourceId())).logGroups()) {
        if (g.logGroupName().equals(f.resourceId())) {
          ObjectNode state = States.object();
          state.put("logGroupName", g.logGroupName());
          if (g.retentionInDays() != null) {
            state.put("retentionInDays", g.retentionInDays());
          } else {
            state.putNull("retentionInDays");
          }
          // DescribeLogGroups returns no tags: ask for them by the group's ARN (without the ":*"
          // DescribeLogGroups appends).
          String arn =
              g.arn() != null
                  ? g.arn().replaceFirst(":\\*$", "")
                  : "arn:aws:logs:"
                      + f.region()
                      + ":"
                      + f.accountId()
                      + ":log-group:"
                      + g.logGroupName();
          return States.tags(state, aws.logs().listTagsForResource(r -> r.resourceArn(arn)).tags());
        }
      }
      return null;
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !state.path("retentionInDays").isNumber();
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      int days = Integer.parseInt(States.param(f, "retentionInDays", "90"));
      aws.logs().putRetentionPolicy(r -> r.logGroupName(f.resourceId()).retentionInDays(days));
    }
  }

  /** Sets a Lambda function's tracing mode to Active. */
  static final class EnableLambdaTracing implements RemediationAction {
    @Override
    public String name() {
      return "lambda-enable-active-tracing";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      GetFunctionResponse r;
      try {
        r = aws.lambda().getFunction(b -> b.functionName(f.resourceId()));
      } catch (ResourceNotFoundException e) {
        return null;
      }
      ObjectNode state = States.object();
      state.put("functionName", r.configuration().functionName());
      state.put(
          "tracingMode",
          r.configuration().tracingConfig() == null
              ? "PassThrough"
              : r.configuration().tracingConfig().modeAsString());
      return States.tags(state, r.tags());
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !"Active".equals(state.path("tracingMode").asText());
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      aws.lambda()
          .updateFunctionConfiguration(
              b -> b.functionName(f.resourceId()).tracingConfig(t -> t.mode(TracingMode.ACTIVE)));
    }
  }
}
