package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka through a real broker (KRaft, controller and broker in one forked JVM), producer and
 * consumer each in a forked JVM with the agent: a record sent inside a request carries the trace in
 * its headers, and the consumer's processing of it continues that trace under the producer's span.
 */
class KafkaIT {

  private static final String TOPIC = "orders";

  @TempDir Path dir;
  private ForkedApp broker;
  private String bootstrap;

  @BeforeEach
  void startBroker() throws Exception {
    int port = freePort();
    int controller = freePort();
    bootstrap = "127.0.0.1:" + port;
    Path config = dir.resolve("server.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controller,
            "listeners=PLAINTEXT://" + bootstrap + ",CONTROLLER://127.0.0.1:" + controller,
            "advertised.listeners=PLAINTEXT://" + bootstrap,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data"),
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "num.partitions=1",
            ""),
        StandardCharsets.UTF_8);
    Process format =
        new ProcessBuilder(
                ForkedApp.JAVA_17,
                "-cp",
                ForkedApp.applicationClasspath(),
                "kafka.tools.StorageTool",
                "format",
                "-t",
                "a1b2c3d4e5f6a7b8c9d0eA",
                "-c",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("format.out").toFile())
            .start();
    assertThat(format.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(format.exitValue()).as(Files.readString(dir.resolve("format.out"))).isZero();
    broker =
        ForkedApp.builder("kafka.Kafka").withoutAgent().arg(config.toString()).start(dir, "broker");
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
              }
            });
  }

  @AfterEach
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void theConsumersProcessingOfARecordContinuesItsProducersTrace() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp consumer =
            app("consumer", daemon).property("app.kafka.consume", "loop").start(dir, "consumer");
        ForkedApp producer = app("producer", daemon).start(dir, "producer")) {
      try {
        oneTrace(daemon, consumer, producer);
      } catch (Throwable t) {
        System.err.println(
            "broker:\n"
                + broker.output()
                + "\nconsumer:\n"
                + consumer.output()
                + "\nproducer:\n"
                + producer.output());
        throw t;
      }
    }
  }

  @Test
  void recordsReadByTopicOrByPartitionAreEachInTheirOwnSpanToo() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp byTopic =
            app("by-topic", daemon).property("app.kafka.consume", "topic").start(dir, "by-topic");
        ForkedApp byPartition =
            app("by-partition", daemon)
                .property("app.kafka.consume", "partition")
                .start(dir, "by-partition");
        ForkedApp producer = app("producer", daemon).start(dir, "producer-2")) {
      byTopic.awaitPort();
      byPartition.awaitPort();
      int port = producer.awaitPort();
      String root = UdpDaemon.traceRoot("e0e1e2e3e4e5e6e7e8e9eaeb");
      String traceId = root.replace("-", "").substring(1);
      assertThat(send(port, "/send?value=by-either", root)).isEqualTo("sent callback=true");

      // The producer's segment, its Kafka subsegment, and one processing segment per consumer.
      await().atMost(Duration.ofSeconds(60)).until(() -> daemon.documentsOfTrace(root).size() >= 4);
      List<JsonNode> trace = daemon.documentsOfTrace(root);
      JsonNode send =
          trace.stream().filter(d -> d.has("type")).findFirst().orElseThrow(AssertionError::new);
      for (ForkedApp consumer : List.of(byTopic, byPartition)) {
        String service = consumer == byTopic ? "by-topic" : "by-partition";
        JsonNode process =
            trace.stream()
                .filter(d -> !d.has("type") && d.get("name").asText().equals(service))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no segment of " + service + ": " + trace));
        assertThat(process.get("parent_id").asText())
            .as(service + ": under the producer's span")
            .isEqualTo(send.get("id").asText());
        consumer.awaitLogLines(
            lines ->
                lines.anyMatch(
                    ForkedApp.logged("processing by-either", traceId, process.get("id").asText())));
        assertThat(consumer.output()).doesNotContain("[trailmark-agent]");
      }
    }
  }

  private void oneTrace(UdpDaemon daemon, ForkedApp consumer, ForkedApp producer) throws Exception {
    consumer.awaitPort();
    int port = producer.awaitPort();
    String root = UdpDaemon.traceRoot("c0c1c2c3c4c5c6c7c8c9cacb");
    assertThat(send(port, "/send?value=traced", root)).isEqualTo("sent callback=true");
    assertThat(send(port, "/send-own?value=own", null)).isEqualTo("sent callback=true");
    assertThat(send(port, "/send-plain?value=fresh", null)).isEqualTo("sent future=true");

    await().atMost(Duration.ofSeconds(60)).until(() -> processed(consumer).size() == 3);
    List<String> lines = processed(consumer);
    String traceId = root.replace("-", "").substring(1);
    String traced = lines.stream().filter(l -> l.startsWith("traced ")).findFirst().orElseThrow();
    assertThat(traced)
        .as("both headers written by the producer's agent")
        .contains(" traceparent=00-" + traceId + "-")
        .contains(" xray=Root=" + root + ";Parent=");
    assertThat(lines)
        .as("the application's own header is left as it is, and none added")
        .contains(
            "own traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 xray=null");
    assertThat(lines.stream().filter(l -> l.startsWith("fresh ")).findFirst().orElseThrow())
        .as(
            "send without a callback, in a request without a trace header: the new trace it started")
        .contains(" traceparent=00-")
        .contains(" xray=Root=1-")
        .doesNotContain(traceId);

    // The producer's segment and its Kafka subsegment; the consumer's segment for the record.
    await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 3);
    Thread.sleep(500);
    List<JsonNode> trace = daemon.documentsOfTrace(root);
    assertThat(trace).as("%s", trace).hasSize(3);
    JsonNode server =
        trace.stream()
            .filter(d -> !d.has("type") && d.get("name").asText().equals("producer"))
            .findFirst()
            .orElseThrow();
    JsonNode send =
        trace.stream().filter(d -> d.has("type")).findFirst().orElseThrow(AssertionError::new);
    assertThat(send.get("name").asText()).as("the topic: its remote node").isEqualTo(TOPIC);
    assertThat(send.get("namespace").asText()).isEqualTo("remote");
    assertThat(send.get("parent_id").asText()).isEqualTo(server.get("id").asText());
    assertThat(send.has("fault")).isFalse();
    JsonNode process =
        trace.stream()
            .filter(d -> !d.has("type") && d.get("name").asText().equals("consumer"))
            .findFirst()
            .orElseThrow();
    assertThat(process.get("parent_id").asText())
        .as("the record's processing is under the producer's span")
        .isEqualTo(send.get("id").asText());
    assertThat(process.has("http")).isFalse();
    assertThat(process.at("/aws/queue_url").isMissingNode()).isTrue();
    assertThat(traced).contains(" traceparent=00-" + traceId + "-" + send.get("id").asText());
    assertThat(consumer.logLines())
        .filteredOn(l -> l.contains("processing traced"))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .as("logged inside the record's span")
                    .contains("trace_id=" + traceId)
                    .contains("span_id=" + process.get("id").asText()));
    assertThat(consumer.logLines())
        .filteredOn(l -> l.contains("processing own"))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("trace_id=0af7651916cd43dd8448eb211c80319c"));
    assertThat(consumer.output()).doesNotContain("[trailmark-agent]").doesNotContain("poll failed");

    // A send the producer refuses: the application's callback gets the failure, the span records
    // it.
    String failedRoot = UdpDaemon.traceRoot("d0d1d2d3d4d5d6d7d8d9dadb");
    assertThat(send(port, "/send-big?value=big", failedRoot)).isEqualTo("sent callback=false");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> daemon.documentsOfTrace(failedRoot).size() >= 2);
    JsonNode failed =
        daemon.documentsOfTrace(failedRoot).stream()
            .filter(d -> d.has("type"))
            .findFirst()
            .orElseThrow(AssertionError::new);
    assertThat(failed.get("name").asText()).isEqualTo(TOPIC);
    assertThat(failed.path("fault").asBoolean()).isTrue();
    assertThat(failed.at("/cause/exceptions/0/type").asText())
        .isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
    assertThat(producer.output()).doesNotContain("[trailmark-agent]");
  }

  private static String send(int port, String path, String root) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (root != null) {
      request.header("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1");
    }
    return HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** What the consumer printed per record: its PROCESSED lines without the prefix. */
  private static List<String> processed(ForkedApp consumer) {
    return consumer
        .output()
        .lines()
        .filter(l -> l.startsWith("PROCESSED value="))
        .map(l -> l.substring("PROCESSED value=".length()))
        .collect(Collectors.toList());
  }

  private ForkedApp.Builder app(String service, UdpDaemon daemon) {
    return ForkedApp.builder("dev.trailmark.agent.testapp.KafkaApp")
        .property("app.kafka", bootstrap)
        .property("app.kafka.topic", TOPIC)
        .tracedService(service, daemon);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
