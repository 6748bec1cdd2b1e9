package dev.trailmark.collector.local;

import static dev.trailmark.collector.local.ExternalClients.bodyPhrase;
import static dev.trailmark.collector.local.ExternalClients.count;
import static dev.trailmark.collector.local.ExternalClients.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A program built on an older AWS SDK for Java v2 (the root pom's {@code aws.sdk.old.version},
 * whose signer sends no {@code x-amz-content-sha256} on JSON APIs) runs in its own JVM against the
 * collector: CloudWatch Logs, Firehose and CloudWatch are accepted and stored exactly once. The
 * program is {@code external-clients/OldSdkClient.java}, run from source with only that SDK's jars,
 * which the build copies into {@code target/old-aws-sdk}.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class OldJavaSdkIT {

  static final Path JARS = Path.of("target", "old-aws-sdk");
  static LocalCollector collector;
  static OpenSearchInstance os;
  static Map<String, String> answers;
  static String marker;

  @BeforeAll
  static void run(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    if (!Files.isDirectory(JARS) || Files.list(JARS).findAny().isEmpty()) {
      fail(
          JARS.toAbsolutePath()
              + " holds no jars: run this test through 'mvn verify', whose pre-integration-test "
              + "phase copies the older AWS SDK there (execution old-aws-sdk of collector/pom.xml)");
    }
    os = instance;
    collector = localCollector;
    marker = ExternalClients.marker();
    Path source =
        Path.of(OldJavaSdkIT.class.getResource("/external-clients/OldSdkClient.java").toURI());
    String java = ProcessHandle.current().info().command().orElse("java");
    ExternalClients.Result result =
        ExternalClients.run(
                List.of(
                    java,
                    "-cp",
                    JARS.toAbsolutePath() + "/*",
                    source.toString(),
                    collector.httpEndpoint().toString(),
                    marker),
                Map.of(),
                Duration.ofMinutes(3))
            .assertSucceeded("OldSdkClient");
    answers = new HashMap<>();
    for (String line : result.stdout().split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        answers.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
  }

  @Test
  void itIsTheOldReleaseAndItSignsNoPayloadHashHeader() {
    assertThat(answers.get("sdkVersion")).startsWith("2.20.");
    assertThat(answers.get("signedHeaders")).isNotBlank().doesNotContain("x-amz-content-sha256");
  }

  @Test
  void logEventsAreReadBackAndStoredOnce() {
    assertThat(answers.get("get"))
        .isEqualTo("[old-sdk " + marker + " first, old-sdk " + marker + " second]");
    assertThat(answers.get("filter")).isEqualTo("[old-sdk " + marker + " second]");
    assertThat(count(os, os.indexPrefix() + "logs-*", bodyPhrase(marker))).isEqualTo(2);
  }

  @Test
  void firehoseRecordsAreStoredOnce() {
    assertThat(answers.get("streams")).contains("trailmark-access-logs");
    assertThat(answers.get("batchFailed")).isEqualTo("0");
    String access = os.indexPrefix() + "logs-access-*";
    ExternalClients.assertStoredExactly(os, access, term("marker", marker), 3);
  }

  @Test
  void metricDataIsStoredOnce() {
    assertThat(answers.get("metric")).isEqualTo("ok");
    String metrics = os.indexPrefix() + "metrics-*";
    String namespace = "OldSdk/" + marker;
    ExternalClients.assertStoredExactly(os, metrics, term("namespace", namespace), 1);
  }

  @Test
  void aWrongSecretIsRefusedAsAwsWould() {
    assertThat(answers.get("wrongSecret")).isEqualTo("InvalidSignatureException 400");
  }
}
