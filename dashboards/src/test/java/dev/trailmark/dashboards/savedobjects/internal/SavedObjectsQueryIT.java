package dev.trailmark.dashboards.savedobjects.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.cli.AuditCli;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.demo.DemoStack;
import dev.trailmark.demo.LoadDriver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every visualization and saved search, translated to the search OpenSearch Dashboards would send,
 * runs against a real OpenSearch holding what the demo services produced (three JVMs with the real
 * agent, their logs through the log shipper's appenders, spans and RED metrics through the local
 * collector; audit records from the audit rules' replay of the CloudTrail samples) and finds data:
 * every bucket level has buckets, every search has hits. The collector writes under this class's
 * index prefix, so the objects are read with that prefix applied, as {@code install --index-prefix}
 * applies it.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SavedObjectsQueryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REQUESTS = 40;
  private static final int FAILING = 3;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private OpenSearchInstance os;
  private List<ObjectNode> objects;
  private DashboardsRequests requests;
  private final Map<String, String> timeFromById = new HashMap<>();
  private String token;

  @BeforeAll
  void produceDataWithTheDemoServices(OpenSearchInstance os, LocalCollector collector)
      throws Exception {
    this.os = os;
    objects = SavedObjects.withIndexPrefix(SavedObjects.load(), os.indexPrefix());
    requests = new DashboardsRequests(objects);
    for (ObjectNode o : objects) {
      if (o.path("type").asText().equals("dashboard")) {
        for (JsonNode ref : o.path("references")) {
          timeFromById.put(ref.path("id").asText(), o.path("attributes").path("timeFrom").asText());
        }
      }
    }

    Path agent =
        Path.of(
            System.getProperty("trailmark.agent.jar", "../java-agent/target/trailmark-agent.jar"));
    assertThat(agent).as("the agent jar, built before this module").isRegularFile();
    String classpath =
        System.getProperty(
            "trailmark.demo.classpath", "../demo/target/classes:../demo/target/lib/*");
    token = "so" + Long.toHexString(System.nanoTime());
    // Under target/, so that the services' output is there to read when something fails.
    Path work = Path.of("target", "saved-objects-it", token);
    try (DemoStack services =
        DemoStack.start(
            new DemoStack.Options(
                collector.httpEndpoint(),
                collector.xrayUdpPort(),
                agent,
                work,
                classpath,
                Path.of(System.getProperty("java.home"))))) {
      Map<Integer, Integer> statuses = LoadDriver.run(services.frontend(), token, REQUESTS, 2);
      // One sku in ten is out of stock (409); on a loaded machine a call between services can time
      // out (500).
      assertThat(statuses.keySet()).contains(201, 409).isSubsetOf(201, 409, 500);
      // A sku the frontend cannot put into its call to orders: it logs an ERROR with the exception
      // and answers 500.
      for (int i = 0; i < FAILING; i++) {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(
                        services
                            .frontend()
                            .resolve("/checkout?sku=%7C&request=" + token + "-bad-" + i))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(500);
      }
    } // closing flushes every service's appenders and its last metrics step

    ByteArrayOutputStream replayOut = new ByteArrayOutputStream();
    int replay =
        AuditCli.run(
            new String[] {
              "replay",
              "--endpoint",
              collector.httpEndpoint().toString(),
              System.getProperty("trailmark.audit.samples", "../audit-rules/samples")
            },
            new PrintStream(replayOut, true, StandardCharsets.UTF_8),
            System.err);
    assertThat(replay).as(replayOut.toString(StandardCharsets.UTF_8)).isZero();

    writeAlertsAsTheContractDescribes(os);

    String p = os.indexPrefix();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              assertThat(count(p + "logs-*", "body:\"checkout started\" AND body:" + token))
                  .isEqualTo(REQUESTS + FAILING);
              assertThat(count(p + "logs-*", "body:\"stock checked\" AND body:" + token))
                  .isPositive();
              assertThat(
                      count(
                          p + "logs-*",
                          "severity.text:ERROR AND body:\"request /checkout failed\""))
                  .isGreaterThanOrEqualTo(FAILING);
              assertThat(
                      count(
                          p + "otel-v1-apm-span-*",
                          "kind:SPAN_KIND_SERVER AND serviceName:inventory"))
                  .isPositive();
              assertThat(
                      count(
                          p + "otel-v1-apm-span-*",
                          "kind:SPAN_KIND_SERVER AND serviceName:frontend AND status.code:2"))
                  .isPositive();
              assertThat(count(p + "otel-v1-apm-service-map*", "_exists_:destination.domain"))
                  .isGreaterThanOrEqualTo(2);
              assertThat(
                      count(
                          p + "metrics-*",
                          "name:\"http.server.requests.count\" AND dimensions.service:frontend "
                              + "AND dimensions.outcome:SERVER_ERROR"))
                  .isPositive();
              assertThat(count(p + "metrics-*", "name:\"http.server.requests.percentile.value\""))
                  .isPositive();
              assertThat(count(p + "audit-findings-*", "*")).isPositive();
            });
  }

  private static void writeAlertsAsTheContractDescribes(OpenSearchInstance os) throws IOException {
    IndexTemplateFields alerts = IndexTemplateFields.alertsContract(os.indexPrefix());
    ObjectNode template = alerts.template.deepCopy();
    template.put("priority", 300);
    os.put(
        "/_index_template/" + os.indexPrefix() + "trailmark-alerts-contract",
        JSON.writeValueAsString(template));
    Instant now = Instant.now();
    String index =
        os.indexPrefix()
            + "alerts-"
            + DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC).format(now);
    StringBuilder bulk = new StringBuilder();
    for (String state : List.of("firing", "resolved")) {
      bulk.append("{\"index\":{\"_index\":\"").append(index).append("\"}}\n");
      bulk.append("{\"@timestamp\":\"")
          .append(now)
          .append(
              "\",\"alert_id\":\"a1\",\"rule\":{\"name\":\"frontend errors\","
                  + "\"type\":\"frequency\"},\"severity\":\"high\",\"state\":\"")
          .append(state)
          .append(
              "\",\"query_key\":"
                  + "\"resource.service.name\",\"key\":\"frontend\",\"match_count\":3,\"window\":{\"start\":\"")
          .append(now.minusSeconds(300))
          .append("\",\"end\":\"")
          .append(now)
          .append(
              "\"},\"message\":\"3 ERROR lines "
                  + "from frontend\",\"index\":\"logs-*\",\"resource\":{\"service\":{\"name\":\"frontend\"}},"
                  + "\"delivery\":[{\"alerter\":\"sns\",\"status\":\"sent\",\"attempts\":1}]}\n");
    }
    String answer = os.post("/_bulk?refresh=true", bulk.toString());
    assertThat(answer).contains("\"errors\":false");
  }

  private long count(String index, String luceneQuery) throws IOException {
    os.refresh(index);
    String body =
        "{\"query\":{\"query_string\":{\"query\":" + JSON.writeValueAsString(luceneQuery) + "}}}";
    return JSON.readTree(
            os.post("/" + index + "/_count?ignore_unavailable=true&allow_no_indices=true", body))
        .path("count")
        .asLong();
  }

  private JsonNode search(DashboardsRequests.Request r) throws IOException {
    assertThat(r.index()).startsWith(os.indexPrefix());
    os.refresh(r.index());
    return JSON.readTree(os.post("/" + r.index() + "/_search", JSON.writeValueAsString(r.body())));
  }

  private String timeFrom(String id) {
    return timeFromById.getOrDefault(id, "now-1h");
  }

  @Test
  void everyVisualizationFindsBucketsAtEveryLevel() throws IOException {
    List<String> checked = new ArrayList<>();
    for (ObjectNode o : objects) {
      if (!o.path("type").asText().equals("visualization")) {
        continue;
      }
      String id = o.path("id").asText();
      DashboardsRequests.Request r =
          requests.of(o, timeFrom(id), timeFrom(id).equals("now-7d") ? "3h" : "1m");
      JsonNode answer = search(r);
      assertThat(answer.path("_shards").path("failed").asInt()).as("%s: %s", id, answer).isZero();
      JsonNode aggs = answer.path("aggregations");
      if (JSON.readTree(o.path("attributes").path("visState").asText())
          .path("type")
          .asText()
          .equals("vega")) {
        JsonNode services = aggs.path("scope").path("services").path("buckets");
        assertThat(services).as("%s: %s", id, answer).isNotEmpty();
        double maxErrorPct = 0;
        for (JsonNode service : services) {
          assertThat(service.path("time").path("buckets")).as(id).isNotEmpty();
          for (JsonNode t : service.path("time").path("buckets")) {
            double total =
                t.has("total")
                    ? t.path("total").path("value").asDouble()
                    : t.path("doc_count").asDouble();
            double errors =
                t.path("errors").has("n")
                    ? t.path("errors").path("n").path("value").asDouble()
                    : t.path("errors").path("doc_count").asDouble();
            assertThat(errors).isBetween(0.0, total);
            if (total > 0) {
              maxErrorPct = Math.max(maxErrorPct, 100 * errors / total);
            }
          }
        }
        assertThat(maxErrorPct).as("%s sees the failed requests", id).isPositive();
      } else {
        assertBuckets(id, aggs);
      }
      checked.add(id);
    }
    assertThat(checked).hasSize(17);
  }

  /**
   * Each bucket aggregation has buckets, down to the innermost level of its first bucket; metrics
   * have values.
   */
  private static void assertBuckets(String id, JsonNode aggs) {
    boolean any = false;
    for (var it = aggs.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode agg = e.getValue();
      if (agg.has("buckets")) {
        any = true;
        assertThat(agg.path("buckets")).as("%s agg %s", id, e.getKey()).isNotEmpty();
        JsonNode first = agg.path("buckets").get(0);
        assertBuckets(id, first);
      } else if (agg.has("values")) {
        for (JsonNode v : agg.path("values")) {
          assertThat(v.path("value").isNumber()).as("%s percentile %s", id, v).isTrue();
        }
      } else if (agg.has("value")) {
        assertThat(agg.path("value").isNumber()).as("%s metric %s", id, e.getKey()).isTrue();
      }
    }
    if (aggs.has("key") && !any && aggs.path("doc_count").asLong() == 0) {
      throw new AssertionError(id + ": empty innermost bucket " + aggs);
    }
  }

  @Test
  void everySavedSearchFindsDocuments() throws IOException {
    for (ObjectNode o : objects) {
      if (o.path("type").asText().equals("search")) {
        String id = o.path("id").asText();
        JsonNode answer = search(requests.of(o, timeFrom(id), "1m"));
        assertThat(answer.path("hits").path("hits")).as("%s: %s", id, answer).isNotEmpty();
      }
    }
  }

  @Test
  void oneTracesLogLinesComeFromEveryServiceItCrossed() throws IOException {
    ObjectNode search =
        objects.stream()
            .filter(o -> o.path("id").asText().equals("trailmark-search-trace-logs"))
            .findFirst()
            .orElseThrow()
            .deepCopy();
    JsonNode anyLine =
        JSON.readTree(
                os.post(
                    "/" + os.indexPrefix() + "logs-*/_search",
                    "{\"size\":1,\"query\":{\"query_string\":{\"query\":\"body:\\\"order placed\\\" AND body:"
                        + token
                        + "\"}}}"))
            .path("hits")
            .path("hits")
            .get(0)
            .path("_source"); // orders placed it once inventory answered
    String traceId = anyLine.path("traceId").asText();
    ObjectNode meta = (ObjectNode) search.path("attributes").path("kibanaSavedObjectMeta");
    ObjectNode source = (ObjectNode) JSON.readTree(meta.path("searchSourceJSON").asText());
    ((ObjectNode) source.path("query"))
        .put(
            "query",
            source.path("query").path("query").asText() + " AND traceId:\"" + traceId + "\"");
    meta.put("searchSourceJSON", JSON.writeValueAsString(source));
    Set<String> services = new HashSet<>();
    for (JsonNode hit : search(requests.of(search, "now-1h", "1m")).path("hits").path("hits")) {
      services.add(hit.path("_source").path("resource").path("service").path("name").asText());
      assertThat(hit.path("_source").path("traceId").asText()).isEqualTo(traceId);
    }
    // A placed order sends its message to SQS, and shipping logs its processing in the same trace.
    assertThat(services).containsExactlyInAnyOrder("frontend", "orders", "inventory", "shipping");
  }

  @Test
  void theObservabilityPluginFindsTheLogsUnderTheirSs4oName() throws IOException {
    String alias = "ss4o_logs-trailmark-" + os.indexPrefix() + "logs";
    long viaAlias = count(alias, "body:" + token);
    assertThat(viaAlias).isGreaterThanOrEqualTo(REQUESTS + FAILING);
    assertThat(count("ss4o_logs-*-*", "body:" + token)).isEqualTo(viaAlias);
    // The correlated-logs fields install sets: a span's trace id and service find its log lines.
    JsonNode span =
        JSON.readTree(
                os.post(
                    "/" + os.indexPrefix() + "otel-v1-apm-span-*/_search",
                    "{\"size\":1,\"query\":{\"term\":{\"serviceName\":\"orders\"}}}"))
            .path("hits")
            .path("hits")
            .get(0)
            .path("_source");
    JsonNode mapping =
        JSON.readTree(
            dev.trailmark.dashboards.savedobjects.DashboardsCliAccess.correlatedLogsFields());
    String query =
        "{\"size\":10,\"query\":{\"bool\":{\"filter\":[{\"term\":{\""
            + mapping.path("traceId").asText()
            + "\":\""
            + span.path("traceId").asText()
            + "\"}},{\"term\":{\""
            + mapping.path("serviceName").asText()
            + "\":\"orders\"}}]}},"
            + "\"sort\":[{\""
            + mapping.path("timestamp").asText()
            + "\":\"asc\"}]}";
    assertThat(JSON.readTree(os.post("/ss4o_logs-*/_search", query)).path("hits").path("hits"))
        .isNotEmpty();
  }

  @Test
  void traceAnalyticsQueriesFindTheCollectorsSpansAndServiceMap() throws IOException {
    String spans = os.indexPrefix() + "otel-v1-apm-span-*";
    // Services: terms on serviceName with a trace count (services_queries.ts, getServicesQuery).
    JsonNode services =
        JSON.readTree(
            os.post(
                "/" + spans + "/_search",
                "{\"size\":0,\"aggs\":{\"service\":{\"terms\":"
                    + "{\"field\":\"serviceName\",\"size\":10000},\"aggs\":{\"trace_count\":{\"cardinality\":{\"field\":\"traceId\"}}}}}}"));
    assertThat(services.at("/aggregations/service/buckets"))
        .extracting(b -> b.path("key").asText())
        .contains("frontend", "orders", "inventory");
    // Root spans by trace group with their latency percentiles (dashboard_queries.ts, data_prepper
    // mode).
    JsonNode groups =
        JSON.readTree(
            os.post(
                "/" + spans + "/_search",
                "{\"size\":0,\"query\":{\"bool\":{\"must\":[{\"term\":"
                    + "{\"parentSpanId\":{\"value\":\"\"}}}]}},\"aggs\":{\"trace_group\":{\"terms\":{\"field\":\"traceGroup\"},\"aggs\":"
                    + "{\"latency_variance_nanos\":{\"percentiles\":{\"field\":\"traceGroupFields.durationInNanos\",\"percents\":[0,95,100]}},"
                    + "\"error_count\":{\"filter\":{\"term\":{\"traceGroupFields.statusCode\":\"2\"}}}}}}}"));
    assertThat(groups.at("/aggregations/trace_group/buckets")).isNotEmpty();
    // Service map edges (services_queries.ts, getServiceMapQuery).
    JsonNode map =
        JSON.readTree(
            os.post(
                "/" + os.indexPrefix() + "otel-v1-apm-service-map*/_search",
                "{\"size\":0,\"aggs\":"
                    + "{\"service_name\":{\"terms\":{\"field\":\"serviceName\",\"size\":500},\"aggs\":{\"destination_edges\":{\"terms\":"
                    + "{\"field\":\"destination.resource\",\"size\":1000},\"aggs\":{\"domain\":{\"terms\":{\"field\":\"destination.domain\"}}}},"
                    + "\"target_edges\":{\"terms\":{\"field\":\"target.resource\",\"size\":1000}}}}}}"));
    List<String> edges = new ArrayList<>();
    for (JsonNode s : map.at("/aggregations/service_name/buckets")) {
      for (JsonNode d : s.at("/destination_edges/buckets")) {
        for (JsonNode domain : d.at("/domain/buckets")) {
          edges.add(s.path("key").asText() + "->" + domain.path("key").asText());
        }
      }
    }
    assertThat(edges).contains("frontend->orders", "orders->inventory");
  }
}
