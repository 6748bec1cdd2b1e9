package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;

/**
 * Firehose through the real AWS SDK client: delivery streams from the configuration file, limits,
 * processing.
 */
@ExtendWith(OpenSearchExtension.class)
class FirehoseIT {

  @TempDir static Path state;
  static LocalCollector collector;
  static FirehoseClient firehose;
  static OpenSearchInstance os;
  static EmbeddedPostgres postgres;

  @BeforeAll
  static void start(OpenSearchInstance instance) throws Exception {
    os = instance;
    postgres = EmbeddedPostgres.builder().start();
    Path config = state.resolve("collector.json");
    Files.writeString(
        config,
        "{\"deliveryStreams\": ["
            + "{\"name\": \"cwl-stream\", \"processing\": \"cloudwatch-logs\","
            + " \"destination\": {\"type\": \"opensearch\", \"index\": \"cwl\", \"rotation\": \"NoRotation\"}},"
            + "{\"name\": \"to-redshift\", \"destination\": {\"type\": \"redshift\", \"jdbcUrl\": \""
            + postgres.getJdbcUrl("postgres", "postgres")
            + "\", \"user\": \"postgres\", \"table\": \"trailmark_logs\"}},"
            + "{\"name\": \"redshift-down\", \"destination\": {\"type\": \"redshift\", \"jdbcUrl\": "
            + "\"jdbc:postgresql://127.0.0.1:"
            + closedPort()
            + "/none\", \"user\": \"x\"}}"
            + "]}");
    collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state.resolve("state"))
            .config(config)
            .build()
            .start();
    firehose =
        FirehoseClient.builder()
            .endpointOverride(collector.httpEndpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    firehose.close();
    collector.close();
    postgres.close();
  }

  static int closedPort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Record record(String text) {
    return Record.builder().data(SdkBytes.fromUtf8String(text)).build();
  }

  @Test
  void theDefaultStreamsDeliverJsonLinesToDailyIndices() throws Exception {
    firehose.putRecord(
        r ->
            r.deliveryStreamName("trailmark-access-logs")
                .record(record("{\"method\":\"GET\",\"path\":\"/orders\",\"status\":200}\n")));
    PutRecordBatchResponse batch =
        firehose.putRecordBatch(
            r ->
                r.deliveryStreamName("trailmark-access-logs")
                    .records(
                        record("{\"status\":404}\n{\"status\":500}\n"),
                        record("not json at all\n")));
    assertThat(batch.failedPutCount()).isZero();
    assertThat(batch.requestResponses())
        .hasSize(2)
        .allSatisfy(rr -> assertThat(rr.recordId()).isNotBlank());
    firehose.putRecord(
        r ->
            r.deliveryStreamName("trailmark-audit-findings")
                .record(
                    record(
                        "{\"rule\":\"s3-public\",\"severity\":\"HIGH\",\"@timestamp\":\"2026-11-26T10:00:00Z\"}")));

    String day = IndexNames.day(System.currentTimeMillis());
    String access = os.indexPrefix() + "logs-access-" + day;
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(access) == 4);
    assertThat(os.post("/" + access + "/_search?size=10", "{}"))
        .contains("/orders", "not json at all");
    String audit = os.indexPrefix() + "audit-findings-" + day;
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(audit) == 1);
    JsonNode mapping = Json.MAPPER.readTree(os.get("/" + audit + "/_mapping")).path(audit);
    assertThat(mapping.path("mappings").path("properties").path("rule").path("type").asText())
        .isEqualTo("keyword");
  }

  @Test
  void describeAndListDeliveryStreams() {
    DeliveryStreamDescription d =
        firehose
            .describeDeliveryStream(r -> r.deliveryStreamName("trailmark-access-logs"))
            .deliveryStreamDescription();
    assertThat(d.deliveryStreamStatusAsString()).isEqualTo("ACTIVE");
    assertThat(d.deliveryStreamARN())
        .isEqualTo("arn:aws:firehose:us-east-1:000000000000:deliverystream/trailmark-access-logs");
    assertThat(d.destinations().get(0).amazonopensearchserviceDestinationDescription().indexName())
        .isEqualTo("logs-access");
    assertThat(
            d.destinations()
                .get(0)
                .amazonopensearchserviceDestinationDescription()
                .indexRotationPeriodAsString())
        .isEqualTo("OneDay");
    assertThat(
            firehose
                .describeDeliveryStream(r -> r.deliveryStreamName("to-redshift"))
                .deliveryStreamDescription()
                .destinations()
                .get(0)
                .redshiftDestinationDescription()
                .copyCommand()
                .dataTableName())
        .isEqualTo("trailmark_logs");
    assertThat(firehose.listDeliveryStreams().deliveryStreamNames())
        .containsExactly(
            "cwl-stream",
            "redshift-down",
            "to-redshift",
            "trailmark-access-logs",
            "trailmark-audit-findings");
    assertThat(
            firehose.listDeliveryStreams(
                r -> r.limit(2).exclusiveStartDeliveryStreamName("redshift-down")))
        .satisfies(
            l -> {
              assertThat(l.deliveryStreamNames())
                  .containsExactly("to-redshift", "trailmark-access-logs");
              assertThat(l.hasMoreDeliveryStreams()).isTrue();
            });
    assertThatThrownBy(() -> firehose.describeDeliveryStream(r -> r.deliveryStreamName("nope")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void batchLimitsAreEnforced() {
    List<Record> tooMany = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      tooMany.add(record("{}"));
    }
    assertThatThrownBy(
            () ->
                firehose.putRecordBatch(
                    r -> r.deliveryStreamName("trailmark-access-logs").records(tooMany)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("500");
    String overRecord = "x".repeat(1_000 * 1024 + 1);
    assertThatThrownBy(
            () ->
                firehose.putRecord(
                    r -> r.deliveryStreamName("trailmark-access-logs").record(record(overRecord))))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("1024000");
    String big = "x".repeat(1_000 * 1024);
    List<Record> overBatch =
        List.of(record(big), record(big), record(big), record(big), record(big));
    assertThatThrownBy(
            () ->
                firehose.putRecordBatch(
                    r -> r.deliveryStreamName("trailmark-access-logs").records(overBatch)))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageContaining("4 MiB");
    assertThatThrownBy(
            () -> firehose.putRecord(r -> r.deliveryStreamName("missing").record(record("{}"))))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void cloudWatchLogsPayloadsAreSplitIntoOneDocumentPerEvent() throws Exception {
    long now = System.currentTimeMillis();
    String data =
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"000000000000\",\"logGroup\":\"/app/orders\","
            + "\"logStream\":\"i-1\",\"subscriptionFilters\":[\"all\"],\"logEvents\":["
            + "{\"id\":\"1\",\"timestamp\":"
            + now
            + ",\"message\":\"{\\\"body\\\":\\\"first\\\"}\"},"
            + "{\"id\":\"2\",\"timestamp\":"
            + (now + 1)
            + ",\"message\":\"second\"}]}";
    String control =
        "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","
            + "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":"
            + now
            + ",\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}";
    Record dataRecord = Record.builder().data(SdkBytes.fromByteArray(gzip(data))).build();
    Record controlRecord = Record.builder().data(SdkBytes.fromByteArray(gzip(control))).build();
    PutRecordBatchResponse response =
        firehose.putRecordBatch(
            r ->
                r.deliveryStreamName("cwl-stream")
                    .records(dataRecord, controlRecord, record("this is not gzip")));
    assertThat(response.failedPutCount()).isEqualTo(1);
    assertThat(response.requestResponses().get(2).errorCode())
        .isEqualTo("InvalidArgumentException");
    assertThat(response.requestResponses().get(2).errorMessage()).contains("gzip");
    assertThat(response.requestResponses().get(0).recordId()).isNotBlank();

    String index = os.indexPrefix() + "cwl";
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() -> os.count(index) == 2);
    JsonNode hits =
        Json.MAPPER
            .readTree(os.post("/" + index + "/_search", "{\"sort\":[{\"@timestamp\":\"asc\"}]}"))
            .path("hits")
            .path("hits");
    assertThat(hits.get(0).path("_source").path("body").asText()).isEqualTo("first");
    assertThat(hits.get(1).path("_source").path("body").asText()).isEqualTo("second");
    assertThat(
            hits.get(1)
                .path("_source")
                .path("attributes")
                .path("aws")
                .path("cloudwatch")
                .path("log_group")
                .asText())
        .isEqualTo("/app/orders");
  }

  @Test
  void aRedshiftStreamLoadsRowsThroughJdbc() throws Exception {
    firehose.putRecordBatch(
        r ->
            r.deliveryStreamName("to-redshift")
                .records(
                    record(
                        "{\"@timestamp\":\"2026-11-26T10:00:00Z\",\"body\":\"paid\",\"severity\":{\"text\":\"INFO\"},"
                            + "\"traceId\":\"abc\",\"resource\":{\"service\":{\"name\":\"billing\"}}}"),
                    record("plain line")));
    // Acknowledged means committed: no waiting needed.
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT service, severity, trace_id, body, event_time FROM trailmark_logs "
                    + "ORDER BY event_time")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("service")).isEqualTo("billing");
      assertThat(rs.getString("severity")).isEqualTo("INFO");
      assertThat(rs.getString("trace_id")).isEqualTo("abc");
      assertThat(rs.getString("body")).isEqualTo("paid");
      assertThat(rs.getTimestamp("event_time").toInstant()).hasToString("2026-11-26T10:00:00Z");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("body")).isEqualTo("plain line");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void anUnreachableRedshiftIsServiceUnavailableAndNothingIsAcknowledged() {
    assertThatThrownBy(
            () ->
                firehose.putRecord(r -> r.deliveryStreamName("redshift-down").record(record("{}"))))
        .isInstanceOfSatisfying(
            software.amazon.awssdk.services.firehose.model.ServiceUnavailableException.class,
            e -> assertThat(e.statusCode()).isEqualTo(503));
    assertThat(
            collector
                .status()
                .path("rejectedByReason")
                .path("ServiceUnavailableException")
                .asLong())
        .isPositive();
  }

  static byte[] gzip(String s) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
