package dev.trailmark.collector.internal.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * The composable index templates the collector owns (logs, spans, service map, metrics, audit
 * findings), with explicit mappings, installed before the first document is written.
 */
public final class IndexTemplates {

  /** Template names (without prefix), each loaded from {@code templates/<name>.json}. */
  public static final List<String> NAMES =
      List.of("logs", "spans", "service-map", "metrics", "audit-findings", "dead-letter");

  private IndexTemplates() {}

  /**
   * OpenSearch answered but refused a template (e.g. another template with overlapping patterns and
   * the same priority): writing can go on with the mappings OpenSearch has, so this is a warning,
   * not an outage.
   */
  public static final class RejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    RejectedException(String message) {
      super(message);
    }
  }

  /**
   * The template body for {@code name} with its index patterns and aliases under {@code prefix}.
   */
  public static ObjectNode template(String name, String prefix) {
    try (InputStream in =
        IndexTemplates.class.getResourceAsStream(
            "/dev/trailmark/collector/templates/" + name + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no index template named " + name);
      }
      String json =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", prefix);
      ObjectNode template = (ObjectNode) Json.MAPPER.readTree(json);
      // Longer prefixes win over shorter ones whose patterns overlap (OpenSearch refuses equal
      // priorities).
      template.put("priority", 100 + prefix.length());
      template.putObject("_meta").put("managed_by", "trailmark-collector");
      return template;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Installs (or replaces) every template for {@code prefix}; {@code <prefix>trailmark-<name>} is
   * each name.
   */
  public static void install(OpenSearchClient client, String prefix) throws IOException {
    java.util.List<String> rejected = new java.util.ArrayList<>();
    for (String name : NAMES) {
      byte[] body = Json.MAPPER.writeValueAsBytes(template(name, prefix));
      try (Response response =
          client
              .generic()
              .execute(
                  Requests.builder()
                      .method("PUT")
                      .endpoint("/_index_template/" + prefix + "trailmark-" + name)
                      .body(Body.from(body, "application/json"))
                      .build())) {
        if (response.getStatus() >= 300) {
          String text = response.getBody().map(Body::bodyAsString).orElse("");
          String message =
              "installing index template " + name + " failed: " + response.getStatus() + " " + text;
          if (response.getStatus() >= 500) {
            throw new IOException(message);
          }
          rejected.add(message);
        }
      }
    }
    if (!rejected.isEmpty()) {
      throw new RejectedException(String.join("; ", rejected));
    }
  }
}
