package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.rules.OpenIngress;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsResponse;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Ipv6Range;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;

/** EC2 remediations. */
final class Ec2Actions {
  private Ec2Actions() {}

  /** Revokes exactly the ingress permissions that open SSH, RDP or all ports to the internet. */
  static final class RevokeOpenIngress implements RemediationAction {
    @Override
    public String name() {
      return "ec2-revoke-open-ingress";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      DescribeSecurityGroupsResponse response =
          RemediationClients.unlessAbsent(
              "InvalidGroup.NotFound",
              () -> aws.ec2().describeSecurityGroups(r -> r.groupIds(f.resourceId())));
      if (response == null || response.securityGroups().isEmpty()) {
        return null;
      }
      SecurityGroup group = response.securityGroups().get(0);
      ObjectNode state = States.object();
      state.put("groupId", group.groupId());
      state.put("groupName", group.groupName());
      ArrayNode permissions = state.putArray("ipPermissions");
      for (IpPermission p : group.ipPermissions()) {
        ObjectNode node = permissions.addObject();
        node.put("ipProtocol", p.ipProtocol());
        if (p.fromPort() != null) {
          node.put("fromPort", p.fromPort());
        }
        if (p.toPort() != null) {
          node.put("toPort", p.toPort());
        }
        ArrayNode v4 = node.putArray("ipRanges");
        p.ipRanges().forEach(r -> v4.addObject().put("cidrIp", r.cidrIp()));
        ArrayNode v6 = node.putArray("ipv6Ranges");
        p.ipv6Ranges().forEach(r -> v6.addObject().put("cidrIpv6", r.cidrIpv6()));
        node.put("otherSources", p.userIdGroupPairs().size() + p.prefixListIds().size());
      }
      ObjectNode tags = state.putObject("tags");
      for (Tag t : group.tags()) {
        tags.put(t.key(), t.value());
      }
      return state;
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !OpenIngress.find(state.path("ipPermissions")).isEmpty();
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      List<IpPermission> revoke = new ArrayList<>();
      for (OpenIngress.Permission p : OpenIngress.find(state.path("ipPermissions"))) {
        IpPermission.Builder b = IpPermission.builder().ipProtocol(p.protocol());
        if (!p.protocol().equals("-1")) {
          b.fromPort(p.fromPort()).toPort(p.toPort());
        }
        if (p.ipv6()) {
          b.ipv6Ranges(Ipv6Range.builder().cidrIpv6(p.cidr()).build());
        } else {
          b.ipRanges(IpRange.builder().cidrIp(p.cidr()).build());
        }
        revoke.add(b.build());
      }
      aws.ec2().revokeSecurityGroupIngress(r -> r.groupId(f.resourceId()).ipPermissions(revoke));
    }
  }
}
