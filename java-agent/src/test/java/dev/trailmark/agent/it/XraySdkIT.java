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
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application traced with the AWS X-Ray SDK for Java itself, forked with the agent: its
 * subsegments, its servlet filter's segment and its SDK v2 {@code TracingInterceptor}'s AWS call
 * all land in the agent's trace under the agent's server span, and the AWS call is one subsegment,
 * not two.
 */
class XraySdkIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  private SQSRestServer elasticmq;
  private String endpoint;

  @BeforeEach
  void startQueue() {
    elasticmq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    endpoint = "http://127.0.0.1:" + elasticmq.waitUntilStarted().localAddress().getPort();
  }

  @AfterEach
  void stopQueue() {
    elasticmq.stopAndWait();
  }

  @Test
  void theXraySdksSubsegmentsAndSegmentsJoinTheAgentsTrace() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.XraySdkApp")
                .property("app.sqs.endpoint", endpoint)
                .tracedService("xray-app", daemon)
                .env("AWS_ACCESS_KEY_ID", "trailmark")
                .env("AWS_SECRET_ACCESS_KEY", "trailmark")
                .env("AWS_REGION", "us-east-1")
                .start(dir, "xray-app")) {
      try {
        check(daemon, app.awaitPort());
        assertThat(app.output())
            .doesNotContain("[trailmark-agent]")
            .as("the X-Ray SDK always found a segment")
            .doesNotContain("SegmentNotFoundException")
            .doesNotContain("SubsegmentNotFoundException")
            .doesNotContain("Beginning new segment while another segment exists");
      } catch (Throwable t) {
        System.err.println("app:\n" + app.output() + "\ndocuments:\n" + daemon.documents());
        throw t;
      }
    }
  }

  private void check(UdpDaemon daemon, int port) throws Exception {
    String plain = UdpDaemon.traceRoot("a0a1a2a3a4a5a6a7a8a9aaab");
    assertThat(get(port, "/work", plain)).startsWith("queues=");
    await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(plain).size() >= 3);

    // agent server span -> the application's subsegment -> the SDK v2 call, one trace
    List<JsonNode> trace = daemon.documentsOfTrace(plain);
    JsonNode server = only(trace, d -> !d.has("type") && d.has("http"));
    assertThat(server.get("name").asText()).isEqualTo("xray-app");
    JsonNode work = only(trace, d -> d.get("name").asText().equals("app-work"));
    assertThat(work.get("type").asText()).isEqualTo("subsegment");
    assertThat(work.get("parent_id").asText()).isEqualTo(server.get("id").asText());
    assertThat(work.at("/annotations/step").asText()).isEqualTo("work");
    JsonNode call = only(trace, d -> d.at("/aws/operation").asText().equals("ListQueues"));
    assertThat(call.get("namespace").asText()).isEqualTo("aws");
    assertThat(call.get("parent_id").asText()).isEqualTo(work.get("id").asText());
    assertThat(call.at("/aws/operation").asText()).isEqualTo("ListQueues");
    assertThat(trace).as("nothing else, no second span of the SQS call").hasSize(3);

    // behind AWSXRayServletFilter: its segment is a child of the agent's, not a trace of its own
    String filtered = UdpDaemon.traceRoot("b0b1b2b3b4b5b6b7b8b9babb");
    assertThat(get(port, "/filtered/work", filtered)).startsWith("queues=");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> daemon.documentsOfTrace(filtered).size() >= 3);
    Thread.sleep(500);
    trace = daemon.documentsOfTrace(filtered);
    JsonNode agent = only(trace, d -> !d.has("type") && d.get("name").asText().equals("xray-app"));
    JsonNode filter =
        only(trace, d -> !d.has("type") && d.get("name").asText().equals("xray-filter"));
    assertThat(filter.get("parent_id").asText()).isEqualTo(agent.get("id").asText());
    JsonNode nested = child(filter, "app-work");
    assertThat(child(nested, "Sqs").at("/aws/operation").asText()).isEqualTo("ListQueues");
    assertThat(trace.stream().filter(d -> d.at("/aws/operation").asText().equals("ListQueues")))
        .as("the SQS call only inside X-Ray's subsegment, no span of the agent's")
        .isEmpty();

    Set<String> traces =
        daemon.documents().stream()
            .map(d -> d.get("trace_id").asText())
            .collect(Collectors.toSet());
    assertThat(traces)
        .as("no trace of the X-Ray SDK's own")
        .containsExactlyInAnyOrder(plain, filtered);
  }

  private static String get(int port, String path, String root) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static JsonNode only(List<JsonNode> documents, java.util.function.Predicate<JsonNode> p) {
    List<JsonNode> found = documents.stream().filter(p).collect(Collectors.toList());
    assertThat(found).as("exactly one of %s", documents).hasSize(1);
    return found.get(0);
  }

  /** The subsegment named {@code name} nested directly inside {@code parent}. */
  private static JsonNode child(JsonNode parent, String name) {
    for (JsonNode sub : parent.path("subsegments")) {
      if (sub.path("name").asText().equals(name)) {
        return sub;
      }
    }
    throw new AssertionError("no subsegment " + name + " in " + parent);
  }
}
