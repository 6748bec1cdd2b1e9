package dev.trailmark.collector.local;

import static dev.trailmark.collector.local.ExternalClients.bodyPhrase;
import static dev.trailmark.collector.local.ExternalClients.count;
import static dev.trailmark.collector.local.ExternalClients.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI (aws-cli 1.x on botocore, as installed) pointed at the collector with {@code
 * --endpoint-url} and the documented credentials: every ingest API it offers is accepted, and what
 * it sends is searchable exactly once.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class AwsCliIT {

  @TempDir static Path home;
  static Path aws;
  static LocalCollector collector;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) {
    aws =
        ExternalClients.require(
            "aws", "The AWS CLI", "pip install awscli (or apt-get install awscli)");
    os = instance;
    collector = localCollector;
  }

  static ExternalClients.Result aws(Map<String, String> extraEnv, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                aws.toString(),
                "--endpoint-url",
                collector.httpEndpoint().toString(),
                "--output",
                "json"));
    command.addAll(List.of(args));
    Map<String, String> env = new java.util.HashMap<>(ExternalClients.awsEnvironment(home));
    env.putAll(extraEnv);
    return ExternalClients.run(command, env, Duration.ofSeconds(120));
  }

  static ExternalClients.Result aws(String... args) {
    return aws(Map.of(), args);
  }

  @Test
  void theReadmeExampleCreatesALogGroup() {
    // README: aws --endpoint-url http://127.0.0.1:4318 logs create-log-group --log-group-name
    // /cli/test
    aws("logs", "create-log-group", "--log-group-name", "/cli/test")
        .assertSucceeded("create-log-group");
    JsonNode groups =
        aws("logs", "describe-log-groups", "--log-group-name-prefix", "/cli/")
            .assertSucceeded("describe-log-groups")
            .json();
    assertThat(groups.path("logGroups").findValuesAsText("logGroupName")).contains("/cli/test");
  }

  @Test
  void logEventsPutByTheCliAreReadBackAndStoredOnce() {
    String marker = ExternalClients.marker();
    String group = "/cli/" + marker;
    aws("logs", "create-log-group", "--log-group-name", group).assertSucceeded("create-log-group");
    aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s1")
        .assertSucceeded("create-log-stream");
    long now = System.currentTimeMillis();
    aws(
            "logs",
            "put-log-events",
            "--log-group-name",
            group,
            "--log-stream-name",
            "s1",
            "--log-events",
            "timestamp=" + now + ",message=cli " + marker + " first",
            "timestamp=" + (now + 1) + ",message=cli " + marker + " second")
        .assertSucceeded("put-log-events");

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(
                        aws(
                                "logs",
                                "get-log-events",
                                "--log-group-name",
                                group,
                                "--log-stream-name",
                                "s1",
                                "--start-from-head")
                            .assertSucceeded("get-log-events")
                            .json()
                            .path("events")
                            .findValuesAsText("message"))
                    .containsExactly("cli " + marker + " first", "cli " + marker + " second"));
    JsonNode filtered =
        aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "second")
            .assertSucceeded("filter-log-events")
            .json();
    assertThat(filtered.path("events").findValuesAsText("message"))
        .containsExactly("cli " + marker + " second");
    assertThat(count(os, os.indexPrefix() + "logs-*", bodyPhrase(marker))).isEqualTo(2);
  }

  @Test
  void firehoseRecordsPutByTheCliAreStoredOnce() throws Exception {
    String marker = ExternalClients.marker();
    JsonNode streams =
        aws("firehose", "list-delivery-streams").assertSucceeded("list-delivery-streams").json();
    assertThat(Json.MAPPER.convertValue(streams.path("DeliveryStreamNames"), List.class))
        .contains("trailmark-access-logs");
    aws(
            "firehose",
            "put-record",
            "--delivery-stream-name",
            "trailmark-access-logs",
            "--record",
            "{\"Data\":\"{\\\"client\\\":\\\"cli\\\",\\\"marker\\\":\\\""
                + marker
                + "\\\",\\\"n\\\":1}\\n\"}")
        .assertSucceeded("put-record");
    Path records =
        Files.writeString(
            home.resolve("records-" + marker + ".json"),
            "["
                + "{\"Data\":\"{\\\"client\\\":\\\"cli\\\",\\\"marker\\\":\\\""
                + marker
                + "\\\",\\\"n\\\":2}\\n\"},"
                + "{\"Data\":\"{\\\"client\\\":\\\"cli\\\",\\\"marker\\\":\\\""
                + marker
                + "\\\",\\\"n\\\":3}\\n\"}]");
    JsonNode batch =
        aws(
                "firehose",
                "put-record-batch",
                "--delivery-stream-name",
                "trailmark-access-logs",
                "--records",
                "file://" + records)
            .assertSucceeded("put-record-batch")
            .json();
    assertThat(batch.path("FailedPutCount").asInt()).isZero();

    String access = os.indexPrefix() + "logs-access-*";
    ExternalClients.assertStoredExactly(os, access, term("marker", marker), 3);
  }

  @Test
  void metricDataPutByTheCliIsStoredOnce() {
    String namespace = "Cli/" + ExternalClients.marker();
    aws(
            "cloudwatch",
            "put-metric-data",
            "--namespace",
            namespace,
            "--metric-name",
            "latency",
            "--unit",
            "Milliseconds",
            "--value",
            "12.5",
            "--dimensions",
            "service=checkout")
        .assertSucceeded("put-metric-data");
    String metrics = os.indexPrefix() + "metrics-*";
    ExternalClients.assertStoredExactly(os, metrics, term("namespace", namespace), 1);
    String hits =
        os.post("/" + metrics + "/_search", "{\"query\":" + term("namespace", namespace) + "}");
    assertThat(hits)
        .contains("\"value\":12.5", "\"service\":\"checkout\"", "\"unit\":\"Milliseconds\"");
  }

  @Test
  void traceSegmentsPutByTheCliAreStoredOnce() {
    String marker = ExternalClients.marker();
    String traceId = String.format("1-%08x-%s00000000", System.currentTimeMillis() / 1000, marker);
    double start = System.currentTimeMillis() / 1000.0;
    String segment =
        "{\"name\":\"cli-"
            + marker
            + "\",\"id\":\"70de5b6f19ff9a0a\",\"trace_id\":\""
            + traceId
            + "\",\"start_time\":"
            + start
            + ",\"end_time\":"
            + (start + 0.25)
            + "}";
    JsonNode answer =
        aws("xray", "put-trace-segments", "--trace-segment-documents", segment)
            .assertSucceeded("put-trace-segments")
            .json();
    assertThat(answer.path("UnprocessedTraceSegments").size()).isZero();
    String spans = os.indexPrefix() + "otel-v1-apm-span-*";
    String otel = ExternalClients.otelTraceId(traceId);
    ExternalClients.assertStoredExactly(os, spans, term("traceId", otel), 1);
  }

  @Test
  void aWrongSecretOrAnUnknownKeyIsRefusedAsAwsWould() {
    ExternalClients.Result wrongSecret =
        aws(Map.of("AWS_SECRET_ACCESS_KEY", "not-the-secret"), "logs", "describe-log-groups");
    assertThat(wrongSecret.exitCode()).isNotZero();
    assertThat(wrongSecret.stderr())
        .contains("(InvalidSignatureException)", "signature we calculated does not match");
    ExternalClients.Result unknownKey =
        aws(Map.of("AWS_ACCESS_KEY_ID", "nobody"), "firehose", "list-delivery-streams");
    assertThat(unknownKey.exitCode()).isNotZero();
    assertThat(unknownKey.stderr()).contains("(UnrecognizedClientException)");
    ExternalClients.Result metrics =
        aws(
            Map.of("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
            "cloudwatch",
            "put-metric-data",
            "--namespace",
            "Cli/Refused",
            "--metric-name",
            "m",
            "--value",
            "1");
    assertThat(metrics.stderr()).contains("(SignatureDoesNotMatch)");
  }
}
