package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.StatisticSet;

/**
 * PutMetricData from the real CloudWatch client (AWS Query protocol in SDK 2.40.2) becomes metric
 * documents.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class CloudWatchMetricsIT {

  static LocalCollector collector;
  static CloudWatchClient cloudWatch;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
    cloudWatch =
        CloudWatchClient.builder()
            .endpointOverride(collector.httpEndpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    cloudWatch.close();
  }

  static JsonNode metrics(String name) throws Exception {
    return Json.MAPPER
        .readTree(
            os.post(
                "/" + os.indexPrefix() + "metrics-*/_search?size=2000",
                "{\"query\":{\"term\":{\"name\":\""
                    + name
                    + "\"}},\"sort\":[{\"value\":\"asc\"}]}"))
        .path("hits")
        .path("hits");
  }

  @Test
  void valuesStatisticSetsAndValueArraysBecomeMetricDocuments() throws Exception {
    Instant at = Instant.parse("2026-11-26T10:00:00Z");
    cloudWatch.putMetricData(
        r ->
            r.namespace("Trailmark")
                .metricData(
                    MetricDatum.builder()
                        .metricName("latency")
                        .unit(StandardUnit.MILLISECONDS)
                        .timestamp(at)
                        .value(12.5)
                        .dimensions(
                            Dimension.builder().name("service").value("orders").build(),
                            Dimension.builder().name("route").value("/orders").build())
                        .build(),
                    MetricDatum.builder()
                        .metricName("requests")
                        .unit(StandardUnit.COUNT)
                        .timestamp(at)
                        .statisticValues(
                            StatisticSet.builder()
                                .sampleCount(10.0)
                                .sum(30.0)
                                .minimum(1.0)
                                .maximum(9.0)
                                .build())
                        .build(),
                    MetricDatum.builder()
                        .metricName("sizes")
                        .timestamp(at)
                        .values(1.0, 2.0)
                        .counts(3.0, 4.0)
                        .build()));

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> os.count(os.indexPrefix() + "metrics-2026.11.26") == 4);
    JsonNode latency = metrics("latency").get(0).path("_source");
    assertThat(latency.path("namespace").asText()).isEqualTo("Trailmark");
    assertThat(latency.path("value").asDouble()).isEqualTo(12.5);
    assertThat(latency.path("unit").asText()).isEqualTo("Milliseconds");
    assertThat(latency.path("dimensions").path("service").asText()).isEqualTo("orders");
    assertThat(latency.path("dimensions").path("route").asText()).isEqualTo("/orders");
    assertThat(latency.path("@timestamp").asText()).isEqualTo("2026-11-26T10:00:00Z");
    JsonNode requests = metrics("requests").get(0).path("_source");
    assertThat(requests.path("count").asDouble()).isEqualTo(10.0);
    assertThat(requests.path("sum").asDouble()).isEqualTo(30.0);
    assertThat(requests.path("max").asDouble()).isEqualTo(9.0);
    JsonNode sizes = metrics("sizes");
    assertThat(sizes).hasSize(2);
    assertThat(sizes.get(1).path("_source").path("count").asDouble()).isEqualTo(4.0);
  }

  @Test
  void largeRequestsArriveGzippedAndAreStillAccepted() throws Exception {
    List<MetricDatum> data = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      data.add(
          MetricDatum.builder()
              .metricName("bulk")
              .value((double) i)
              .dimensions(Dimension.builder().name("instance").value("i-" + i).build())
              .build());
    }
    cloudWatch.putMetricData(r -> r.namespace("Trailmark").metricData(data));
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              os.refresh(os.indexPrefix() + "metrics-*");
              return metrics("bulk").size() == 1_000;
            });
  }

  @Test
  void errorsComeBackInTheQueryProtocolShape() {
    assertThatThrownBy(
            () ->
                cloudWatch.putMetricData(
                    r ->
                        r.namespace("AWS/EC2")
                            .metricData(MetricDatum.builder().metricName("x").value(1.0).build())))
        .isInstanceOfSatisfying(
            CloudWatchException.class,
            e -> {
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue");
              assertThat(e.statusCode()).isEqualTo(400);
            });
    assertThatThrownBy(
            () ->
                cloudWatch.putMetricData(
                    r ->
                        r.namespace("Trailmark")
                            .metricData(MetricDatum.builder().metricName("no-value").build())))
        .isInstanceOfSatisfying(
            CloudWatchException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MissingParameter"));
    assertThatThrownBy(() -> cloudWatch.listMetrics())
        .isInstanceOfSatisfying(
            CloudWatchException.class,
            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAction"));
  }
}
