package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Several clients send a random mix of valid, hostile and oversized requests for a bounded time;
 * afterwards every event the collector acknowledged is searchable exactly once, and the collector
 * still answers.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class FaultIT {

  private static final int CLIENTS = 4;
  private static final Duration RUN = Duration.ofSeconds(20);
  private static final String GROUP = "/it/fault";

  @Test
  void everyAcknowledgedEventIsSearchableExactlyOnceAfterAStormOfMixedRequests(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    URI endpoint = collector.httpEndpoint();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    try (CloudWatchLogsClient setup = Clients.logs(endpoint)) {
      setup.createLogGroup(b -> b.logGroupName(GROUP));
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        setup.createLogStream(b -> b.logGroupName(GROUP).logStreamName("c" + client));
      }
    }
    long end = System.nanoTime() + RUN.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.add(
          pool.submit(
              () -> {
                Random random = new Random(42 + client);
                HttpClient raw =
                    HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                try (CloudWatchLogsClient logs = Clients.logs(endpoint);
                    FirehoseClient firehose =
                        FirehoseClient.builder()
                            .endpointOverride(endpoint)
                            .region(Region.US_EAST_1)
                            .credentialsProvider(
                                Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
                            .httpClient(UrlConnectionHttpClient.create())
                            .build()) {
                  int seq = 0;
                  while (System.nanoTime() < end) {
                    String kind;
                    int pick = random.nextInt(10);
                    try {
                      if (pick < 4) {
                        kind = "putLogEvents";
                        List<InputLogEvent> events = new ArrayList<>();
                        List<String> ids = new ArrayList<>();
                        long now = System.currentTimeMillis();
                        for (int i = 1 + random.nextInt(30); i > 0; i--) {
                          String id = "c" + client + "-" + seq++;
                          ids.add(id);
                          events.add(
                              InputLogEvent.builder()
                                  .timestamp(now)
                                  .message(message(random, id))
                                  .build());
                        }
                        PutLogEventsResponse r =
                            logs.putLogEvents(
                                b ->
                                    b.logGroupName(GROUP)
                                        .logStreamName("c" + client)
                                        .logEvents(events));
                        assertThat(r.rejectedLogEventsInfo()).isNull();
                        acknowledged.addAll(ids);
                      } else if (pick < 6) {
                        kind = "putRecordBatch";
                        List<Record> records = new ArrayList<>();
                        List<String> ids = new ArrayList<>();
                        for (int i = 1 + random.nextInt(10); i > 0; i--) {
                          String id = "c" + client + "-" + seq++;
                          ids.add(id);
                          records.add(
                              Record.builder()
                                  .data(SdkBytes.fromUtf8String(message(random, id) + "\n"))
                                  .build());
                        }
                        PutRecordBatchResponse r =
                            firehose.putRecordBatch(
                                b ->
                                    b.deliveryStreamName("trailmark-access-logs").records(records));
                        for (int i = 0; i < ids.size(); i++) {
                          if (r.requestResponses().get(i).errorCode() == null) {
                            acknowledged.add(ids.get(i));
                          }
                        }
                      } else {
                        kind = hostile(raw, endpoint, random, client);
                      }
                    } catch (RuntimeException e) {
                      kind = "failed:" + e.getClass().getSimpleName();
                    }
                    outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : clients) {
      f.get(RUN.toSeconds() + 120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    System.out.println("fault mix: " + outcomes + "; acknowledged events: " + acknowledged.size());

    await().atMost(Duration.ofSeconds(120)).until(() -> collector.backlogBytes() == 0);
    Map<String, Integer> stored = storedIds(os, os.indexPrefix() + "logs-*");
    List<String> missing = new ArrayList<>();
    List<String> twice = new ArrayList<>();
    for (String id : acknowledged) {
      int n = stored.getOrDefault(id, 0);
      if (n == 0) {
        missing.add(id);
      } else if (n > 1) {
        twice.add(id);
      }
    }
    assertThat(acknowledged).hasSizeGreaterThan(100);
    assertThat(missing).as("acknowledged but not searchable").isEmpty();
    assertThat(twice).as("stored more than once").isEmpty();
    assertThat(collector.status().path("setAside").asLong()).isZero();
    try (CloudWatchLogsClient logs = Clients.logs(endpoint)) {
      logs.putLogEvents(
          b ->
              b.logGroupName(GROUP)
                  .logStreamName("c0")
                  .logEvents(
                      e -> e.timestamp(System.currentTimeMillis()).message("still answering")));
    }
  }

  /**
   * A JSON event whose field {@code v} changes type at random (mapping conflicts), or a plain line.
   */
  private static String message(Random random, String id) {
    switch (random.nextInt(5)) {
      case 0:
        return "{\"id\":\"" + id + "\",\"v\":" + random.nextInt(100) + "}";
      case 1:
        return "{\"id\":\"" + id + "\",\"v\":{\"nested\":" + random.nextInt(100) + "}}";
      case 2:
        return "{\"id\":\""
            + id
            + "\",\"v\":\"text\",\"@timestamp\":\""
            + (random.nextBoolean() ? "soon" : "2026-13-45")
            + "\"}";
      case 3:
        return "{\"id\":\"" + id + "\",\"severity\":\"ERROR\",\"traceId\":{\"x\":1}}";
      default:
        return "id=" + id + " a plain line";
    }
  }

  private static String hostile(HttpClient raw, URI endpoint, Random random, int client)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/x-amz-json-1.1");
    String kind;
    switch (random.nextInt(9)) {
      case 0:
        kind = "malformedJson";
        request = signed(endpoint, "Logs_20140328.PutLogEvents", "{\"logGroupName\":");
        break;
      case 6:
        kind = "emfBomb";
        StringBuilder emf =
            new StringBuilder(
                "{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"x\",\"Dimensions\":[");
        for (int i = 0; i < 500; i++) {
          emf.append(i == 0 ? "" : ",").append("[]");
        }
        emf.append("],\"Metrics\":[{\"Name\":\"m\"},{\"Name\":\"m\"},{\"Name\":\"m\"}]}]},\"m\":[");
        for (int i = 0; i < 500; i++) {
          emf.append(i == 0 ? "" : ",").append(i);
        }
        emf.append("]}");
        String event =
            Json.MAPPER.writeValueAsString(
                Json.object().put("logGroupName", GROUP).put("logStreamName", "c" + client));
        com.fasterxml.jackson.databind.node.ObjectNode put =
            (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(event);
        put.putArray("logEvents")
            .addObject()
            .put("timestamp", System.currentTimeMillis())
            .put("message", emf.toString());
        request =
            signed(endpoint, "Logs_20140328.PutLogEvents", Json.MAPPER.writeValueAsString(put));
        break;
      case 7:
        kind = "missingGroup";
        request =
            signed(
                endpoint,
                "Logs_20140328.PutLogEvents",
                "{\"logGroupName\":\"/none\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":1,\"message\":\"x\"}]}");
        break;
      case 8:
        kind = "badBase64";
        request =
            signed(
                endpoint,
                "Firehose_20150804.PutRecord",
                "{\"DeliveryStreamName\":\"trailmark-access-logs\",\"Record\":{\"Data\":\"%%%not base64\"}}");
        break;
      case 1:
        kind = "unsigned";
        request
            .header("X-Amz-Target", "Logs_20140328.PutLogEvents")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"logGroupName\":\""
                        + GROUP
                        + "\",\"logStreamName\":\"c"
                        + client
                        + "\",\"logEvents\":[{\"timestamp\":1,"
                        + "\"message\":\"never acknowledged\"}]}"));
        break;
      case 2:
        kind = "oversized";
        request
            .header("X-Amz-Target", "Logs_20140328.PutLogEvents")
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[9 * 1024 * 1024]));
        break;
      case 3:
        kind = "unknownTarget";
        request = signed(endpoint, "Nope_1.Nothing", "{}");
        break;
      case 4:
        kind = "otlpGarbage";
        request =
            HttpRequest.newBuilder(endpoint.resolve("/v1/logs"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(randomBytes(random, 2000)));
        break;
      default:
        kind = "status";
        request = HttpRequest.newBuilder(endpoint.resolve("/_trailmark/status")).GET();
        break;
    }
    HttpResponse<String> response = raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(kind).isLessThan(500);
    return kind + ":" + response.statusCode();
  }

  /**
   * A request signed with the local credentials, as an SDK would sign it, carrying a hostile body.
   */
  private static HttpRequest.Builder signed(URI endpoint, String target, String body) {
    software.amazon.awssdk.http.SdkHttpRequest request =
        software.amazon.awssdk.http.SdkHttpRequest.builder()
            .method(software.amazon.awssdk.http.SdkHttpMethod.POST)
            .uri(endpoint)
            .putHeader("X-Amz-Target", target)
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .build();
    software.amazon.awssdk.http.auth.spi.signer.SignedRequest signedRequest =
        software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(
                            software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(
                                LocalCollector.DEFAULT_ACCESS_KEY_ID,
                                LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
                        .request(request)
                        .payload(
                            software.amazon.awssdk.http.ContentStreamProvider.fromUtf8String(body))
                        .putProperty(
                            software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner
                                .SERVICE_SIGNING_NAME,
                            target.startsWith("Firehose") ? "firehose" : "logs")
                        .putProperty(
                            software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME,
                            "us-east-1"));
    HttpRequest.Builder out =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    signedRequest
        .request()
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> out.header(name, v));
              }
            });
    return out;
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** How often each event id is stored, scrolling over every matching document. */
  private static Map<String, Integer> storedIds(OpenSearchInstance os, String pattern)
      throws Exception {
    os.refresh(pattern);
    Map<String, Integer> out = new HashMap<>();
    JsonNode page =
        Json.MAPPER.readTree(
            os.post(
                "/" + pattern + "/_search?scroll=1m&size=5000", "{\"query\":{\"match_all\":{}}}"));
    while (page.path("hits").path("hits").size() > 0) {
      for (JsonNode hit : page.path("hits").path("hits")) {
        String id = idOf(hit.path("_source"));
        if (id != null) {
          out.merge(id, 1, Integer::sum);
        }
      }
      page =
          Json.MAPPER.readTree(
              os.post(
                  "/_search/scroll",
                  "{\"scroll\":\"1m\",\"scroll_id\":\""
                      + page.path("_scroll_id").asText()
                      + "\"}"));
    }
    return out;
  }

  private static String idOf(JsonNode source) throws Exception {
    if (source.path("id").isTextual()) {
      return source.get("id").asText();
    }
    String body = source.path("body").asText("");
    if (source.path("trailmark").has("rejected")) {
      return idOf(Json.MAPPER.readTree(body));
    }
    int at = body.indexOf("id=");
    return at < 0 ? null : body.substring(at + 3, body.indexOf(' ', at));
  }
}
