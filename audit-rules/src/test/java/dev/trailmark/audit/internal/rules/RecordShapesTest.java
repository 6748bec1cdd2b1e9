package dev.trailmark.audit.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.ActionNames;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped rules on CloudTrail records in the shapes AWS writes them (console, CLI and SDK
 * requests; the state recorded in {@code responseElements}): {@code src/test/resources/records},
 * whose README says where each shape comes from.
 */
class RecordShapesTest {
  private static final Path DIR = Path.of("src/test/resources/records");
  private static final RuleEngine ENGINE =
      new RuleEngine(new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn());

  static Stream<Path> records() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(DIR)) {
      list.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("records")
  void theRulesFindExactlyWhatTheRecordHolds(Path file) throws IOException {
    JsonNode doc = Json.read(Files.readString(file));
    assertThat(doc.path("source").asText()).as("where the shape comes from").isNotBlank();
    JsonNode record = doc.path("record");
    List<Finding> findings = ENGINE.evaluateEvent(record, "test");
    List<String> expected = new ArrayList<>();
    for (JsonNode e : doc.path("expect")) {
      expected.add(e.path("rule").asText() + " " + e.path("resource").asText());
    }
    assertThat(findings)
        .extracting(f -> f.ruleId() + " " + f.resourceId())
        .containsExactlyInAnyOrderElementsOf(expected);
    for (JsonNode e : doc.path("expect")) {
      if (e.has("action")) {
        assertThat(findings)
            .filteredOn(f -> f.ruleId().equals(e.path("rule").asText()))
            .extracting(Finding::action)
            .containsOnly(e.path("action").asText());
      }
    }
    // A failed call changed nothing, whatever its shape.
    var failed = record.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) failed)
        .put("errorCode", "Client.UnauthorizedOperation");
    assertThat(ENGINE.evaluateEvent(failed, "test")).isEmpty();
  }
}
