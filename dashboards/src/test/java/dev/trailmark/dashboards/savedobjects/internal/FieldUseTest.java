package dev.trailmark.dashboards.savedobjects.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.dashboards.savedobjects.internal.FieldUses.FieldUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every field a search, visualization or index pattern uses exists in the index template of the
 * indices it reads (the collector's, and the alerts index of the contract) with a type that works
 * for its use.
 */
class FieldUseTest {
  private final List<FieldUse> uses = FieldUses.of(SavedObjects.load());
  private final Map<String, IndexTemplateFields> templates = IndexTemplateFields.all();

  @Test
  void everyUsedFieldIsMappedWithATypeFitForItsUse() {
    assertThat(uses).hasSizeGreaterThan(60);
    List<String> wrong = new ArrayList<>();
    for (FieldUse use : uses) {
      IndexTemplateFields t = templateOf(use.indexPattern());
      String type = t.type(use.field());
      Set<String> fit =
          switch (use.use()) {
            case TIME -> IndexTemplateFields.DATE;
            case NUMBER -> IndexTemplateFields.NUMERIC;
            case AGGREGATABLE -> IndexTemplateFields.AGGREGATABLE;
            case PRESENT -> null;
          };
      if (type == null || type.equals("object") || (fit != null && !fit.contains(type))) {
        wrong.add(use + ": template " + t.name + " maps it as " + type);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void eachIndexPatternReadsExactlyOneTemplatesIndices() {
    for (String title :
        List.of(
            "logs-*",
            "otel-v1-apm-span*",
            "otel-v1-apm-service-map*",
            "metrics-*",
            "audit-findings-*",
            "alerts-*")) {
      assertThat(templates.values().stream().filter(t -> t.servesIndexPattern(title)).count())
          .as(title)
          .isEqualTo(1);
    }
    assertThat(uses).extracting(FieldUse::indexPattern).allSatisfy(this::templateOf);
  }

  @Test
  void theCheckerCatchesAMissingFieldAndAWrongType() {
    IndexTemplateFields logs = templates.get("logs");
    assertThat(logs.type("body")).isEqualTo("text");
    assertThat(logs.type("body.keyword")).isEqualTo("keyword");
    assertThat(logs.type("attributes.http.route"))
        .as("dynamic attribute strings")
        .isEqualTo("keyword");
    assertThat(logs.type("no_such_field")).isNull();
    assertThat(templates.get("spans").type("durationInNanos")).isEqualTo("long");
    assertThat(templates.get("service-map").type("target.serviceName"))
        .as("a strict mapping adds nothing")
        .isNull();
    assertThat(templates.get("metrics").type("dimensions.phi")).isEqualTo("keyword");
    assertThat(templates.get("audit-findings").type("ruleId")).isEqualTo("keyword");
    assertThat(
            FieldUses.queryFields("severity.number:>=13 AND _exists_:traceId AND name:\"a.b:c\""))
        .containsExactly("traceId", "severity.number", "name");
  }

  private IndexTemplateFields templateOf(String indexPattern) {
    return templates.values().stream()
        .filter(t -> t.servesIndexPattern(indexPattern))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no index template serves " + indexPattern));
  }
}
