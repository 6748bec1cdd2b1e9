package dev.trailmark.collector.local;

import static dev.trailmark.collector.local.ExternalClients.bodyPhrase;
import static dev.trailmark.collector.local.ExternalClients.count;
import static dev.trailmark.collector.local.ExternalClients.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * boto3 (botocore 1.43, as installed) pointed at the collector: CloudWatch Logs, Firehose,
 * CloudWatch (which botocore speaks in query-compatible JSON 1.0) and X-Ray are accepted and stored
 * exactly once, and each kind of bad request (wrong secret, unknown key, expired signature, host
 * left out of SignedHeaders, body changed after signing) is refused with the code and status AWS
 * answers. The calls are in {@code external-clients/boto3_client.py}.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class Boto3IT {

  @TempDir static Path home;
  static LocalCollector collector;
  static OpenSearchInstance os;
  static JsonNode answers;
  static String marker;

  @BeforeAll
  static void run(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    Path python = ExternalClients.requireBoto3();
    os = instance;
    collector = localCollector;
    marker = ExternalClients.marker();
    Path script = Path.of(Boto3IT.class.getResource("/external-clients/boto3_client.py").toURI());
    answers =
        ExternalClients.run(
                List.of(
                    python.toString(),
                    script.toString(),
                    collector.httpEndpoint().toString(),
                    marker),
                ExternalClients.awsEnvironment(home),
                Duration.ofMinutes(3))
            .assertSucceeded("boto3_client.py")
            .json();
  }

  /**
   * A log read OpenSearch answers in part is refused with a code botocore (so also the AWS CLI)
   * retries by itself before giving up, as the collector's README says.
   */
  @Test
  void aReadAnsweredInPartIsAServiceUnavailableThatBotocoreRetries() throws Exception {
    String group = "/boto3/partial-" + marker;
    try (var logs = Clients.logs(collector.httpEndpoint())) {
      logs.createLogGroup(r -> r.logGroupName(group));
      logs.createLogStream(r -> r.logGroupName(group).logStreamName("s"));
      logs.putLogEvents(
          r ->
              r.logGroupName(group)
                  .logStreamName("s")
                  .logEvents(
                      InputLogEvent.builder()
                          .timestamp(System.currentTimeMillis())
                          .message("kept")
                          .build()));
    }
    String pattern = os.indexPrefix() + "logs-" + IndexNames.dataset(group) + "-";
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(pattern + "*") == 1);
    String mismapped = pattern + "1999.01.01";
    os.put("/" + mismapped, "{\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"text\"}}}}");
    JsonNode answer;
    try {
      answer =
          ExternalClients.run(
                  List.of(
                      ExternalClients.requireBoto3().toString(),
                      "-c",
                      String.join(
                          "\n",
                          "import json, sys, boto3",
                          "from botocore.exceptions import ClientError",
                          "c = boto3.client('logs', endpoint_url=sys.argv[1])",
                          "try:",
                          "    c.get_log_events(logGroupName=sys.argv[2], logStreamName='s',"
                              + " startFromHead=True)",
                          "    print(json.dumps({'code': None}))",
                          "except ClientError as e:",
                          "    m = e.response['ResponseMetadata']",
                          "    print(json.dumps({'code': e.response['Error']['Code'],"
                              + " 'status': m['HTTPStatusCode'], 'retries': m['RetryAttempts']}))"),
                      collector.httpEndpoint().toString(),
                      group),
                  ExternalClients.awsEnvironment(home),
                  Duration.ofMinutes(2))
              .assertSucceeded("boto3 get_log_events")
              .json();
    } finally {
      os.delete("/" + mismapped);
    }
    assertThat(answer.path("code").asText()).isEqualTo("ServiceUnavailableException");
    assertThat(answer.path("status").asInt()).isEqualTo(503);
    assertThat(answer.path("retries").asInt()).as("retried by botocore").isPositive();
  }

  @Test
  void logEventsAreReadBackAndStoredOnce() {
    assertThat(Json.MAPPER.convertValue(answers.path("get"), List.class))
        .containsExactly("boto3 " + marker + " first", "boto3 " + marker + " second");
    assertThat(Json.MAPPER.convertValue(answers.path("filter"), List.class))
        .containsExactly("boto3 " + marker + " second");
    assertThat(Json.MAPPER.convertValue(answers.path("groups"), List.class))
        .contains("/boto3/" + marker);
    assertThat(count(os, os.indexPrefix() + "logs-*", bodyPhrase(marker))).isEqualTo(2);
  }

  @Test
  void firehoseRecordsAreStoredOnce() {
    assertThat(Json.MAPPER.convertValue(answers.path("streams"), List.class))
        .contains("trailmark-access-logs");
    assertThat(answers.path("batchFailed").asInt()).isZero();
    String access = os.indexPrefix() + "logs-access-*";
    ExternalClients.assertStoredExactly(os, access, term("marker", marker), 3);
  }

  @Test
  void metricDataIsStoredOnceAndRulesAnswerInQueryCodes() {
    assertThat(answers.path("cloudwatchProtocol").asText()).isEqualTo("json");
    String metrics = os.indexPrefix() + "metrics-*";
    String namespace = "Boto3/" + marker;
    ExternalClients.assertStoredExactly(os, metrics, term("namespace", namespace), 1);
    assertThat(
            os.post("/" + metrics + "/_search", "{\"query\":" + term("namespace", namespace) + "}"))
        .contains("\"value\":12.5", "\"service\":\"checkout\"", "\"unit\":\"Milliseconds\"");
    assertThat(answers.path("metricAwsNamespace").path("code").asText())
        .isEqualTo("InvalidParameterValue");
    assertThat(answers.path("metricAwsNamespace").path("status").asInt()).isEqualTo(400);
  }

  @Test
  void traceSegmentsAreStoredOnce() {
    assertThat(answers.path("unprocessed").size()).isZero();
    String spans = os.indexPrefix() + "otel-v1-apm-span-*";
    String otel = ExternalClients.otelTraceId(answers.path("traceId").asText());
    ExternalClients.assertStoredExactly(os, spans, term("traceId", otel), 1);
  }

  static void assertRefused(String name, String code, int status, String messageStart) {
    JsonNode refusal = answers.path(name);
    assertThat(refusal.path("code").asText()).as(name + ": " + refusal).isEqualTo(code);
    assertThat(refusal.path("status").asInt()).as(name).isEqualTo(status);
    assertThat(refusal.path("message").asText()).as(name).startsWith(messageStart);
  }

  @Test
  void eachBadRequestIsRefusedWithAwsCodeAndStatus() {
    assertRefused(
        "wrongSecret",
        "InvalidSignatureException",
        400,
        "The request signature we calculated does not match");
    assertRefused(
        "unknownKey",
        "UnrecognizedClientException",
        400,
        "The security token included in the request is invalid.");
    assertRefused("expired", "InvalidSignatureException", 400, "Signature expired:");
    assertRefused(
        "hostNotSigned",
        "IncompleteSignatureException",
        400,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    assertRefused(
        "tamperedBody",
        "InvalidSignatureException",
        400,
        "The request signature we calculated does not match");
    assertRefused(
        "wrongSecretMetrics",
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match");
    assertRefused(
        "wrongSecretXRay",
        "InvalidSignatureException",
        403,
        "The request signature we calculated does not match");
  }

  @Test
  void aRefusedRequestStoresNothing() {
    // The tampered PutLogEvents carried "forged" in place of "honest": neither may be stored.
    assertThat(count(os, os.indexPrefix() + "logs-*", bodyPhrase(marker + " forged"))).isZero();
    assertThat(count(os, os.indexPrefix() + "logs-*", bodyPhrase(marker + " honest"))).isZero();
  }
}
