package dev.trailmark.audit.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.audit.internal.remediation.ActionNames;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLoaderTest {
  private static final String GOOD =
      String.join(
          "\n",
          "id: sample-rule",
          "title: Sample",
          "severity: high",
          "resourceType: AWS::Logs::LogGroup",
          "triggers:",
          "  configChange: true",
          "condition:",
          "  configItem:",
          "    violatesWhen: {path: configuration.retentionInDays, exists: false}",
          "remediation:",
          "  action: logs-set-retention",
          "  params: {retentionInDays: 30}",
          "");

  private final RuleLoader loader = new RuleLoader(ActionNames.RESOURCE_TYPES);

  @Test
  void loadsAValidRuleWithItsParameters() {
    Rule rule = loader.load("rules/sample-rule.yaml", GOOD);
    assertThat(rule.id()).isEqualTo("sample-rule");
    assertThat(rule.severity()).isEqualTo(Severity.HIGH);
    assertThat(rule.params()).containsEntry("retentionInDays", 30);
    assertThat(rule.exemptionTag()).isEqualTo(RuleLoader.DEFAULT_EXEMPTION_TAG);
    assertThat(rule.dryRun()).isFalse();
  }

  @Test
  void namesFileAndFieldOfAnUnknownSeverity() {
    assertThatThrownBy(
            () ->
                loader.load(
                    "rules/sample-rule.yaml", GOOD.replace("severity: high", "severity: urgent")))
        .isInstanceOf(RuleFileException.class)
        .hasMessageContaining("rules/sample-rule.yaml")
        .hasMessageContaining("field 'severity'")
        .hasMessageContaining("urgent");
  }

  @Test
  void namesTheNestedFieldOfABadCondition() {
    String bad =
        GOOD.replace(
            "{path: configuration.retentionInDays, exists: false}",
            "{path: configuration.retentionInDays, biggerThan: 3}");
    assertThatThrownBy(() -> loader.load("rules/sample-rule.yaml", bad))
        .isInstanceOf(RuleFileException.class)
        .satisfies(
            e ->
                assertThat(((RuleFileException) e).field())
                    .isEqualTo("condition.configItem.violatesWhen.biggerThan"));
  }

  @Test
  void rejectsUnknownFieldsActionsAndMissingRequiredOnes() {
    assertThatThrownBy(() -> loader.load("x/sample-rule.yaml", GOOD + "owner: me\n"))
        .hasMessageContaining("field 'owner'")
        .hasMessageContaining("unknown field");
    assertThatThrownBy(
            () ->
                loader.load(
                    "x/sample-rule.yaml", GOOD.replace("logs-set-retention", "delete-everything")))
        .hasMessageContaining("field 'remediation.action'")
        .hasMessageContaining("delete-everything");
    assertThatThrownBy(
            () ->
                loader.load(
                    "x/sample-rule.yaml",
                    GOOD.replace("logs-set-retention", "ec2-revoke-open-ingress")))
        .hasMessageContaining(
            "field 'remediation.action': ec2-revoke-open-ingress acts on AWS::EC2::SecurityGroup, "
                + "not on AWS::Logs::LogGroup");
    assertThatThrownBy(() -> loader.load("x/sample-rule.yaml", GOOD.replace("title: Sample\n", "")))
        .hasMessageContaining("field 'title'")
        .hasMessageContaining("required");
    assertThatThrownBy(() -> loader.load("x/other-name.yaml", GOOD))
        .hasMessageContaining("field 'id'")
        .hasMessageContaining("other-name");
    assertThatThrownBy(
            () ->
                loader.load(
                    "x/sample-rule.yaml",
                    GOOD.replace("configChange: true", "configChange: yes please")))
        .hasMessageContaining("field 'triggers.configChange'");
  }

  @Test
  void rejectsBadRegexJavaClassAndYamlSyntax() {
    assertThatThrownBy(
            () ->
                loader.load("x/sample-rule.yaml", GOOD.replace("exists: false", "matches: \"([\"")))
        .hasMessageContaining("condition.configItem.violatesWhen.matches")
        .hasMessageContaining("regular expression");
    assertThatThrownBy(
            () ->
                loader.load(
                    "x/sample-rule.yaml",
                    GOOD.replace(
                        "{path: configuration.retentionInDays, exists: false}",
                        "{java: com.example.Missing}")))
        .hasMessageContaining("condition.configItem.violatesWhen.java")
        .hasMessageContaining("com.example.Missing");
    assertThatThrownBy(() -> loader.load("x/sample-rule.yaml", "id: [unclosed"))
        .isInstanceOf(RuleFileException.class)
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void directoryLoadRejectsDuplicateIdsAndEmptyDirectories(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> loader.loadDirectory(dir)).hasMessageContaining("no rule files");
    Files.writeString(dir.resolve("sample-rule.yaml"), GOOD);
    Files.createDirectories(dir.resolve("sub"));
    assertThat(loader.loadDirectory(dir).rules()).hasSize(1);
    Files.writeString(dir.resolve("sample-rule.yml"), GOOD);
    assertThatThrownBy(() -> loader.loadDirectory(dir))
        .isInstanceOf(RuleFileException.class)
        .hasMessageContaining("duplicate id 'sample-rule'")
        .hasMessageContaining("sample-rule.yaml");
  }

  @Test
  void pathsWithQuotedSegmentsAndTemplates() throws Exception {
    var node =
        new ObjectMapper()
            .readTree(
                "{\"a\":{\"*/*\":{\"level\":\"OFF\"}},\"list\":[{\"x\":1}],\"r\":\"us-east-1\",\"id\":\"abc\"}");
    assertThat(JsonPath.compile("a.\"*/*\".level").text(node)).isEqualTo("OFF");
    assertThat(JsonPath.compile("list.0.x").text(node)).isEqualTo("1");
    assertThat(JsonPath.compile("a.missing.deeper").get(node).isMissingNode()).isTrue();
    assertThat(ValueTemplate.compile("arn:${r}:/apis/${id}").render(node))
        .isEqualTo("arn:us-east-1:/apis/abc");
    assertThat(ValueTemplate.compile("arn:${r}:/apis/${nope}").render(node)).isNull();
    assertThatThrownBy(() -> JsonPath.compile("a..b")).hasMessageContaining("empty segment");
  }
}
