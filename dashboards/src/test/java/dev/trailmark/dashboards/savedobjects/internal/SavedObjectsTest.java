package dev.trailmark.dashboards.savedobjects.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped ndjson is what OpenSearch Dashboards 2.x imports: one object per line with type, id,
 * attributes, references and migrationVersion; the attributes Dashboards keeps as JSON in strings
 * parse; every reference resolves inside the file; ids are the ones users' links and other objects
 * point at.
 */
class SavedObjectsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The migration version of each type in Dashboards 2.x (the last Kibana 7.10 migration of that
   * type).
   */
  private static final Map<String, String> MIGRATION =
      Map.of(
          "index-pattern",
          "7.6.0",
          "search",
          "7.9.3",
          "visualization",
          "7.10.0",
          "dashboard",
          "7.9.3");

  private static final Set<String> VIS_TYPES = Set.of("line", "histogram", "table", "pie", "vega");

  private final List<ObjectNode> objects = SavedObjects.load();

  @Test
  void everyLineIsAnObjectInTheShapeDashboardsImports() throws IOException {
    assertThat(objects).hasSizeGreaterThanOrEqualTo(25);
    for (ObjectNode o : objects) {
      String type = o.path("type").asText();
      assertThat(MIGRATION).as("type of %s", o.path("id")).containsKey(type);
      assertThat(o.path("id").asText()).as("id").matches("trailmark-[a-z0-9-]+");
      assertThat(o.path("attributes").isObject()).isTrue();
      assertThat(o.path("references").isArray()).isTrue();
      assertThat(o.path("migrationVersion").path(type).asText())
          .as("migrationVersion of %s", o.path("id"))
          .isEqualTo(MIGRATION.get(type));
      assertThat(o.path("attributes").path("title").asText())
          .as("title of %s", o.path("id"))
          .isNotBlank();
      for (JsonNode ref : o.path("references")) {
        assertThat(ref.path("name").asText()).isNotBlank();
        assertThat(ref.path("type").asText()).isNotBlank();
        assertThat(ref.path("id").asText()).isNotBlank();
      }
      JsonNode a = o.path("attributes");
      switch (type) {
        case "index-pattern" -> {
          assertThat(JSON.readTree(a.path("fields").asText()).isArray()).isTrue();
          if (a.has("fieldFormatMap")) {
            assertThat(JSON.readTree(a.path("fieldFormatMap").asText()).isObject()).isTrue();
          }
        }
        case "search" -> {
          assertThat(a.path("columns").isArray()).isTrue();
          assertThat(a.path("sort").isArray()).isTrue();
          assertThat(searchSource(o).path("query").path("language").asText())
              .isIn("lucene", "kuery");
        }
        case "visualization" -> {
          JsonNode vis = JSON.readTree(a.path("visState").asText());
          assertThat(vis.path("title").asText()).isEqualTo(a.path("title").asText());
          assertThat(vis.path("type").asText()).isIn(VIS_TYPES);
          assertThat(JSON.readTree(a.path("uiStateJSON").asText()).isObject()).isTrue();
          searchSource(o);
          if (vis.path("type").asText().equals("vega")) {
            JsonNode spec = JSON.readTree(vis.path("params").path("spec").asText());
            assertThat(spec.path("data").path("url").path("index").asText()).isNotBlank();
            assertThat(spec.path("data").path("url").path("body").isObject()).isTrue();
          } else {
            assertThat(vis.path("aggs")).isNotEmpty();
            Set<String> aggIds = new HashSet<>();
            for (JsonNode agg : vis.path("aggs")) {
              assertThat(aggIds.add(agg.path("id").asText()))
                  .as("agg ids unique in %s", o.path("id"))
                  .isTrue();
              assertThat(agg.path("enabled").asBoolean()).isTrue();
              assertThat(agg.path("type").asText()).isNotBlank();
              assertThat(agg.path("schema").asText())
                  .isIn("metric", "segment", "group", "split", "bucket");
              assertThat(agg.path("params").isObject()).isTrue();
            }
          }
        }
        case "dashboard" -> {
          assertThat(JSON.readTree(a.path("panelsJSON").asText()).isArray()).isTrue();
          assertThat(JSON.readTree(a.path("optionsJSON").asText()).isObject()).isTrue();
          assertThat(a.path("timeRestore").asBoolean())
              .as("a dashboard brings its own time range")
              .isTrue();
          assertThat(a.path("timeFrom").asText()).startsWith("now-");
          assertThat(a.path("timeTo").asText()).isEqualTo("now");
          assertThat(a.path("refreshInterval").path("pause").asBoolean(true)).isFalse();
          assertThat(a.path("refreshInterval").path("value").asInt()).isPositive();
          searchSource(o);
        }
        default -> throw new AssertionError(type);
      }
    }
  }

  @Test
  void everyReferenceResolvesInsideTheFileAndEveryReferenceNameIsUsed() throws IOException {
    Set<String> present = new HashSet<>();
    objects.forEach(o -> present.add(o.path("type").asText() + ":" + o.path("id").asText()));
    for (ObjectNode o : objects) {
      Map<String, JsonNode> byName = new HashMap<>();
      for (JsonNode ref : o.path("references")) {
        assertThat(present)
            .as("reference %s of %s", ref, o.path("id"))
            .contains(ref.path("type").asText() + ":" + ref.path("id").asText());
        assertThat(byName.put(ref.path("name").asText(), ref))
            .as("reference names unique in %s", o.path("id"))
            .isNull();
      }
      List<String> used = new ArrayList<>();
      JsonNode a = o.path("attributes");
      if (a.has("kibanaSavedObjectMeta")) {
        JsonNode source = searchSource(o);
        if (source.has("indexRefName")) {
          used.add(source.path("indexRefName").asText());
          assertThat(byName.get(source.path("indexRefName").asText()).path("type").asText())
              .isEqualTo("index-pattern");
        }
      }
      if (a.has("panelsJSON")) {
        for (JsonNode panel : JSON.readTree(a.path("panelsJSON").asText())) {
          used.add(panel.path("panelRefName").asText());
          assertThat(panel.path("panelIndex").asText())
              .isEqualTo(panel.path("gridData").path("i").asText());
        }
      }
      assertThat(byName.keySet())
          .as("references of %s are exactly those used", o.path("id"))
          .containsExactlyInAnyOrderElementsOf(used);
    }
  }

  @Test
  void panelsDoNotOverlapOnTheGrid() throws IOException {
    for (ObjectNode o : objects) {
      if (!o.path("type").asText().equals("dashboard")) {
        continue;
      }
      List<int[]> boxes = new ArrayList<>();
      for (JsonNode p : JSON.readTree(o.path("attributes").path("panelsJSON").asText())) {
        JsonNode g = p.path("gridData");
        int[] box = {
          g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()
        };
        assertThat(box[0] + box[2])
            .as("within the 48 columns of %s", o.path("id"))
            .isLessThanOrEqualTo(48);
        for (int[] other : boxes) {
          boolean overlap =
              box[0] < other[0] + other[2]
                  && other[0] < box[0] + box[2]
                  && box[1] < other[1] + other[3]
                  && other[1] < box[1] + box[3];
          assertThat(overlap).as("panels of %s overlap", o.path("id")).isFalse();
        }
        boxes.add(box);
      }
    }
  }

  @Test
  void idsAreTheOnesUsersAndOtherObjectsPointAt() throws IOException {
    List<String> ids = new ArrayList<>();
    objects.forEach(o -> ids.add(o.path("type").asText() + " " + o.path("id").asText()));
    assertThat(ids).doesNotHaveDuplicates();
    try (InputStream in =
        getClass()
            .getResourceAsStream("/dev/trailmark/dashboards/savedobjects/saved-object-ids.txt")) {
      List<String> expected =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isBlank())
              .toList();
      // A changed id leaves a user's bookmarks and an older install's objects behind: change this
      // list on purpose.
      assertThat(ids).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void theThreeDashboardsAreThere() {
    Map<String, String> titles = new HashMap<>();
    objects.stream()
        .filter(o -> o.path("type").asText().equals("dashboard"))
        .forEach(
            o -> titles.put(o.path("id").asText(), o.path("attributes").path("title").asText()));
    assertThat(titles)
        .containsOnly(
            Map.entry("trailmark-dashboard-services", "Trailmark: Services (RED)"),
            Map.entry("trailmark-dashboard-logs", "Trailmark: Logs"),
            Map.entry("trailmark-dashboard-audit", "Trailmark: Audit and remediation"));
  }

  @Test
  void theIndexPrefixGoesInFrontOfEveryIndexPatternAndEveryVegaIndexOnly() throws IOException {
    List<ObjectNode> prefixed = SavedObjects.withIndexPrefix(objects, "prod-");
    assertThat(prefixed).hasSameSizeAs(objects);
    int vega = 0;
    for (int i = 0; i < objects.size(); i++) {
      ObjectNode before = objects.get(i);
      ObjectNode after = prefixed.get(i);
      String type = before.path("type").asText();
      if (type.equals("index-pattern")) {
        assertThat(after.path("attributes").path("title").asText())
            .isEqualTo("prod-" + before.path("attributes").path("title").asText());
        ObjectNode rest = after.deepCopy();
        ((ObjectNode) rest.path("attributes"))
            .set("title", before.path("attributes").path("title"));
        assertThat(rest).isEqualTo(before);
      } else if (type.equals("visualization")
          && visState(before).path("type").asText().equals("vega")) {
        vega++;
        JsonNode specBefore = JSON.readTree(visState(before).path("params").path("spec").asText());
        JsonNode specAfter = JSON.readTree(visState(after).path("params").path("spec").asText());
        assertThat(specAfter.path("data").path("url").path("index").asText())
            .isEqualTo("prod-" + specBefore.path("data").path("url").path("index").asText());
        ((ObjectNode) specAfter.path("data").path("url"))
            .set("index", specBefore.path("data").path("url").path("index"));
        assertThat(specAfter).isEqualTo(specBefore);
      } else {
        assertThat(after).isEqualTo(before);
      }
    }
    assertThat(vega).isEqualTo(2);
    assertThat(SavedObjects.withIndexPrefix(objects, "")).isEqualTo(objects);
    assertThat(objects).as("the loaded objects are not changed").isEqualTo(SavedObjects.load());
  }

  @Test
  void aPrefixThatCannotStartAnIndexNameIsRefused() {
    for (String bad : List.of("Prod-", "-prod", "a b", "logs*", "a,b", "a/b", "_x")) {
      assertThatThrownBy(() -> SavedObjects.withIndexPrefix(objects, bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void ndjsonOfTheLoadedObjectsIsTheShippedFileByteForByte() throws IOException {
    try (InputStream in = getClass().getResourceAsStream(SavedObjects.RESOURCE)) {
      assertThat(new String(SavedObjects.toNdjson(objects), StandardCharsets.UTF_8))
          .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static JsonNode searchSource(JsonNode o) throws IOException {
    JsonNode source =
        JSON.readTree(
            o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
    assertThat(source.isObject()).isTrue();
    assertThat(source.path("filter").isArray()).isTrue();
    return source;
  }

  static JsonNode visState(JsonNode o) throws IOException {
    return JSON.readTree(o.path("attributes").path("visState").asText());
  }
}
