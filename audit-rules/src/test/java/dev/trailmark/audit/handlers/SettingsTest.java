package dev.trailmark.audit.handlers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
  @Test
  void defaultsAreSafe() {
    Settings s = Settings.fromEnvironment(Map.of());
    assertThat(s.dryRun).as("dry-run unless switched off").isTrue();
    assertThat(s.maxRemediationsPerRulePerHour).isEqualTo(10);
    assertThat(s.maxAttempts).isEqualTo(3);
    assertThat(s.auditStream).isEqualTo("trailmark-audit-findings");
    assertThat(s.allowed("123456789012", "us-east-1")).isTrue();
  }

  @Test
  void readsEveryVariable() {
    Settings s =
        Settings.fromEnvironment(
            Map.ofEntries(
                Map.entry("TRAILMARK_DRY_RUN", "FALSE"),
                Map.entry("TRAILMARK_DRY_RUN_RULES", "logs-retention, s3-default-encryption"),
                Map.entry("TRAILMARK_ALLOWED_ACCOUNTS", "111111111111,222222222222"),
                Map.entry("TRAILMARK_ALLOWED_REGIONS", "eu-west-1"),
                Map.entry(
                    "TRAILMARK_REMEDIATION_ROLE_ARNS", "arn:aws:iam::111111111111:role/fixer"),
                Map.entry("TRAILMARK_MAX_REMEDIATIONS_PER_RULE_PER_HOUR", "4"),
                Map.entry("TRAILMARK_MAX_ATTEMPTS", "5"),
                Map.entry("TRAILMARK_TOPIC_ARN", "arn:aws:sns:eu-west-1:111111111111:t"),
                Map.entry(
                    "TRAILMARK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111111111111/q"),
                Map.entry("TRAILMARK_AUDIT_BUCKET", "b"),
                Map.entry("TRAILMARK_AUDIT_PREFIX", "records/"),
                Map.entry("TRAILMARK_AUDIT_STREAM", "")));
    assertThat(s.dryRun).isFalse();
    assertThat(s.dryRunFor("logs-retention", false)).isTrue();
    assertThat(s.dryRunFor("ec2-sg-open-admin-ports", false)).isFalse();
    assertThat(s.dryRunFor("ec2-sg-open-admin-ports", true)).isTrue();
    assertThat(s.allowed("111111111111", "eu-west-1")).isTrue();
    assertThat(s.allowed("333333333333", "eu-west-1")).isFalse();
    assertThat(s.allowed("111111111111", "us-east-1")).isFalse();
    assertThat(s.remediationRoleArns).containsExactly("arn:aws:iam::111111111111:role/fixer");
    assertThat(s.maxRemediationsPerRulePerHour).isEqualTo(4);
    assertThat(s.maxAttempts).isEqualTo(5);
    assertThat(s.auditPrefix).isEqualTo("records/");
    assertThat(s.auditStream).isEmpty();
  }

  @Test
  void aColdStartWithABadRulesDirectoryFailsNamingTheFile(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("broken.yaml"), "id: broken\ntitle: x\n");
    assertThatThrownBy(
            () -> AuditContext.fromEnvironment(Map.of("TRAILMARK_RULES_DIR", dir.toString())))
        .isInstanceOf(dev.trailmark.audit.internal.rules.RuleFileException.class)
        .hasMessageContaining("broken.yaml")
        .hasMessageContaining("field 'severity'");
    AuditContext builtIn = AuditContext.fromEnvironment(Map.of("AWS_REGION", "eu-west-1"));
    assertThat(builtIn.rules.rules()).hasSizeGreaterThanOrEqualTo(12);
    assertThat(builtIn.aws.region().id()).isEqualTo("eu-west-1");
    builtIn.aws.close();
  }

  @Test
  void badValuesAreClearErrors() {
    assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("TRAILMARK_DRY_RUN", "maybe")))
        .hasMessageContaining("TRAILMARK_DRY_RUN must be true or false, not 'maybe'");
    assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("TRAILMARK_MAX_ATTEMPTS", "0")))
        .hasMessageContaining("TRAILMARK_MAX_ATTEMPTS must be a positive whole number");
    assertThatThrownBy(
            () ->
                Settings.fromEnvironment(
                    Map.of("TRAILMARK_MAX_REMEDIATIONS_PER_RULE_PER_HOUR", "ten")))
        .hasMessageContaining("'ten'");
  }
}
