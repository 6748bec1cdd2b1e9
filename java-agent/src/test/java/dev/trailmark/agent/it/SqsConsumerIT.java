package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeValue;

/**
 * SQS consumers through ElasticMQ and the real SDK v2, producer and consumer each in a forked JVM
 * with the agent: each message the consumer processes continues the producer's trace, as a segment
 * whose parent is the producer's SendMessage subsegment, with the consumer's own calls and logs
 * inside it.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class SqsConsumerIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private SQSRestServer elasticmq;
  private String endpoint;
  private SqsClient sqs;

  @BeforeEach
  void startQueue() {
    elasticmq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    endpoint = "http://127.0.0.1:" + elasticmq.waitUntilStarted().localAddress().getPort();
    sqs =
        SqsClient.builder()
            .endpointOverride(URI.create(endpoint))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("trailmark", "trailmark")))
            .build();
  }

  @AfterEach
  void stopQueue() {
    sqs.close();
    elasticmq.stopAndWait();
  }

  @Test
  void eachProcessedMessageContinuesItsProducersTrace() throws Exception {
    producerAndConsumer("consumer-it", false);
  }

  @Test
  void theAsyncClientsMessagesContinueTheirProducersTraceToo() throws Exception {
    producerAndConsumer("consumer-async-it", true);
  }

  /** A producer service and a consumer (on the sync or the async client), checked by oneTrace. */
  private void producerAndConsumer(String queueName, boolean async) throws Exception {
    String queue = sqs.createQueue(b -> b.queueName(queueName)).queueUrl();
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp consumer =
            app("dev.trailmark.agent.testapp.SqsConsumerApp", "consumer", daemon)
                .property("app.sqs.queue", queue)
                .property("app.sqs.async", Boolean.toString(async))
                .start(dir, "consumer");
        ForkedApp producer =
            app("dev.trailmark.agent.testapp.ServiceApp", "producer", daemon)
                .property("app.name", "producer")
                .property("app.next", "sqs")
                .property("app.client", "sqs")
                .property("app.sqs.queue", queue)
                .start(dir, "producer")) {
      try {
        oneTrace(daemon, consumer, producer, queue);
      } catch (Throwable t) {
        System.err.println("consumer:\n" + consumer.output() + "\nproducer:\n" + producer.output());
        throw t;
      }
    }
  }

  private void oneTrace(UdpDaemon daemon, ForkedApp consumer, ForkedApp producer, String queue)
      throws Exception {
    {
      consumer.awaitPort();
      int port = producer.awaitPort();
      String root = UdpDaemon.traceRoot("c0c1c2c3c4c5c6c7c8c9cacb");
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                      .header("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).as(producer.output()).contains("sqs=sent");

      await().atMost(Duration.ofSeconds(30)).until(() -> processed(consumer).size() == 4);
      Map<String, String> headers = processed(consumer);
      assertThat(headers.get("single"))
          .as("the agent asked for the attribute the application did not")
          .startsWith("header=Root=" + root + ";Parent=");
      assertThat(headers.get("startup"))
          .as("sent outside any request: no header")
          .startsWith("header=null");

      // producer: segment + SendMessage + SendMessageBatch; per sampled message (single, batch-1):
      // the consumer's
      // segment, its /ack call, the /ack request's segment and its DeleteMessage.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> daemon.documentsOfTrace(root).size() >= 11);
      Thread.sleep(500);
      List<JsonNode> trace = daemon.documentsOfTrace(root);
      Map<String, JsonNode> byId =
          trace.stream().collect(Collectors.toMap(d -> d.get("id").asText(), d -> d));
      List<JsonNode> consumerSegments =
          trace.stream()
              .filter(
                  d ->
                      !d.has("type")
                          && d.get("name").asText().equals("consumer")
                          && d.at("/http").isMissingNode())
              .collect(Collectors.toList());
      assertThat(consumerSegments).as("one segment per processed message: %s", trace).hasSize(2);
      for (JsonNode segment : consumerSegments) {
        JsonNode send = byId.get(segment.get("parent_id").asText());
        assertThat(send).as("its parent is the producer's SQS call").isNotNull();
        assertThat(send.get("name").asText()).isEqualTo("SQS");
        assertThat(send.at("/aws/operation").asText()).isIn("SendMessage", "SendMessageBatch");
        assertThat(segment.at("/aws/queue_url").asText()).isEqualTo(queue);
        List<JsonNode> calls =
            trace.stream()
                .filter(
                    d ->
                        d.has("type")
                            && segment.get("id").asText().equals(d.path("parent_id").asText()))
                .collect(Collectors.toList());
        assertThat(calls)
            .extracting(c -> c.get("name").asText())
            .containsExactlyInAnyOrder("127.0.0.1:" + consumer.awaitPort(), "SQS");
        JsonNode ack =
            calls.stream()
                .filter(c -> !c.get("name").asText().equals("SQS"))
                .findFirst()
                .orElseThrow();
        assertThat(trace)
            .as("the /ack request is a segment under the consumer's call")
            .anyMatch(
                d -> ack.get("id").asText().equals(d.path("parent_id").asText()) && d.has("http"));
      }
      assertThat(trace)
          .as("nothing else of the consumer in this trace: the receive calls are outside any trace")
          .hasSize(11);
      String traceId = root.replace("-", "").substring(1);
      assertThat(consumer.logLines())
          .filteredOn(l -> l.contains("processing single") || l.contains("processing batch-1"))
          .hasSize(2)
          .allMatch(l -> l.contains(traceId), "carry the producer's trace id");
      // The message sent outside any request is processed in a trace of its own, a root segment.
      assertThat(daemon.documents())
          .anyMatch(
              d ->
                  !d.has("type")
                      && d.get("name").asText().equals("consumer")
                      && !d.has("parent_id")
                      && !d.has("http")
                      && !d.get("trace_id").asText().equals(root));
      assertThat(consumer.output())
          .doesNotContain("[trailmark-agent]")
          .doesNotContain("poll failed");
    }
  }

  @Test
  void aMessageReceivedInsideARequestIsLinkedToTheReceiveCall(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    String queue = sqs.createQueue(b -> b.queueName("consumer-link-it")).queueUrl();
    String producerRoot = UdpDaemon.traceRoot("e0e1e2e3e4e5e6e7e8e9eaeb");
    sqs.sendMessage(
        b ->
            b.queueUrl(queue)
                .messageBody("linked")
                .messageSystemAttributesWithStrings(
                    Map.of(
                        "AWSTraceHeader",
                        MessageSystemAttributeValue.builder()
                            .dataType("String")
                            .stringValue(
                                "Root=" + producerRoot + ";Parent=1111222233334444;Sampled=1")
                            .build())));
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp consumer =
            app("dev.trailmark.agent.testapp.SqsConsumerApp", "consumer", daemon)
                .env("OTEL_TRACES_EXPORTER", "xray,otlp")
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector.httpEndpoint().toString())
                .start(dir, "consumer-link")) {
      try {
        linked(os, daemon, consumer, queue, producerRoot);
      } catch (Throwable t) {
        System.err.println("consumer:\n" + consumer.output());
        throw t;
      }
    }
  }

  private void linked(
      OpenSearchInstance os,
      UdpDaemon daemon,
      ForkedApp consumer,
      String queue,
      String producerRoot)
      throws Exception {
    {
      int port = consumer.awaitPort();
      String requestRoot = UdpDaemon.traceRoot("f0f1f2f3f4f5f6f7f8f9fafb");
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/poll?queue=" + queue))
                      .header("X-Amzn-Trace-Id", "Root=" + requestRoot + ";Sampled=1")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).as(consumer.output()).isEqualTo("processed=1");

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  daemon.documentsOfTrace(producerRoot).stream()
                      .anyMatch(d -> !d.has("type") && !d.has("http")));
      JsonNode processing =
          daemon.documentsOfTrace(producerRoot).stream()
              .filter(d -> !d.has("type") && !d.has("http"))
              .findFirst()
              .orElseThrow();
      assertThat(processing.get("parent_id").asText()).isEqualTo("1111222233334444");
      JsonNode receive =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      daemon.documentsOfTrace(requestRoot).stream()
                          .filter(d -> d.at("/aws/operation").asText().equals("ReceiveMessage"))
                          .findFirst()
                          .orElse(null),
                  r -> r != null);
      assertThat(receive.at("/aws/queue_url").asText()).isEqualTo(queue);

      String spans = os.indexPrefix() + "otel-v1-apm-span-*";
      String processTrace = producerRoot.replace("-", "").substring(1);
      JsonNode span =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(
                  () -> {
                    os.refresh(spans);
                    JsonNode hits =
                        JSON.readTree(
                                os.post(
                                    "/" + spans + "/_search",
                                    "{\"query\":{\"bool\":{\"filter\":[{\"term\":{\"traceId\":\""
                                        + processTrace
                                        + "\"}},"
                                        + "{\"term\":{\"kind\":\"SPAN_KIND_CONSUMER\"}}]}}}"))
                            .at("/hits/hits");
                    return hits.size() == 1 ? hits.get(0).get("_source") : null;
                  },
                  s -> s != null);
      assertThat(span.get("name").asText()).isEqualTo("consumer-link-it process");
      assertThat(span.get("span.attributes.messaging@system").asText()).isEqualTo("aws_sqs");
      assertThat(span.get("span.attributes.messaging@operation").asText()).isEqualTo("process");
      assertThat(span.get("span.attributes.messaging@destination@name").asText())
          .isEqualTo("consumer-link-it");
      assertThat(span.at("/links/0/traceId").asText())
          .isEqualTo(requestRoot.replace("-", "").substring(1));
      assertThat(span.at("/links/0/spanId").asText()).isEqualTo(receive.get("id").asText());
    }
  }

  /** What the consumer printed per message body: the rest of its PROCESSED line. */
  private static Map<String, String> processed(ForkedApp consumer) {
    return consumer
        .output()
        .lines()
        .filter(l -> l.startsWith("PROCESSED body="))
        .map(l -> l.substring("PROCESSED body=".length()))
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf(' ')),
                l -> l.substring(l.indexOf(' ') + 1),
                (a, b) -> a + " | " + b));
  }

  private ForkedApp.Builder app(String main, String service, UdpDaemon daemon) {
    return ForkedApp.builder(main)
        .property("app.sqs.endpoint", endpoint)
        .tracedService(service, daemon)
        .env("AWS_ACCESS_KEY_ID", "trailmark")
        .env("AWS_SECRET_ACCESS_KEY", "trailmark")
        .env("AWS_REGION", "us-east-1");
  }
}
