package dev.trailmark.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return AuditCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void scanOfTheShippedSamplesShowsEveryCloudTrailRuleAndTheDryRunRemediation() {
    assertThat(run("scan", "samples")).isEqualTo(0);
    String table = out();
    assertThat(table)
        .contains(
            "SEVERITY",
            "ec2-sg-open-admin-ports",
            "sg-0a1b2c3d4e5f60718",
            "cloudtrail-logging-stopped",
            "s3-bucket-public",
            "apigw-domain-tls12",
            "lambda-active-tracing");
    assertThat(table).contains("Remediation (dry-run: nothing was changed):");
    assertThat(table).contains("would revoke only the ingress permissions of sg-0a1b2c3d4e5f60718");
    assertThat(table)
        .contains("would set securityPolicy of custom domain api.example.com to TLS_1_2");
    // 15 violating events plus 4 harmless ones (one of them a failed call that would have
    // violated).
    assertThat(table)
        .contains("19 events in 2 files, 15 findings (low: 4, medium: 3, high: 4, critical: 4)");
    assertThat(err()).isEmpty();
  }

  @Test
  void failOnExitsTwoOnlyWhenAFindingReachesTheSeverity(@TempDir Path dir) throws Exception {
    assertThat(run("scan", "--fail-on", "critical", "samples")).isEqualTo(2);
    Path lowOnly = dir.resolve("low.json");
    String lambdaEvent =
        new ObjectMapper()
            .readTree(getClass().getResourceAsStream("/fixtures/lambda-active-tracing.json"))
            .path("cloudTrail")
            .path("nonCompliant")
            .toString();
    Files.writeString(lowOnly, "{\"Records\":[" + lambdaEvent + "]}");
    assertThat(run("scan", "--fail-on", "medium", lowOnly.toString())).isEqualTo(0);
    assertThat(run("scan", "--fail-on", "LOW", lowOnly.toString())).isEqualTo(2);
    assertThat(run("scan", "--fail-on", "dire", lowOnly.toString())).isEqualTo(1);
    assertThat(err()).contains("'dire' is not a severity");
  }

  @Test
  void jsonFormatCarriesEveryFindingWithItsRemediation() throws Exception {
    assertThat(run("scan", "--format", "json", "samples")).isEqualTo(0);
    JsonNode json = new ObjectMapper().readTree(out());
    assertThat(json.path("events").asInt()).isEqualTo(19);
    assertThat(json.path("findings")).hasSize(15);
    JsonNode first = json.path("findings").get(0);
    assertThat(first.path("dryRun").asBoolean()).isTrue();
    assertThat(first.path("remediation").asText()).isNotBlank();
    assertThat(first.path("findingId").asText()).hasSize(32);
  }

  @Test
  void badFilesAreSkippedAndNamedWhileGoodOnesAreScanned(@TempDir Path dir) throws Exception {
    Path good = dir.resolve("good.json.gz");
    String stop =
        new ObjectMapper()
            .readTree(
                Files.readString(
                    Path.of("src/test/resources/fixtures/cloudtrail-logging-stopped.json")))
            .path("cloudTrail")
            .path("nonCompliant")
            .toString();
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(good))) {
      gz.write(("{\"Records\":[" + stop + "]}").getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(dir.resolve("truncated.json"), "{\"Records\":[" + stop + ",{\"eventName\":");
    Files.writeString(dir.resolve("wrong.json"), "[1,2,3]");
    Files.writeString(dir.resolve("no-records.json"), "{\"records\":[]}");
    Files.write(dir.resolve("corrupt.json.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
    Files.writeString(dir.resolve("mixed.json"), "{\"Records\":[" + stop + ", 42]}");
    Files.writeString(dir.resolve("notes.txt"), "not a log file, not even looked at");

    assertThat(run("scan", dir.toString())).isEqualTo(3);
    assertThat(err())
        .contains(
            "truncated.json: malformed JSON",
            "wrong.json: not a CloudTrail log file",
            "no-records.json: not a CloudTrail log file (no Records array)",
            "corrupt.json.gz: ",
            "mixed.json: Records holds a non-object");
    // The good file and the complete records before each file's damage are still read (the same
    // event each time here, so one finding and two duplicate deliveries).
    assertThat(out()).contains("cloudtrail-logging-stopped");
    assertThat(out())
        .contains(
            "3 events in 6 files (5 damaged or unreadable: records before the damage "
                + "were read), 1 finding (critical: 1), 2 duplicate deliveries ignored");
  }

  @Test
  void anEventDeliveredTwiceIsOneFinding(@TempDir Path dir) throws Exception {
    String stop =
        new ObjectMapper()
            .readTree(
                Files.readString(
                    Path.of("src/test/resources/fixtures/cloudtrail-logging-stopped.json")))
            .path("cloudTrail")
            .path("nonCompliant")
            .toString();
    Files.writeString(dir.resolve("a.json"), "{\"Records\":[" + stop + "]}");
    Files.writeString(dir.resolve("b.json"), "{\"Records\":[" + stop + "]}");
    assertThat(run("scan", dir.toString())).isEqualTo(0);
    assertThat(out())
        .contains("2 events in 2 files, 1 finding (critical: 1), 1 duplicate deliveries ignored");
  }

  @Test
  void digestFoldersAreNotScannedAsLogFiles(@TempDir Path dir) throws Exception {
    Path digest =
        dir.resolve("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/d.json.gz");
    Files.createDirectories(digest.getParent());
    Files.writeString(digest, "{\"digestStartTime\":\"x\"}");
    Path log = dir.resolve("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/l.json");
    Files.createDirectories(log.getParent());
    Files.writeString(log, "{\"Records\":[]}");
    assertThat(run("scan", dir.toString())).isEqualTo(0);
    assertThat(err()).isEmpty();
    assertThat(out()).contains("0 events in 1 file, 0 findings");
  }

  @Test
  void usageErrorsExitOne() {
    assertThat(run()).isEqualTo(1);
    assertThat(run("scan")).isEqualTo(1);
    assertThat(run("scan", "/no/such/path")).isEqualTo(1);
    assertThat(run("frobnicate")).isEqualTo(1);
    assertThat(run("scan", "--format", "xml", "samples")).isEqualTo(1);
    assertThat(err())
        .contains("no such file or folder: /no/such/path", "unknown command 'frobnicate'");
  }

  @Test
  void pastTheReportLimitFindingsAreCountedNotListedAndStillFailTheRun() {
    assertThat(run("scan", "--report-limit", "3000", "--fail-on", "critical", "samples"))
        .isEqualTo(2);
    assertThat(out())
        .contains("15 findings (low: 4, medium: 3, high: 4, critical: 4)")
        .containsPattern("1[0-4] not listed \\(report limit 3000 bytes of findings\\)");
    long listed = out().lines().filter(l -> l.startsWith("  ") && l.contains(": would ")).count();
    assertThat(listed).isBetween(1L, 5L);
  }

  @Test
  void theShippedSampleDigestsVerifyWithTheShippedKey() {
    assertThat(
            run(
                "verify-digests",
                "--public-key",
                "samples/cloudtrail-digest-public-key.pem",
                "samples"))
        .isEqualTo(0);
    assertThat(out())
        .contains(
            "valid   123456789012_CloudTrail-Digest_us-east-1_management-events_us-east-1_20261120T102300Z.json.gz")
        .contains("2 digest files, 2 valid; 2 log files valid; 0 problems");
  }

  @Test
  void rulesCommandValidatesAndListsEveryRule() {
    assertThat(run("rules")).isEqualTo(0);
    assertThat(out())
        .contains(
            "RULE",
            "ec2-sg-open-admin-ports",
            "CRITICAL",
            "AWS::EC2::SecurityGroup",
            "config, periodic, AuthorizeSecurityGroupIngress",
            "ec2-revoke-open-ingress",
            "elasticsearch-domain-encryption",
            "AWS::Elasticsearch::Domain",
            "16 rules, all valid");
  }

  @Test
  void rulesAsJsonGiveTheEventBridgePatternAndConfigRulesADeploymentNeeds() throws Exception {
    assertThat(run("rules", "--format", "json")).isEqualTo(0);
    JsonNode json = new ObjectMapper().readTree(out());
    JsonNode pattern = json.path("eventBridgePattern");
    assertThat(pattern.path("detail-type").get(0).asText())
        .isEqualTo("AWS API Call via CloudTrail");
    assertThat(pattern.path("source").toString())
        .contains(
            "\"aws.ec2\"",
            "\"aws.s3\"",
            "\"aws.cloudtrail\"",
            "\"aws.apigateway\"",
            "\"aws.logs\"",
            "\"aws.lambda\"",
            "\"aws.es\"");
    assertThat(pattern.path("detail").path("eventName").toString())
        .contains(
            "\"AuthorizeSecurityGroupIngress\"",
            "\"ModifySecurityGroupRules\"",
            "\"StopLogging\"",
            "\"DeleteTrail\"",
            "\"CreateElasticsearchDomain\"",
            "\"UpdateElasticsearchDomainConfig\"");
    assertThat(pattern.path("detail").path("errorCode").get(0).path("exists").asBoolean())
        .isFalse();
    JsonNode sg = null;
    for (JsonNode c : json.path("configRules")) {
      if (c.path("configRuleName").asText().equals("trailmark-ec2-sg-open-admin-ports")) {
        sg = c;
      }
    }
    assertThat(sg).isNotNull();
    assertThat(sg.path("scope").path("complianceResourceTypes").get(0).asText())
        .isEqualTo("AWS::EC2::SecurityGroup");
    assertThat(sg.path("inputParameters").asText())
        .isEqualTo("{\"ruleId\":\"ec2-sg-open-admin-ports\"}");
    assertThat(sg.path("maximumExecutionFrequency").asText()).isEqualTo("TwentyFour_Hours");
    // CloudTrail-only rules need no Config rule.
    assertThat(json.path("configRules").toString())
        .doesNotContain("trailmark-cloudtrail-logging-stopped");
    assertThat(json.path("configRules").toString())
        .contains("trailmark-elasticsearch-domain-encryption");
    assertThat(json.path("rules")).hasSize(16);
  }

  @Test
  void customRulesDirectoryReplacesTheBuiltInRules(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("only-stop.yaml"),
        String.join(
            "\n",
            "id: only-stop",
            "title: Only StopLogging",
            "severity: info",
            "resourceType: AWS::CloudTrail::Trail",
            "triggers: {cloudTrail: {eventSource: cloudtrail.amazonaws.com, eventNames: [StopLogging]}}",
            "condition: {cloudTrailEvent: {resourceId: requestParameters.name}}",
            "remediation: {action: notify-only}",
            ""));
    assertThat(run("scan", "--rules", dir.toString(), "samples")).isEqualTo(0);
    assertThat(out())
        .contains("only-stop")
        .contains("1 finding (info: 1)")
        .doesNotContain("ec2-sg-open-admin-ports");
    Files.writeString(dir.resolve("broken.yaml"), "id: broken\n");
    assertThat(run("scan", "--rules", dir.toString(), "samples")).isEqualTo(1);
    assertThat(err()).contains("bad rule file:").contains("broken.yaml").contains("field 'title'");
    assertThat(run("rules", "--rules", dir.toString())).isEqualTo(1);
  }
}
