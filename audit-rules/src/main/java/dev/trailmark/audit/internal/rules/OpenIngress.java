package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds ingress permissions open to the whole internet on SSH (22), RDP (3389) or all ports, in
 * every shape AWS writes them. A range is the whole internet when its prefix length is 0, whatever
 * the address before the slash: {@code 208.236.235.254/0} opens as much as {@code 0.0.0.0/0}, and
 * EC2 stores and answers it as written.
 */
public final class OpenIngress {
  /** Ports whose exposure to the internet a rule flags; every-port rules are flagged too. */
  static final int[] ADMIN_PORTS = {22, 3389};

  private OpenIngress() {}

  /** One offending permission: the protocol, port range and the one open CIDR it grants. */
  public record Permission(String protocol, int fromPort, int toPort, String cidr, boolean ipv6) {}

  /**
   * The offending permissions under {@code permissions}: an array (Config item, EC2 API state) or
   * an object with {@code items} (CloudTrail's XML-derived shape), each with {@code ipv4Ranges},
   * {@code ipRanges} (objects or plain strings) and {@code ipv6Ranges}.
   */
  public static List<Permission> find(JsonNode permissions) {
    List<Permission> out = new ArrayList<>();
    for (JsonNode p : items(permissions)) {
      String protocol = p.path("ipProtocol").asText("");
      int from = port(p.path("fromPort"));
      int to = port(p.path("toPort"));
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
        String cidr = range.isTextual() ? range.asText() : range.path("cidrIpv6").asText("");
        addIfOpen(out, protocol, from, to, cidr, true);
      }
    }
    return out;
  }

  /**
   * The offending permissions an {@code AuthorizeSecurityGroupIngress} or {@code
   * ModifySecurityGroupRules} CloudTrail record grants. When AWS recorded the resulting rules
   * ({@code responseElements.securityGroupRuleSet}, written for every successful authorize call
   * since 2021), those rules are judged, whatever request shape produced them. Otherwise the
   * request is read in each shape clients send: {@code ipPermissions.items}, the flat legacy
   * parameters ({@code cidrIp}, {@code ipProtocol}, {@code fromPort}, {@code toPort} beside an
   * empty {@code ipPermissions}, as the CLI's {@code --cidr --port} writes them), and {@code
   * ModifySecurityGroupRulesRequest.SecurityGroupRule}.
   */
  public static List<Permission> findInEvent(JsonNode event) {
    JsonNode recorded = event.path("responseElements").path("securityGroupRuleSet");
    if (!items(recorded).isEmpty()) {
      return findInRules(items(recorded), false);
    }
    JsonNode request = event.path("requestParameters");
    List<Permission> out = new ArrayList<>(find(request.path("ipPermissions")));
    String protocol = request.path("ipProtocol").asText("");
    if (!protocol.isEmpty()) {
      int from = port(request.path("fromPort"));
      int to = port(request.path("toPort"));
      if (exposesAdminPort(protocol, from, to)) {
        addIfOpen(out, protocol, from, to, request.path("cidrIp").asText(""), false);
      }
    }
    JsonNode modify = request.path("ModifySecurityGroupRulesRequest").path("SecurityGroupRule");
    List<JsonNode> updates = new ArrayList<>();
    for (JsonNode update : modify.isArray() ? modify : List.of(modify)) {
      if (update.path("SecurityGroupRule").isObject()) {
        updates.add(update.path("SecurityGroupRule"));
      }
    }
    out.addAll(findInRules(updates, true));
    return out;
  }

  /** Security group rules ({@code cidrIpv4}/{@code cidrIpv6}); egress rules are not ingress. */
  private static List<Permission> findInRules(List<JsonNode> rules, boolean pascalCase) {
    List<Permission> out = new ArrayList<>();
    for (JsonNode rule : rules) {
      if (field(rule, "isEgress", pascalCase).asBoolean(false)) {
        continue;
      }
      String protocol = field(rule, "ipProtocol", pascalCase).asText("");
      int from = port(field(rule, "fromPort", pascalCase));
      int to = port(field(rule, "toPort", pascalCase));
      if (!exposesAdminPort(protocol, from, to)) {
        continue;
      }
      addIfOpen(out, protocol, from, to, field(rule, "cidrIpv4", pascalCase).asText(""), false);
      addIfOpen(out, protocol, from, to, field(rule, "cidrIpv6", pascalCase).asText(""), true);
    }
    return out;
  }

  private static JsonNode field(JsonNode node, String camel, boolean pascalCase) {
    return node.path(
        pascalCase ? Character.toUpperCase(camel.charAt(0)) + camel.substring(1) : camel);
  }

  /** True when a CIDR's prefix length is 0: every address, IPv4 or IPv6. */
  public static boolean wholeInternet(String cidr) {
    String c = cidr.trim();
    int slash = c.lastIndexOf('/');
    return slash > 0 && c.substring(slash + 1).trim().matches("0+");
  }

  private static void addIfOpen(
      List<Permission> out, String protocol, int from, int to, String cidr, boolean ipv6) {
    if (wholeInternet(cidr)) {
      out.add(new Permission(protocol, from, to, cidr, ipv6));
    }
  }

  /** A port as a number; CloudTrail writes numbers, the XML-derived shapes sometimes text. */
  private static int port(JsonNode node) {
    if (node.isNumber()) {
      return node.asInt();
    }
    try {
      return Integer.parseInt(node.asText("").trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static boolean exposesAdminPort(String protocol, int from, int to) {
    if (protocol.equals("-1") || protocol.equalsIgnoreCase("all")) {
      return true;
    }
    boolean tcpOrUdp =
        protocol.equalsIgnoreCase("tcp")
            || protocol.equals("6")
            || protocol.equalsIgnoreCase("udp")
            || protocol.equals("17");
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

  /**
   * Elements of an array, or of an object's {@code items} array (CloudTrail's XML-derived shape).
   */
  static List<JsonNode> items(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode list = node != null && node.isObject() ? node.path("items") : node;
    if (list != null && list.isArray()) {
      list.forEach(out::add);
    }
    return out;
  }
}
