package dev.trailmark.audit.rules.conditions;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds ingress permissions open to the whole internet (0.0.0.0/0 or ::/0) on SSH (22), RDP (3389)
 * or all ports, in any of the shapes AWS writes them: a Config item's {@code ipPermissions} array,
 * a CloudTrail {@code ipPermissions.items} list, or an EC2 API response.
 */
public final class OpenIngress {
  /** Ports whose exposure to the internet a rule flags; every-port rules are flagged too. */
  static final int[] ADMIN_PORTS = {22, 3389};

  private OpenIngress() {}

  /** One offending permission: the protocol, port range and the one open CIDR it grants. */
  public record Permission(String protocol, int fromPort, int toPort, String cidr, boolean ipv6) {}

  /** The offending permissions under {@code permissions} (an array or an object with items). */
  public static List<Permission> find(JsonNode permissions) {
    List<Permission> out = new ArrayList<>();
    for (JsonNode p : items(permissions)) {
      String protocol = p.path("ipProtocol").asText("");
      int from = p.path("fromPort").asInt(-1);
      int to = p.path("toPort").asInt(-1);
      if (!exposesAdminPort(protocol, from, to)) {
        continue;
      }
      // Config items carry both ipv4Ranges objects and the older plain-string ipRanges: one each.
      for (JsonNode range : items(p.path("ipv4Ranges"))) {
        addIfOpen(out, protocol, from, to, range.path("cidrIp").asText(""), false);
      }
      if (items(p.path("ipv4Ranges")).isEmpty()) {
        for (JsonNode range : items(p.path("ipRanges"))) {
          String cidr = range.isTextual() ? range.asText() : range.path("cidrIp").asText("");
          addIfOpen(out, protocol, from, to, cidr, false);
        }
      }
      for (JsonNode range : items(p.path("ipv6Ranges"))) {
        addIfOpen(out, protocol, from, to, range.path("cidrIpv6").asText(""), true);
      }
    }
    return out;
  }

  private static void addIfOpen(List<Permission> out, String protocol, int from, int to,
      String cidr, boolean ipv6) {
    if (cidr.equals("0.0.0.0/0") || cidr.equals("::/0")) {
      out.add(new Permission(protocol, from, to, cidr, ipv6));
    }
  }

  static boolean exposesAdminPort(String protocol, int from, int to) {
    if (protocol.equals("-1") || protocol.equalsIgnoreCase("all")) {
      return true;
    }
    boolean tcpOrUdp = protocol.equalsIgnoreCase("tcp") || protocol.equals("6")
        || protocol.equalsIgnoreCase("udp") || protocol.equals("17");
    if (!tcpOrUdp) {
      return false;
    }
    if (from == -1 && to == -1) {
      return true;
    }
    for (int port : ADMIN_PORTS) {
      if (from <= port && port <= to) {
        return true;
      }
    }
    return false;
  }

  /** Elements of an array, or of an object's {@code items} array (CloudTrail's XML-derived shape). */
  static List<JsonNode> items(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode list = node != null && node.isObject() ? node.path("items") : node;
    if (list != null && list.isArray()) {
      list.forEach(out::add);
    }
    return out;
  }
}
