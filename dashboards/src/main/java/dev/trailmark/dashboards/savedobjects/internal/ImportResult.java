package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What Dashboards answered to one import: the objects it created, those it overwrote and those it
 * refused, each named by type, id and title.
 *
 * @param written false when Dashboards held the whole import back (it applies none of a file in
 *     which an object conflicts or misses a reference), so the created and updated lists say what
 *     would have been written
 */
public record ImportResult(
    List<String> created, List<String> updated, List<String> refused, boolean written) {

  /**
   * Error types for which Dashboards skips its bulk create (import_saved_objects /
   * create_saved_objects).
   */
  private static final Set<String> HOLD_BACK =
      Set.of("conflict", "ambiguous_conflict", "missing_references");

  /** Reads the JSON body of {@code POST /api/saved_objects/_import}. */
  public static ImportResult parse(JsonNode body) {
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (JsonNode r : body.path("successResults")) {
      (r.path("overwrite").asBoolean(false) ? updated : created).add(name(r));
    }
    boolean written = true;
    for (JsonNode e : body.path("errors")) {
      JsonNode error = e.path("error");
      String type = error.path("type").asText("unknown");
      if (HOLD_BACK.contains(type)) {
        written = false;
      }
      refused.add(name(e) + ": " + reason(type, error));
    }
    if (!body.path("success").asBoolean(false) && refused.isEmpty()) {
      refused.add("the import failed without naming an object: " + body);
    }
    return new ImportResult(
        List.copyOf(created), List.copyOf(updated), List.copyOf(refused), written);
  }

  private static String name(JsonNode r) {
    String title = r.path("meta").path("title").asText(r.path("title").asText(""));
    return r.path("type").asText("?")
        + " "
        + r.path("id").asText("?")
        + (title.isEmpty() ? "" : " (" + title + ")");
  }

  private static String reason(String type, JsonNode error) {
    switch (type) {
      case "conflict":
        return "conflict with an existing object"
            + (error.hasNonNull("destinationId") ? " " + error.path("destinationId").asText() : "");
      case "ambiguous_conflict":
        return "conflicts with several existing objects";
      case "unsupported_type":
        return "this Dashboards does not support the object's type";
      case "missing_references":
        {
          List<String> refs = new ArrayList<>();
          for (JsonNode ref : error.path("references")) {
            refs.add(ref.path("type").asText() + " " + ref.path("id").asText());
          }
          return "missing references: " + String.join(", ", refs);
        }
      case "missing_data_source":
        return "missing data source " + error.path("dataSourceName").asText();
      default:
        return type
            + (error.has("statusCode") ? " " + error.path("statusCode").asInt() : "")
            + (error.has("message") ? ": " + error.path("message").asText() : "");
    }
  }
}
