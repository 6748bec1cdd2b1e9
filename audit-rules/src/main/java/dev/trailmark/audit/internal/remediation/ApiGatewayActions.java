package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.apigateway.model.BasePathMapping;
import software.amazon.awssdk.services.apigateway.model.DomainName;
import software.amazon.awssdk.services.apigateway.model.GetDomainNameResponse;
import software.amazon.awssdk.services.apigateway.model.GetRestApiResponse;
import software.amazon.awssdk.services.apigateway.model.GetStageResponse;
import software.amazon.awssdk.services.apigateway.model.MethodSetting;
import software.amazon.awssdk.services.apigateway.model.NotFoundException;
import software.amazon.awssdk.services.apigateway.model.Op;
import software.amazon.awssdk.services.apigateway.model.PatchOperation;
import software.amazon.awssdk.services.apigateway.model.Stage;

/** API Gateway (REST APIs) remediations. */
final class ApiGatewayActions {
  private static final Pattern STAGE_ARN =
      Pattern.compile("arn:aws[a-z-]*:apigateway:[a-z0-9-]*::/restapis/([^/]+)/stages/([^/]+)");

  private ApiGatewayActions() {}

  static PatchOperation replace(String path, String value) {
    return PatchOperation.builder().op(Op.REPLACE).path(path).value(value).build();
  }

  /** Sets a custom domain's minimum TLS version. */
  static final class SetDomainSecurityPolicy implements RemediationAction {
    @Override
    public String name() {
      return "apigateway-set-domain-security-policy";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      try {
        GetDomainNameResponse d = aws.apiGateway().getDomainName(r -> r.domainName(f.resourceId()));
        ObjectNode state = States.object();
        state.put("domainName", d.domainName());
        state.put("securityPolicy", d.securityPolicyAsString());
        return States.tags(state, d.tags());
      } catch (NotFoundException e) {
        return null;
      }
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.param(f, "securityPolicy", "TLS_1_2")
              .equals(state.path("securityPolicy").asText())
          && state.path("securityPolicy").asText("").matches("TLS_1_[01]");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      aws.apiGateway()
          .updateDomainName(
              r ->
                  r.domainName(f.resourceId())
                      .patchOperations(
                          replace(
                              "/securityPolicy", States.param(f, "securityPolicy", "TLS_1_2"))));
    }
  }

  /**
   * Disables the default execute-api endpoint of an API that a custom domain fronts, then
   * redeploys.
   */
  static final class DisableDefaultEndpoint implements RemediationAction {
    @Override
    public String name() {
      return "apigateway-disable-default-endpoint";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      ApiGatewayClient api = aws.apiGateway();
      GetRestApiResponse rest;
      try {
        rest = api.getRestApi(r -> r.restApiId(f.resourceId()));
      } catch (NotFoundException e) {
        return null;
      }
      ObjectNode state = States.object();
      state.put("id", rest.id());
      state.put("name", rest.name());
      state.put("disableExecuteApiEndpoint", Boolean.TRUE.equals(rest.disableExecuteApiEndpoint()));
      ArrayNode domains = state.putArray("customDomains");
      for (DomainName domain : api.getDomainNamesPaginator(r -> r.limit(500)).items()) {
        for (BasePathMapping m :
            api.getBasePathMappingsPaginator(r -> r.domainName(domain.domainName()).limit(500))
                .items()) {
          if (f.resourceId().equals(m.restApiId())) {
            domains.add(domain.domainName());
            break;
          }
        }
      }
      return States.tags(state, rest.tags());
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.isTrue(state, "disableExecuteApiEndpoint")
          && !state.path("customDomains").isEmpty();
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      ApiGatewayClient api = aws.apiGateway();
      api.updateRestApi(
          r ->
              r.restApiId(f.resourceId())
                  .patchOperations(replace("/disableExecuteApiEndpoint", "true")));
      // The setting takes effect only in a new deployment of each stage.
      for (Stage stage : api.getStages(r -> r.restApiId(f.resourceId())).item()) {
        api.createDeployment(
            r ->
                r.restApiId(f.resourceId())
                    .stageName(stage.stageName())
                    .description("trailmark: disable default execute-api endpoint"));
      }
    }
  }

  /** Reads a stage named by its Config ARN. */
  abstract static class StageAction implements RemediationAction {
    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      Matcher m = STAGE_ARN.matcher(f.resourceId());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a stage ARN: " + f.resourceId());
      }
      GetStageResponse s;
      try {
        s = aws.apiGateway().getStage(r -> r.restApiId(m.group(1)).stageName(m.group(2)));
      } catch (NotFoundException e) {
        return null;
      }
      ObjectNode state = States.object();
      state.put("restApiId", m.group(1));
      state.put("stageName", s.stageName());
      state.put("tracingEnabled", Boolean.TRUE.equals(s.tracingEnabled()));
      MethodSetting all = s.methodSettings() == null ? null : s.methodSettings().get("*/*");
      state.put(
          "loggingLevel", all == null || all.loggingLevel() == null ? "OFF" : all.loggingLevel());
      return States.tags(state, s.tags());
    }

    void update(JsonNode state, RemediationClients aws, PatchOperation op) {
      aws.apiGateway()
          .updateStage(
              r ->
                  r.restApiId(state.path("restApiId").asText())
                      .stageName(state.path("stageName").asText())
                      .patchOperations(op));
    }
  }

  /** Turns on X-Ray tracing for a stage. */
  static final class EnableStageTracing extends StageAction {
    @Override
    public String name() {
      return "apigateway-enable-stage-tracing";
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !States.isTrue(state, "tracingEnabled");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      update(state, aws, replace("/tracingEnabled", "true"));
    }
  }

  /** Turns on execution logging for every method of a stage. */
  static final class EnableStageLogging extends StageAction {
    @Override
    public String name() {
      return "apigateway-enable-stage-logging";
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      String level = state.path("loggingLevel").asText("OFF");
      return !level.equals("INFO") && !level.equals("ERROR");
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      update(
          state, aws, replace("/*/*/logging/loglevel", States.param(f, "loggingLevel", "ERROR")));
    }
  }
}
