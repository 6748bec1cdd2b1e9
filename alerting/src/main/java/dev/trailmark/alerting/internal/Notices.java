package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Builds notice documents (the alerts-index contract in CONTRACTS.md) and their text. */
public final class Notices {
  private static final Set<String> SERVICE_FIELDS = Set.of("resource.service.name", "serviceName");

  private Notices() {}

  /** A stable id from its parts: the same notice made again (a replayed cycle) gets the same id. */
  public static String id(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        sha.update(p.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A notice document without its delivery. */
  public static ObjectNode notice(
      Rule rule,
      String alertId,
      String state,
      String key,
      long matchCount,
      long windowStart,
      long windowEnd,
      String message,
      String traceId,
      long now) {
    ObjectNode n = Json.object();
    n.put("@timestamp", Instant.ofEpochMilli(now).toString());
    n.put("alert_id", alertId);
    n.putObject("rule").put("name", rule.name()).put("type", rule.type().label());
    n.put("severity", rule.severity());
    n.put("state", state);
    if (rule.queryKeyName() != null && !key.equals("_all")) {
      n.put("query_key", rule.queryKeyName());
    }
    n.put("key", key);
    n.put("match_count", matchCount);
    n.putObject("window")
        .put("start", Instant.ofEpochMilli(windowStart).toString())
        .put("end", Instant.ofEpochMilli(windowEnd).toString());
    n.put("message", message);
    n.put("index", rule.index());
    if (traceId != null) {
      n.putObject("sample").put("traceId", traceId);
    }
    String service = service(rule, key);
    if (service != null) {
      n.putObject("resource").putObject("service").put("name", service);
    }
    if (!rule.description().isEmpty()) {
      n.put("description", rule.description());
    }
    return n;
  }

  /** The service a key names, when one of the rule's query key fields is a service name field. */
  static String service(Rule rule, String key) {
    if (key.equals("_all")) {
      return null;
    }
    String[] parts = key.split(", ", -1);
    for (int i = 0; i < rule.queryKey().size() && i < parts.length; i++) {
      if (SERVICE_FIELDS.contains(rule.queryKey().get(i))) {
        return parts[i];
      }
    }
    return null;
  }

  /** {@code [FIRING high] error-log-spike: inventory}. */
  public static String title(JsonNode n) {
    String key = n.path("key").asText("_all");
    return "["
        + n.path("state").asText().toUpperCase(Locale.ROOT)
        + " "
        + n.path("severity").asText()
        + "] "
        + n.path("rule").path("name").asText()
        + (key.equals("_all") ? "" : ": " + key);
  }

  /** The message, the window, the sample trace and, for an aggregated notice, its summary table. */
  public static String body(JsonNode n) {
    StringBuilder b = new StringBuilder(n.path("message").asText());
    b.append("\nwindow ")
        .append(n.path("window").path("start").asText())
        .append(" .. ")
        .append(n.path("window").path("end").asText())
        .append("  index ")
        .append(n.path("index").asText());
    if (n.path("sample").path("traceId").isTextual()) {
      b.append("\nsample trace ").append(n.path("sample").path("traceId").asText());
    }
    b.append("\nalert ").append(n.path("alert_id").asText());
    return b.toString();
  }

  /** A plain-text table of rows (ElastAlert's summary table), columns in the order given. */
  public static String table(
      List<String> columns, List<? extends java.util.Map<String, Object>> rows) {
    List<String> cols = new ArrayList<>(new LinkedHashSet<>(columns));
    int[] width = new int[cols.size()];
    for (int i = 0; i < cols.size(); i++) {
      width[i] = cols.get(i).length();
      for (var row : rows) {
        width[i] = Math.max(width[i], String.valueOf(row.getOrDefault(cols.get(i), "")).length());
      }
      width[i] = Math.min(width[i], 60);
    }
    StringBuilder b = new StringBuilder();
    line(b, cols, width);
    StringBuilder rule = new StringBuilder();
    for (int w : width) {
      rule.append("-".repeat(w)).append("  ");
    }
    b.append(rule.toString().stripTrailing()).append('\n');
    for (var row : rows) {
      List<String> cells = new ArrayList<>();
      for (String c : cols) {
        cells.add(String.valueOf(row.getOrDefault(c, "")));
      }
      line(b, cells, width);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      if (c.length() > width[i]) {
        c = c.substring(0, width[i] - 1) + "…";
      }
      l.append(c).append(" ".repeat(width[i] - c.length())).append("  ");
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }
}
