package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The packaged audit functions, each run from its own unpacked zip in a forked JVM with the Lambda
 * trace environment ({@code LAMBDA_TASK_ROOT}, {@code _X_AMZN_TRACE_ID}, {@code
 * AWS_XRAY_DAEMON_ADDRESS} = the local collector's X-Ray UDP port): a CloudTrail StopLogging event
 * is evaluated and queued (ElasticMQ), the queued finding is remediated against moto_server's
 * CloudTrail, and the X-Ray SDK's subsegments of both invocations (rule evaluation, dispatch, the
 * remediation and every AWS call under them) arrive in OpenSearch as spans of the one trace,
 * annotated with rule id, resource and outcome.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class LambdaTracingIT {
  static SQSRestServer elasticMq;
  static Process moto;
  static URI sqsEndpoint;
  static URI motoEndpoint;

  @BeforeAll
  static void start() throws Exception {
    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    sqsEndpoint =
        URI.create("http://127.0.0.1:" + elasticMq.waitUntilStarted().localAddress().getPort());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    moto =
        new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    motoEndpoint = URI.create("http://127.0.0.1:" + port);
    int p = port;
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              try (Socket ignored = new Socket("127.0.0.1", p)) {
                return true;
              } catch (IOException e) {
                return false;
              }
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (elasticMq != null) {
      elasticMq.stopAndWait();
    }
    if (moto != null) {
      moto.destroy();
      moto.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void cloudTrailEventAndItsRemediationBecomeAnnotatedSubsegmentsInTheCollector(
      LocalCollector collector, OpenSearchInstance os) throws Exception {
    var creds =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark"));
    String suffix = Long.toHexString(System.nanoTime());
    String trail = "trail-" + suffix;
    try (S3Client s3 =
            S3Client.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .endpointOverride(motoEndpoint)
                .forcePathStyle(true)
                .build();
        CloudTrailClient cloudTrail =
            CloudTrailClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .endpointOverride(motoEndpoint)
                .build();
        SqsClient sqs =
            SqsClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(creds)
                .endpointOverride(sqsEndpoint)
                .build()) {
      s3.createBucket(r -> r.bucket("trail-logs-" + suffix));
      cloudTrail.createTrail(r -> r.name(trail).s3BucketName("trail-logs-" + suffix));
      cloudTrail.stopLogging(r -> r.name(trail));
      String queueUrl = sqs.createQueue(r -> r.queueName("remediations-" + suffix)).queueUrl();

      String traceId =
          "1-"
              + Long.toHexString(System.currentTimeMillis() / 1000)
              + "-"
              + HexFormat.of().formatHex(random(12));
      String lambdaParent = HexFormat.of().formatHex(random(8));
      Map<String, String> env = new HashMap<>();
      env.put("_X_AMZN_TRACE_ID", "Root=" + traceId + ";Parent=" + lambdaParent + ";Sampled=1");
      env.put("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:" + collector.xrayUdpPort());
      env.put("AWS_REGION", "us-east-1");
      env.put("AWS_ACCESS_KEY_ID", "trailmark");
      env.put("AWS_SECRET_ACCESS_KEY", "trailmark");
      env.put("TRAILMARK_AUDIT_STREAM", "");
      env.put("TRAILMARK_DRY_RUN", "false");

      Map<String, String> trigger = new HashMap<>(env);
      trigger.put("TRAILMARK_QUEUE_URL", queueUrl);
      trigger.put("TRAILMARK_ENDPOINT_SQS", sqsEndpoint.toString());
      trigger.put("AWS_LAMBDA_FUNCTION_NAME", "cloudtrail-events");
      String event =
          """
          {"version":"0","id":"ev-%s","detail-type":"AWS API Call via CloudTrail","source":"aws.cloudtrail",
           "account":"123456789012","region":"us-east-1","time":"2026-12-02T12:00:00Z",
           "detail":{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",
             "eventTime":"2026-12-02T12:00:00Z","awsRegion":"us-east-1","recipientAccountId":"123456789012",
             "eventID":"%s","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/mallory",
             "accountId":"123456789012"},"requestParameters":{"name":"%s"},"responseElements":null}}
          """
              .formatted(suffix, suffix, trail);
      String answer =
          invoke(
              "CloudTrailEventFunction",
              "dev.trailmark.audit.handlers.CloudTrailEventHandler",
              event,
              trigger);
      assertThat(answer).contains("DISPATCHED");

      List<Message> queued =
          sqs.receiveMessage(
                  r ->
                      r.queueUrl(queueUrl)
                          .maxNumberOfMessages(1)
                          .waitTimeSeconds(5)
                          .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
              .messages();
      assertThat(queued).hasSize(1);
      Map<String, String> worker = new HashMap<>(env);
      worker.put("TRAILMARK_ENDPOINT_CLOUDTRAIL", motoEndpoint.toString());
      worker.put("AWS_LAMBDA_FUNCTION_NAME", "remediation-worker");
      String sqsEvent =
          Tools.JSON.writeValueAsString(
              Map.of(
                  "Records",
                  List.of(
                      Map.of(
                          "messageId",
                          queued.get(0).messageId(),
                          "body",
                          queued.get(0).body(),
                          "attributes",
                          Map.of("ApproximateReceiveCount", "1")))));
      String answered =
          invoke(
              "RemediationWorkerFunction",
              "dev.trailmark.audit.handlers.RemediationWorker",
              sqsEvent,
              worker);
      assertThat(answered).contains("\"batchItemFailures\":[]");
      assertThat(cloudTrail.getTrailStatus(r -> r.name(trail)).isLogging())
          .as("remediated in moto")
          .isTrue();

      String otelTrace = traceId.substring(2, 10) + traceId.substring(11);
      List<JsonNode> spans = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                spans.clear();
                os.refresh(os.indexPrefix() + "otel-v1-apm-span-*");
                JsonNode hits =
                    Tools.JSON
                        .readTree(
                            os.post(
                                "/" + os.indexPrefix() + "otel-v1-apm-span-*/_search",
                                "{\"size\":100,\"query\":{\"term\":{\"traceId\":\""
                                    + otelTrace
                                    + "\"}}}"))
                        .path("hits")
                        .path("hits");
                hits.forEach(h -> spans.add(h.path("_source")));
                return names(spans)
                    .containsAll(
                        List.of(
                            "evaluate rules",
                            "dispatch",
                            "Sqs",
                            "remediation batch",
                            "remediate cloudtrail-start-logging",
                            "CloudTrail"));
              });

      JsonNode evaluation = span(spans, "evaluate rules");
      assertThat(evaluation.path("parentSpanId").asText()).isEqualTo(lambdaParent);
      assertThat(evaluation.path("span.attributes.annotation@event_name").asText())
          .isEqualTo("StopLogging");
      assertThat(evaluation.path("span.attributes.annotation@outcome").asText())
          .isEqualTo("violation");
      JsonNode dispatch = span(spans, "dispatch");
      assertThat(dispatch.path("span.attributes.annotation@rule_id").asText())
          .isEqualTo("cloudtrail-logging-stopped");
      assertThat(dispatch.path("span.attributes.annotation@resource").asText()).isEqualTo(trail);
      assertThat(dispatch.path("span.attributes.annotation@outcome").asText())
          .isEqualTo("dispatched");
      JsonNode send = span(spans, "Sqs");
      assertThat(send.path("parentSpanId").asText()).isEqualTo(dispatch.path("spanId").asText());
      assertThat(send.path("span.attributes.aws@operation").asText()).isEqualTo("SendMessage");
      JsonNode batch = span(spans, "remediation batch");
      assertThat(batch.path("parentSpanId").asText()).isEqualTo(lambdaParent);
      JsonNode remediation = span(spans, "remediate cloudtrail-start-logging");
      assertThat(remediation.path("parentSpanId").asText())
          .isEqualTo(batch.path("spanId").asText());
      assertThat(remediation.path("span.attributes.annotation@rule_id").asText())
          .isEqualTo("cloudtrail-logging-stopped");
      assertThat(remediation.path("span.attributes.annotation@resource").asText()).isEqualTo(trail);
      assertThat(remediation.path("span.attributes.annotation@outcome").asText())
          .isEqualTo("remediated");
      List<String> calls = new ArrayList<>();
      for (JsonNode s : spans) {
        if (s.path("name").asText().equals("CloudTrail")
            && s.path("parentSpanId").asText().equals(remediation.path("spanId").asText())) {
          calls.add(s.path("span.attributes.aws@operation").asText());
        }
      }
      assertThat(calls).contains("GetTrailStatus", "StartLogging");
    }
  }

  /**
   * Runs one invocation of a packaged function in its own JVM, as Lambda would, and returns what it
   * answered.
   */
  private static String invoke(
      String function, String handler, String event, Map<String, String> env) throws Exception {
    Path task = LambdaZipIT.unzip(Tools.MODULE.resolve("target/lambda/" + function + ".zip"));
    Path eventFile = Files.createTempFile("event-", ".json");
    Files.writeString(eventFile, event);
    String classPath =
        task
            + File.pathSeparator
            + task.resolve("lib")
            + File.separator
            + "*"
            + File.pathSeparator
            + Tools.MODULE.resolve("target/test-classes");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classPath,
            LambdaInvoker.class.getName(),
            handler,
            eventFile.toString());
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("LAMBDA_TASK_ROOT", task.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(false);
    Path err = Files.createTempFile("lambda-err-", ".log");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(function + " failed: " + Files.readString(err)).isZero();
    return out;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static List<String> names(List<JsonNode> spans) {
    return spans.stream().map(s -> s.path("name").asText()).toList();
  }

  private static JsonNode span(List<JsonNode> spans, String name) {
    return spans.stream()
        .filter(s -> s.path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no span " + name + " among " + names(spans)));
  }
}
