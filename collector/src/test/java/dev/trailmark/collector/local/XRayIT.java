package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.xray.AWSXRayRecorder;
import com.amazonaws.xray.AWSXRayRecorderBuilder;
import com.amazonaws.xray.config.DaemonConfiguration;
import com.amazonaws.xray.emitters.Emitter;
import com.amazonaws.xray.entities.Segment;
import com.amazonaws.xray.entities.Subsegment;
import com.amazonaws.xray.entities.TraceID;
import com.amazonaws.xray.strategy.sampling.AllSamplingStrategy;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;

/**
 * X-Ray segments from the real X-Ray SDK (UDP daemon protocol) and the real AWS SDK
 * (PutTraceSegments).
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class XRayIT {

  static LocalCollector collector;
  static OpenSearchInstance os;
  static AWSXRayRecorder recorder;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
    DaemonConfiguration daemon = new DaemonConfiguration();
    daemon.setUDPAddress("127.0.0.1:" + collector.xrayUdpPort());
    recorder =
        AWSXRayRecorderBuilder.standard()
            .withEmitter(Emitter.create(daemon))
            .withSamplingStrategy(new AllSamplingStrategy())
            .build();
  }

  static JsonNode spans(String query) throws Exception {
    os.refresh(os.indexPrefix() + "otel-v1-apm-span-*");
    return Json.MAPPER
        .readTree(
            os.post(
                "/"
                    + os.indexPrefix()
                    + "otel-v1-apm-span-*/_search?size=100&ignore_unavailable=true&allow_no_indices=true",
                "{\"query\":" + query + "}"))
        .path("hits")
        .path("hits");
  }

  @Test
  @SuppressWarnings(
      "deprecation") // setTraceEntity: the simplest way to finish the outer segment last
  void segmentsFromTheXRaySdkBecomeSpansAndServiceMapEdges() throws Exception {
    TraceID traceId = TraceID.create(recorder);
    Segment frontend = recorder.beginSegment("frontend", traceId, null);
    frontend.putHttp("request", Map.of("method", "GET", "url", "http://frontend/checkout"));
    Subsegment call = recorder.beginSubsegment("orders");
    call.setNamespace("remote");
    call.putHttp("request", Map.of("method", "POST", "url", "http://orders/orders"));
    String callId = call.getId();
    recorder.endSubsegment();

    Segment orders = recorder.beginSegment("orders", traceId, callId);
    orders.putHttp("request", Map.of("method", "POST", "url", "http://orders/orders"));
    orders.putHttp("response", Map.of("status", 500));
    orders.setFault(true);
    recorder.endSegment();
    recorder.setTraceEntity(frontend);
    recorder.endSegment();

    String otelTraceId = traceId.toString().substring(2).replace("-", "");
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> spans("{\"term\":{\"traceId\":\"" + otelTraceId + "\"}}").size() == 3);
    JsonNode hits = spans("{\"term\":{\"traceId\":\"" + otelTraceId + "\"}}");
    JsonNode root = null;
    JsonNode client = null;
    JsonNode server = null;
    for (JsonNode h : hits) {
      JsonNode s = h.path("_source");
      if (s.path("parentSpanId").asText().isEmpty()) {
        root = s;
      } else if (s.path("kind").asText().equals("SPAN_KIND_CLIENT")) {
        client = s;
      } else {
        server = s;
      }
    }
    assertThat(root).isNotNull();
    assertThat(root.path("name").asText()).isEqualTo("GET /checkout");
    assertThat(root.path("serviceName").asText()).isEqualTo("frontend");
    assertThat(root.path("traceGroup").asText()).isEqualTo("GET /checkout");
    assertThat(root.path("durationInNanos").asLong()).isPositive();
    assertThat(client.path("serviceName").asText()).isEqualTo("frontend");
    assertThat(client.path("spanId").asText()).isEqualTo(callId);
    assertThat(server.path("serviceName").asText()).isEqualTo("orders");
    assertThat(server.path("parentSpanId").asText()).isEqualTo(callId);
    assertThat(server.path("status").path("code").asInt()).isEqualTo(2);
    // Data Prepper's flat attribute keys, as stored in _source.
    assertThat(server.path("span.attributes.http@status_code").asInt()).isEqualTo(500);
    assertThat(server.path("span.attributes.http@method").asText()).isEqualTo("POST");

    String map = os.indexPrefix() + "otel-v1-apm-service-map";
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(map) >= 2);
    String edges = os.post("/" + map + "/_search?size=50", "{}");
    assertThat(edges)
        .contains(
            "\"serviceName\":\"frontend\",\"kind\":\"SPAN_KIND_CLIENT\","
                + "\"destination\":{\"domain\":\"orders\",\"resource\":\"POST /orders\"}");
    assertThat(edges)
        .contains(
            "\"serviceName\":\"orders\",\"kind\":\"SPAN_KIND_SERVER\",\"destination\":null,"
                + "\"target\":{\"domain\":\"orders\",\"resource\":\"POST /orders\"}");
  }

  @Test
  void putTraceSegmentsResolvesIndependentSubsegmentsAndReportsInvalidOnes() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String trace = "1-" + Long.toHexString(now) + "-0123456789abcdef01234567";
    String subsegment =
        "{\"type\":\"subsegment\",\"name\":\"payments\",\"id\":\"aaaaaaaaaaaaaaa1\","
            + "\"trace_id\":\""
            + trace
            + "\",\"parent_id\":\"bbbbbbbbbbbbbbb1\",\"namespace\":\"remote\","
            + "\"start_time\":"
            + now
            + ".1,\"end_time\":"
            + now
            + ".2}";
    String segment =
        "{\"name\":\"billing\",\"id\":\"bbbbbbbbbbbbbbb1\",\"trace_id\":\""
            + trace
            + "\","
            + "\"start_time\":"
            + now
            + ".0,\"end_time\":"
            + now
            + ".3}";
    try (XRayClient xray =
        XRayClient.builder()
            .endpointOverride(collector.httpEndpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      PutTraceSegmentsResponse first =
          xray.putTraceSegments(
              r ->
                  r.traceSegmentDocuments(
                      subsegment, "{\"id\":\"cccccccccccccccc\",\"name\":\"broken\"}", "not json"));
      assertThat(first.unprocessedTraceSegments()).hasSize(2);
      assertThat(first.unprocessedTraceSegments().get(0).id()).isEqualTo("cccccccccccccccc");
      assertThat(first.unprocessedTraceSegments().get(0).message()).contains("trace_id");
      xray.putTraceSegments(r -> r.traceSegmentDocuments(segment));
    }
    String traceId = trace.substring(2).replace("-", "");
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                spans(
                            "{\"bool\":{\"filter\":[{\"term\":{\"traceId\":\""
                                + traceId
                                + "\"}},"
                                + "{\"term\":{\"serviceName\":\"billing\"}}]}}")
                        .size()
                    == 2);
    assertThat(spans("{\"term\":{\"serviceName\":\"unknown\"}}")).isEmpty();
  }

  @Test
  void malformedDatagramsAreCountedAndTheDaemonPortKeepsServing() throws Exception {
    long before = collector.status().path("rejectedByReason").path("xray.udp.malformed").asLong();
    try (DatagramSocket socket = new DatagramSocket()) {
      for (String bad :
          new String[] {
            "no header at all",
            "{\"format\":\"xml\",\"version\":1}\n{}",
            "{\"format\":\"json\",\"version\":1}\n{not json",
            "{\"format\":\"json\",\"version\":1}\n{\"id\":\"x\"}"
          }) {
        byte[] b = bad.getBytes(StandardCharsets.UTF_8);
        socket.send(
            new DatagramPacket(
                b, b.length, InetAddress.getLoopbackAddress(), collector.xrayUdpPort()));
      }
    }
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                collector.status().path("rejectedByReason").path("xray.udp.malformed").asLong()
                    == before + 4);
    Segment ok = recorder.beginSegment("after-garbage");
    String traceId = ok.getTraceId().toString().substring(2).replace("-", "");
    recorder.endSegment();
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> spans("{\"term\":{\"traceId\":\"" + traceId + "\"}}").size() == 1);
  }
}
