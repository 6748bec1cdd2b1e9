package dev.trailmark.dashboards.savedobjects.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * OpenSearch Dashboards' Trace analytics reads the collector's span and service-map indices as Data
 * Prepper writes them: every field of Data Prepper's two templates, and every field Trace analytics
 * queries, is mapped by the collector's templates with the same type.
 */
class TraceAnalyticsFieldsTest {

  @Test
  void theCollectorMapsEveryDataPrepperFieldWithTheSameType() throws IOException {
    List<String> lines;
    try (InputStream in =
        getClass()
            .getResourceAsStream(
                "/dev/trailmark/dashboards/savedobjects/data-prepper-fields.txt")) {
      lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .toList();
    }
    assertThat(lines).hasSizeGreaterThan(40);
    List<String> wrong = new ArrayList<>();
    for (String line : lines) {
      String[] p = line.split(" ");
      IndexTemplateFields t = IndexTemplateFields.collector(p[0]);
      String type = t.type(p[1]);
      if (p[2].equals("queried") ? type == null : !p[2].equals(type)) {
        wrong.add(line + ": the collector's " + p[0] + " template maps it as " + type);
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void spanAndServiceMapTemplatesTurnOffDateDetectionLikeDataPreppers() {
    for (String name : List.of("spans", "service-map")) {
      assertThat(
              IndexTemplateFields.collector(name)
                  .template
                  .path("template")
                  .path("mappings")
                  .path("date_detection")
                  .asBoolean(true))
          .as(name)
          .isFalse();
    }
  }

  @Test
  void spanIndicesAnswerToTheNameTraceAnalyticsReads() {
    IndexTemplateFields spans = IndexTemplateFields.collector("spans");
    assertThat(spans.template.path("template").path("aliases").has("otel-v1-apm-span")).isTrue();
    // Data Prepper writes otel-v1-apm-span-000001 behind the alias, and one index named
    // otel-v1-apm-service-map.
    assertThat(spans.appliesTo("otel-v1-apm-span-2026.12.01")).isTrue();
    assertThat(IndexTemplateFields.collector("service-map").appliesTo("otel-v1-apm-service-map"))
        .isTrue();
  }
}
