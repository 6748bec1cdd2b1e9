package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS hop through ElasticMQ: the agent's AWS SDK interceptor puts the trace in AWSTraceHeader.
 */
class SqsIT {

  @TempDir Path dir;

  @Test
  void sendMessageAndBatchCarryTheTraceInAwsTraceHeader() throws Exception {
    SQSRestServer elasticmq =
        SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    try (UdpDaemon daemon = new UdpDaemon()) {
      int sqsPort = elasticmq.waitUntilStarted().localAddress().getPort();
      String endpoint = "http://127.0.0.1:" + sqsPort;
      SqsClient sqs =
          SqsClient.builder()
              .endpointOverride(URI.create(endpoint))
              .region(Region.US_EAST_1)
              .credentialsProvider(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create("trailmark", "trailmark")))
              .build();
      String queue = sqs.createQueue(b -> b.queueName("agent-it")).queueUrl();

      try (ForkedApp app =
          ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
              .property("app.name", "producer")
              .property("app.next", "sqs")
              .property("app.client", "sqs")
              .property("app.sqs.endpoint", endpoint)
              .property("app.sqs.queue", queue)
              .tracedService("producer", daemon)
              .env("AWS_ACCESS_KEY_ID", "trailmark")
              .env("AWS_SECRET_ACCESS_KEY", "trailmark")
              .env("AWS_REGION", "us-east-1")
              .start(dir, "producer")) {
        int port = app.awaitPort();
        String root = UdpDaemon.traceRoot("5a5a5a5a5a5a5a5a5a5a5a5a");
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                        .header("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1")
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).as(app.output()).contains("sqs=sent");

        List<Message> messages = new ArrayList<>();
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  messages.addAll(
                      sqs.receiveMessage(
                              b ->
                                  b.queueUrl(queue)
                                      .maxNumberOfMessages(10)
                                      .messageSystemAttributeNames(
                                          MessageSystemAttributeName.AWS_TRACE_HEADER))
                          .messages());
                  return messages.size() >= 4;
                });
        Map<String, String> headers = new java.util.HashMap<>();
        for (Message m : messages) {
          headers.put(m.body(), m.attributes().get(MessageSystemAttributeName.AWS_TRACE_HEADER));
        }
        assertThat(headers).containsKey("startup");
        assertThat(headers.get("startup")).as("sent outside any request: no trace").isNull();
        assertThat(headers.get("single"))
            .startsWith("Root=" + root + ";Parent=")
            .endsWith(";Sampled=1");
        assertThat(headers.get("batch-1"))
            .startsWith("Root=" + root + ";Parent=")
            .endsWith(";Sampled=1");
        assertThat(headers.get("batch-2"))
            .as("the caller's own header wins")
            .isEqualTo("Root=1-00000000-000000000000000000000001;Sampled=0");

        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> daemon.documentsOfTrace(root).size() >= 3);
        JsonNode segment =
            daemon.documentsOfTrace(root).stream()
                .filter(d -> !d.has("type"))
                .findFirst()
                .orElseThrow();
        List<JsonNode> calls =
            daemon.documentsOfTrace(root).stream()
                .filter(d -> d.has("type"))
                .collect(Collectors.toList());
        assertThat(calls)
            .extracting(c -> c.at("/aws/operation").asText())
            .containsExactlyInAnyOrder("SendMessage", "SendMessageBatch");
        for (JsonNode call : calls) {
          assertThat(call.get("name").asText()).isEqualTo("SQS");
          assertThat(call.get("namespace").asText()).isEqualTo("aws");
          assertThat(call.get("parent_id").asText()).isEqualTo(segment.get("id").asText());
          assertThat(call.at("/aws/queue_url").asText()).isEqualTo(queue);
          assertThat(call.at("/aws/region").asText()).isEqualTo("us-east-1");
          assertThat(call.at("/http/response/status").asInt()).isEqualTo(200);
        }
        String singleParent = headers.get("single").split(";")[1].substring("Parent=".length());
        assertThat(calls.stream().map(c -> c.get("id").asText())).contains(singleParent);
        assertThat(daemon.documentsOfTrace(root))
            .as("the SDK's HTTP client adds no span of its own")
            .hasSize(3);
      }
      sqs.close();
    } finally {
      elasticmq.stopAndWait();
    }
  }
}
