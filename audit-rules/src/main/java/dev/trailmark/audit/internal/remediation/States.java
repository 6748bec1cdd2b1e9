package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.util.Map;

/** Small helpers shared by the actions for building state documents. */
final class States {
  private States() {}

  static ObjectNode tags(ObjectNode state, Map<String, String> tags) {
    ObjectNode node = state.putObject("tags");
    if (tags != null) {
      tags.forEach(node::put);
    }
    return state;
  }

  static String param(
      dev.trailmark.audit.internal.engine.Finding f, String name, String defaultValue) {
    Object v = f.params() == null ? null : f.params().get(name);
    return v == null ? defaultValue : String.valueOf(v);
  }

  static boolean isTrue(JsonNode state, String field) {
    return state.path(field).asBoolean(false);
  }

  static ObjectNode object() {
    return Json.object();
  }
}
