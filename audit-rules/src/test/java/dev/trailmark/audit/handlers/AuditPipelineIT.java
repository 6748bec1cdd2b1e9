package dev.trailmark.audit.handlers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.testing.Fixtures;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole audit path with real parts where they exist here: CloudTrail event -> handler -> SNS
 * (WireMock) and SQS (ElasticMQ, with a redrive policy) -> the worker fed the way Lambda's SQS
 * event source feeds it -> EC2 (WireMock) -> audit record through Firehose (the local collector)
 * into OpenSearch's audit-findings index.
 */
@ExtendWith(OpenSearchExtension.class)
class AuditPipelineIT {
  @TempDir static Path state;
  static OpenSearchInstance os;
  static LocalCollector collector;
  static SQSRestServer elasticMq;
  static URI sqsEndpoint;
  static SqsClient sqs;

  Harness h;
  String queueUrl;
  String dlqUrl;

  @BeforeAll
  static void start(OpenSearchInstance instance) throws Exception {
    os = instance;
    collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state.resolve("collector"))
            .build()
            .start();
    elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    int port = elasticMq.waitUntilStarted().localAddress().getPort();
    sqsEndpoint = URI.create("http://127.0.0.1:" + port);
    sqs =
        SqsClient.builder()
            .endpointOverride(sqsEndpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("trailmark", "trailmark")))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    sqs.close();
    elasticMq.stopAndWait();
    collector.close();
    os.delete("/" + os.indexPrefix() + "*");
  }

  @BeforeEach
  void queues() {
    h = new Harness();
    String suffix = Long.toHexString(System.nanoTime());
    dlqUrl = sqs.createQueue(r -> r.queueName("audit-dlq-" + suffix)).queueUrl();
    String dlqArn =
        sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
            .attributes()
            .get(QueueAttributeName.QUEUE_ARN);
    queueUrl =
        sqs.createQueue(
                r ->
                    r.queueName("audit-remediations-" + suffix)
                        .attributes(
                            Map.of(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                "1",
                                QueueAttributeName.REDRIVE_POLICY,
                                "{\"deadLetterTargetArn\":\""
                                    + dlqArn
                                    + "\",\"maxReceiveCount\":\"3\"}")))
            .queueUrl();
  }

  @AfterEach
  void close() {
    h.close();
  }

  AuditContext context() {
    return h.context(
        s -> s.dryRun(false).queueUrl(queueUrl).maxAttempts(3),
        c ->
            c.serviceEndpoint("sqs", sqsEndpoint)
                .serviceEndpoint("firehose", collector.httpEndpoint()),
        Clock.systemUTC());
  }

  /** One poll of the queue, handed to the worker as Lambda's event source mapping does. */
  int pollOnce(RemediationWorker worker) {
    List<Message> messages =
        sqs.receiveMessage(
                r ->
                    r.queueUrl(queueUrl)
                        .maxNumberOfMessages(10)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(
                            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
            .messages();
    if (messages.isEmpty()) {
      return 0;
    }
    SQSEvent event = new SQSEvent();
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (Message m : messages) {
      SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
      r.setMessageId(m.messageId());
      r.setReceiptHandle(m.receiptHandle());
      r.setBody(m.body());
      r.setAttributes(
          Map.of(
              "ApproximateReceiveCount",
              m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)));
      records.add(r);
    }
    event.setRecords(records);
    SQSBatchResponse response = worker.handleRequest(event, null);
    Set<String> failed = new java.util.HashSet<>();
    response.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
    for (Message m : messages) {
      if (!failed.contains(m.messageId())) {
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
    return messages.size();
  }

  void stubGroup(boolean revokeFails) {
    h.stub.query("DescribeSecurityGroups", RemediationWorkerTest.group("", true));
    h.stub.server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=RevokeSecurityGroupIngress&"))
            .willReturn(
                revokeFails
                    ? aResponse()
                        .withStatus(403)
                        .withBody(
                            "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                                + "<Message>You are not authorized to perform this operation.</Message></Error></Errors>"
                                + "<RequestID>b2b3f1c4-EXAMPLE</RequestID></Response>")
                    : aResponse()
                        .withStatus(200)
                        .withBody(
                            "<RevokeSecurityGroupIngressResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                                + "<requestId>59dbff89-EXAMPLE</requestId><return>true</return></RevokeSecurityGroupIngressResponse>")));
  }

  List<JsonNode> auditDocs(String findingResource) throws Exception {
    os.refresh(os.indexPrefix() + "audit-findings-*");
    String json =
        os.post(
            "/" + os.indexPrefix() + "audit-findings-*/_search?size=50",
            "{\"query\":{\"term\":{\"resourceId\":\"" + findingResource + "\"}}}");
    List<JsonNode> out = new ArrayList<>();
    Json.read(json).path("hits").path("hits").forEach(hit -> out.add(hit.path("_source")));
    return out;
  }

  @Test
  void aViolationIsQueuedRemediatedAndItsAuditRecordIndexed() throws Exception {
    stubGroup(false);
    AuditContext ctx = context();
    CloudTrailEventHandler handler = new CloudTrailEventHandler(ctx);
    RemediationWorker worker = new RemediationWorker(ctx);
    ObjectNode event = (ObjectNode) Fixtures.badEvent("ec2-sg-open-admin-ports");
    ((ObjectNode) event.path("requestParameters")).put("groupId", "sg-pipeline-ok");
    assertThat(handler.handle(Fixtures.eventBridge(event)))
        .isEqualTo(CloudTrailEventHandler.Outcome.DISPATCHED);
    assertThat(h.notices()).hasSize(1);

    await().atMost(Duration.ofSeconds(20)).until(() -> pollOnce(worker) > 0);
    assertThat(h.stub.requests(h.stub.queryRequest("RevokeSecurityGroupIngress"))).hasSize(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> auditDocs("sg-pipeline-ok").size() == 1);
    JsonNode doc = auditDocs("sg-pipeline-ok").get(0);
    assertThat(doc.path("decision").asText()).isEqualTo("remediated");
    assertThat(doc.path("ruleId").asText()).isEqualTo("ec2-sg-open-admin-ports");
    assertThat(doc.path("before").path("ipPermissions").toString()).contains("3389");
    assertThat(doc.path("finding").path("actor").asText()).contains("Developer/alice");

    // The remediation's own follow-up call comes back through CloudTrail: the loop guard drops it.
    ObjectNode own = event.deepCopy();
    ((ObjectNode) own.path("userIdentity"))
        .put("arn", "arn:aws:sts::123456789012:assumed-role/trailmark-remediation/audit-worker");
    ((ObjectNode) own.path("userIdentity").path("sessionContext").path("sessionIssuer"))
        .put("arn", "arn:aws:iam::123456789012:role/trailmark-remediation");
    assertThat(handler.handle(Fixtures.eventBridge(own)))
        .isEqualTo(CloudTrailEventHandler.Outcome.SKIPPED_LOOP_GUARD);
    assertThat(pollOnce(worker)).isZero();
  }

  @Test
  void aMessageThatKeepsFailingEndsInTheDeadLetterQueueWithAFailedRecord() throws Exception {
    stubGroup(true);
    AuditContext ctx = context();
    CloudTrailEventHandler handler = new CloudTrailEventHandler(ctx);
    RemediationWorker worker = new RemediationWorker(ctx);
    ObjectNode event = (ObjectNode) Fixtures.badEvent("ec2-sg-open-admin-ports");
    ((ObjectNode) event.path("requestParameters")).put("groupId", "sg-pipeline-dlq");
    handler.handle(Fixtures.eventBridge(event));

    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              pollOnce(worker);
              return sqs.receiveMessage(r -> r.queueUrl(dlqUrl).visibilityTimeout(30))
                      .messages()
                      .size()
                  == 1;
            });
    assertThat(h.stub.requests(h.stub.queryRequest("RevokeSecurityGroupIngress"))).hasSize(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> auditDocs("sg-pipeline-dlq").size() == 1);
    JsonNode doc = auditDocs("sg-pipeline-dlq").get(0);
    assertThat(doc.path("decision").asText()).isEqualTo("failed");
    assertThat(doc.path("reason").asText()).contains("attempt 3 of 3", "UnauthorizedOperation");
  }
}
