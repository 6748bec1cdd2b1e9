package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.IndexTemplates;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The field types an index template gives, as OpenSearch would map them: explicit properties (with
 * multi-fields such as {@code body.keyword}) first, then the dynamic templates a string value would
 * meet.
 */
final class IndexTemplateFields {
  static final Set<String> NUMERIC =
      Set.of(
          "long",
          "integer",
          "short",
          "byte",
          "double",
          "float",
          "half_float",
          "scaled_float",
          "unsigned_long");
  static final Set<String> DATE = Set.of("date", "date_nanos");
  static final Set<String> AGGREGATABLE;

  static {
    java.util.HashSet<String> a = new java.util.HashSet<>(NUMERIC);
    a.addAll(DATE);
    a.addAll(Set.of("keyword", "boolean", "ip"));
    AGGREGATABLE = Set.copyOf(a);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  final ObjectNode template;

  private IndexTemplateFields(String name, ObjectNode template) {
    this.name = name;
    this.template = template;
  }

  /**
   * The collector's template {@code name} (logs, spans, service-map, metrics, audit-findings)
   * without a prefix.
   */
  static IndexTemplateFields collector(String name) {
    return new IndexTemplateFields(name, IndexTemplates.template(name, ""));
  }

  /** The alerts index of CONTRACTS.md (owned by alerting/), from this module's test resources. */
  static IndexTemplateFields alertsContract(String prefix) {
    try (InputStream in =
        IndexTemplateFields.class.getResourceAsStream(
            "/dev/trailmark/dashboards/savedobjects/alerts-contract-template.json")) {
      ObjectNode t =
          (ObjectNode)
              JSON.readTree(
                  new String(in.readAllBytes(), StandardCharsets.UTF_8)
                      .replace("${prefix}", prefix));
      t.remove("_comment");
      return new IndexTemplateFields("alerts", t);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every template the saved objects read, by name. */
  static Map<String, IndexTemplateFields> all() {
    Map<String, IndexTemplateFields> all = new LinkedHashMap<>();
    for (String n : new String[] {"logs", "spans", "service-map", "metrics", "audit-findings"}) {
      all.put(n, collector(n));
    }
    all.put("alerts", alertsContract(""));
    return all;
  }

  /** Whether an index pattern title (a glob) matches the indices this template applies to. */
  boolean servesIndexPattern(String title) {
    for (JsonNode p : template.path("index_patterns")) {
      String sample = p.asText().replace("*", "2026.01.01");
      if (glob(title).matcher(sample).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether an index of this name gets this template. */
  boolean appliesTo(String indexName) {
    for (JsonNode p : template.path("index_patterns")) {
      if (glob(p.asText()).matcher(indexName).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The mapped type of a dotted field name, or null when a document's string value would not be
   * mapped there.
   */
  String type(String field) {
    JsonNode mappings = template.path("template").path("mappings");
    JsonNode node = mappings;
    String[] parts = field.split("\\.");
    for (int i = 0; i < parts.length; i++) {
      JsonNode next = node.path("properties").path(parts[i]);
      if (next.isMissingNode()) {
        // A multi-field: body.keyword.
        if (i == parts.length - 1 && node.path("fields").has(parts[i])) {
          return node.path("fields").path(parts[i]).path("type").asText();
        }
        return dynamicType(mappings, field);
      }
      node = next;
    }
    if (node.has("type")) {
      return node.path("type").asText();
    }
    return node.has("properties") ? "object" : null;
  }

  private static String dynamicType(JsonNode mappings, String field) {
    if (mappings.path("dynamic").asText("true").equals("strict")) {
      return null;
    }
    for (JsonNode entry : mappings.path("dynamic_templates")) {
      JsonNode t = entry.elements().next();
      String matchType = t.path("match_mapping_type").asText("*");
      if (!matchType.equals("*") && !matchType.equals("string")) {
        continue;
      }
      if (t.has("path_match") && !glob(t.path("path_match").asText()).matcher(field).matches()) {
        continue;
      }
      if (t.has("match")
          && !glob(t.path("match").asText())
              .matcher(field.substring(field.lastIndexOf('.') + 1))
              .matches()) {
        continue;
      }
      return t.path("mapping").path("type").asText();
    }
    return null;
  }

  static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      re.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }
}
