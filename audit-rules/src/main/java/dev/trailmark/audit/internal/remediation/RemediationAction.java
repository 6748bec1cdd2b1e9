package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;

/**
 * One kind of fix. The worker reads the resource's current state, acts only if it still violates
 * (so a redelivered message changes nothing twice), and reads the state again afterwards; both
 * states go into the audit record, the first one being what an operator needs to roll back.
 */
public interface RemediationAction {
  /** The name rule files use. */
  String name();

  /**
   * The resource's current state as JSON (with a {@code tags} object when the service returns tags
   * cheaply), or {@code null} when the resource no longer exists.
   */
  JsonNode read(Finding finding, RemediationClients aws);

  /** True when {@code state} still needs this fix. */
  boolean violates(JsonNode state, Finding finding);

  /** Makes the change. Must be safe to call again on a state that already violates. */
  void apply(JsonNode state, Finding finding, RemediationClients aws);
}
