package dev.trailmark.audit.rules.conditions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.rules.OpenIngress;
import dev.trailmark.audit.rules.Condition;

/**
 * True when a security group (Config item) or an AuthorizeSecurityGroupIngress or
 * ModifySecurityGroupRules call (CloudTrail event) opens SSH, RDP or every port to the whole
 * internet (any IPv4 or IPv6 range with prefix length 0). See {@link OpenIngress#findInEvent}.
 */
public final class SecurityGroupOpenIngress implements Condition {
  /** Creates the condition; rule files name it by class. */
  public SecurityGroupOpenIngress() {}

  @Override
  public boolean test(JsonNode subject) {
    JsonNode configuration = subject.path("configuration");
    if (configuration.isObject()) {
      return !OpenIngress.find(configuration.path("ipPermissions")).isEmpty();
    }
    return !OpenIngress.findInEvent(subject).isEmpty();
  }
}
