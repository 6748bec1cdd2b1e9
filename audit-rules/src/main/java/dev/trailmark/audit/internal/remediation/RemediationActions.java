package dev.trailmark.audit.internal.remediation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registry of implemented remediation actions, by the name rule files use. */
public final class RemediationActions {
  private static final Map<String, RemediationAction> BY_NAME =
      index(
          List.of(
              new ApiGatewayActions.SetDomainSecurityPolicy(),
              new ApiGatewayActions.DisableDefaultEndpoint(),
              new ApiGatewayActions.EnableStageTracing(),
              new ApiGatewayActions.EnableStageLogging(),
              new Ec2Actions.RevokeOpenIngress(),
              new S3Actions.PutPublicAccessBlock(),
              new S3Actions.EnableDefaultEncryption(),
              new CloudTrailActions.StartLogging(),
              new CloudTrailActions.RestoreTrail(),
              new CloudTrailActions.EnableLogFileValidation(),
              new ServiceActions.SetLogRetention(),
              new ServiceActions.EnableLambdaTracing()));

  private RemediationActions() {}

  private static Map<String, RemediationAction> index(List<RemediationAction> actions) {
    Map<String, RemediationAction> map = new HashMap<>();
    for (RemediationAction a : actions) {
      map.put(a.name(), a);
    }
    if (!map.keySet().equals(ActionNames.ALL)) {
      throw new IllegalStateException("action registry and ActionNames disagree: " + map.keySet());
    }
    return Map.copyOf(map);
  }

  /** The action with this name, if implemented. */
  public static Optional<RemediationAction> forName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }
}
