package dev.trailmark.audit.internal.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.rules.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifierTest {
  static Finding finding(String title, String resourceId) {
    return new Finding(
        "f1",
        "logs-retention",
        title,
        Severity.LOW,
        "AWS::Logs::LogGroup",
        resourceId,
        "123456789012",
        "us-east-1",
        "cloudtrail",
        "CreateLogGroup",
        "e1",
        "2026-11-20T10:14:30Z",
        "arn:aws:sts::123456789012:assumed-role/Developer/alice",
        "logs-set-retention",
        Map.of("retentionInDays", 90),
        null);
  }

  @Test
  void subjectsStayWithinSnsLimitsWhateverTheResourceName() {
    String subject =
        Notifier.subject(
            finding(
                "CloudWatch log group keeps logs forever",
                "/aws/lambda/" + "very-long-function-name-".repeat(10) + "é✓"));
    assertThat(subject)
        .hasSizeLessThanOrEqualTo(100)
        .startsWith("[LOW] CloudWatch log group keeps logs forever: ")
        .endsWith("...")
        .matches("[\\x20-\\x7e]+");
    assertThat(Notifier.subject(finding("Short", "gr\u00fcn\nx"))).isEqualTo("[LOW] Short: gr?n?x");
  }

  @Test
  void bodyTellsWhatWhereWhoAndWhatWouldBeDone() {
    String body =
        Notifier.body(
            finding("CloudWatch log group keeps logs forever", "/aws/lambda/orders-api"), true);
    assertThat(body)
        .contains(
            "Rule:      logs-retention (LOW)",
            "Resource:  AWS::Logs::LogGroup /aws/lambda/orders-api",
            "Account:   123456789012 in us-east-1",
            "Trigger:   CreateLogGroup at 2026-11-20T10:14:30Z",
            "Changed by: arn:aws:sts::123456789012:assumed-role/Developer/alice",
            "Remediation (dry-run, nothing will change): set retention of log group /aws/lambda/orders-api to 90 days",
            "Finding id: f1");
    assertThat(Notifier.body(finding("t", "r"), false)).doesNotContain("dry-run");
  }
}
