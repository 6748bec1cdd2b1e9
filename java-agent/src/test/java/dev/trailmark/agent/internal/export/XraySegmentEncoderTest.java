package dev.trailmark.agent.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.agent.internal.trace.Database;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.TestSpans;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XraySegmentEncoderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final XraySegmentEncoder encoder =
      new XraySegmentEncoder("orders", Map.of("env", "test"), "0.1.0");

  static JsonNode parseDatagram(byte[] datagram) throws Exception {
    String text = new String(datagram, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    assertThat(JSON.readTree(text.substring(0, newline)))
        .isEqualTo(JSON.readTree("{\"format\":\"json\",\"version\":1}"));
    return JSON.readTree(text.substring(newline + 1));
  }

  @Test
  void serverSpanIsASegmentNamedAfterTheService() throws Exception {
    Span server = TestSpans.server("http://h:8080/orders/7", 200, "/orders/{id}");

    JsonNode doc = parseDatagram(encoder.datagram(server));

    assertThat(doc.get("name").asText()).isEqualTo("orders");
    assertThat(doc.get("id").asText()).isEqualTo(server.context().spanId());
    assertThat(doc.get("trace_id").asText()).isEqualTo(server.context().xrayTraceId());
    assertThat(doc.has("parent_id")).isFalse();
    assertThat(doc.has("type")).isFalse();
    assertThat(doc.get("end_time").asDouble())
        .isGreaterThanOrEqualTo(doc.get("start_time").asDouble());
    assertThat(doc.at("/http/request/method").asText()).isEqualTo("GET");
    assertThat(doc.at("/http/response/status").asInt()).isEqualTo(200);
    assertThat(doc.at("/annotations/http_route").asText()).isEqualTo("/orders/{id}");
    assertThat(doc.at("/metadata/resource/env").asText()).isEqualTo("test");
    assertThat(doc.has("fault")).isFalse();
  }

  @Test
  void clientSpanIsAnIndependentSubsegmentUnderItsParent() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    Span client = TestSpans.clientUnder(server, "http://payments:9000/pay?x=1", 503, null);

    JsonNode doc = parseDatagram(encoder.datagram(client));

    assertThat(doc.get("type").asText()).isEqualTo("subsegment");
    assertThat(doc.get("name").asText()).isEqualTo("payments:9000");
    assertThat(doc.get("namespace").asText()).isEqualTo("remote");
    assertThat(doc.get("parent_id").asText()).isEqualTo(server.context().spanId());
    assertThat(doc.get("trace_id").asText()).isEqualTo(server.context().xrayTraceId());
    assertThat(doc.get("fault").asBoolean()).isTrue();
  }

  @Test
  void errorsAreRecordedAsCauses() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    Span client =
        TestSpans.clientUnder(
            server, "http://down/", 0, new java.net.ConnectException("refused \"x\"\n"));

    JsonNode doc = parseDatagram(encoder.datagram(client));

    assertThat(doc.get("fault").asBoolean()).isTrue();
    assertThat(doc.at("/cause/exceptions/0/type").asText()).isEqualTo("java.net.ConnectException");
    assertThat(doc.at("/cause/exceptions/0/message").asText()).isEqualTo("refused \"x\"\n");
  }

  @Test
  void hugeValuesNeverPushADocumentPastOneDatagram() throws Exception {
    Map<String, String> resource = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      resource.put("attribute." + i, "v".repeat(1000));
    }
    XraySegmentEncoder big = new XraySegmentEncoder("svc".repeat(100), resource, "0.1.0");
    Span server =
        TestSpans.server("http://h/" + "p".repeat(100_000), 200, "/" + "r".repeat(100_000));

    byte[] datagram = big.datagram(server);
    JsonNode doc = parseDatagram(datagram);

    assertThat(datagram.length).isLessThanOrEqualTo(XraySegmentEncoder.MAX_DATAGRAM);
    assertThat(doc.get("name").asText()).hasSize(200);
    assertThat(doc.at("/http/request/url").asText()).hasSize(JsonWriter.MAX_STRING).endsWith("...");
    assertThat(doc.has("metadata")).as("metadata is what gives way").isFalse();
    assertThat(doc.get("id").asText()).isEqualTo(server.context().spanId());
  }

  @Test
  void everyDatagramIsWrittenIntoTheOneReusedBufferWithNothingLeftOver() throws Exception {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocateDirect(XraySegmentEncoder.MAX_DATAGRAM);
    Span long_ = TestSpans.server("http://h/" + "p".repeat(2000), 200, null);
    Span short_ = TestSpans.server("http://h:8080/orders/7", 200, "/orders/{id}");

    encoder.encode(long_, out);
    encoder.encode(
        short_, out); // after a longer one: its leftovers must not leak into this datagram
    out.flip();
    byte[] written = new byte[out.remaining()];
    out.get(written);

    assertThat(written).isEqualTo(encoder.datagram(short_));
    assertThat(parseDatagram(written).get("id").asText()).isEqualTo(short_.context().spanId());
  }

  @Test
  void nonAsciiDocumentsAreUtf8() throws Exception {
    Span server = TestSpans.server("http://h/caf\u00e9/\u6ce8\u6587", 200, null);
    assertThat(parseDatagram(encoder.datagram(server)).at("/http/request/url").asText())
        .isEqualTo("http://h/caf\u00e9/\u6ce8\u6587");
  }

  @Test
  void awsCallsAreSubsegmentsInTheAwsNamespace() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    Span sqs =
        TestSpans.awsUnder(
            server, "SQS", "SendMessage", "us-east-1", "http://127.0.0.1:9324/000000000000/orders");

    JsonNode doc = parseDatagram(encoder.datagram(sqs));

    assertThat(doc.get("name").asText()).isEqualTo("SQS");
    assertThat(doc.get("namespace").asText()).isEqualTo("aws");
    assertThat(doc.at("/aws/operation").asText()).isEqualTo("SendMessage");
    assertThat(doc.at("/aws/region").asText()).isEqualTo("us-east-1");
    assertThat(doc.at("/aws/queue_url").asText())
        .isEqualTo("http://127.0.0.1:9324/000000000000/orders");
  }

  @Test
  void clientErrorsAreErrorsAnd429IsAThrottle() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    JsonNode throttled =
        parseDatagram(encoder.datagram(TestSpans.clientUnder(server, "http://x/", 429, null)));
    JsonNode missing =
        parseDatagram(encoder.datagram(TestSpans.clientUnder(server, "http://x/", 404, null)));

    assertThat(throttled.get("error").asBoolean()).isTrue();
    assertThat(throttled.get("throttle").asBoolean()).isTrue();
    assertThat(missing.get("error").asBoolean()).isTrue();
    assertThat(missing.has("throttle")).isFalse();
    assertThat(missing.has("fault")).isFalse();
  }

  @Test
  void anySdkSpanDataIsEncodedAsTheAgentsOwnSpans() throws Exception {
    // The agent's spans are read field by field, any other SpanData through its attributes and
    // events:
    // both must give the same document.
    Span server = TestSpans.server("http://h:8080/orders/7", 200, "/orders/{id}");
    Span failed =
        TestSpans.clientUnder(server, "http://down/", 0, new java.net.ConnectException("refused"));
    Span sqs =
        TestSpans.awsUnder(
            server, "SQS", "SendMessage", "us-east-1", "http://127.0.0.1:9324/000000000000/orders");

    for (Span span : new Span[] {server, failed, sqs}) {
      io.opentelemetry.sdk.trace.data.SpanData foreign =
          new io.opentelemetry.sdk.trace.data.DelegatingSpanData(span) {};

      assertThat(JSON.readTree(encoder.document(foreign, true)))
          .isEqualTo(JSON.readTree(encoder.document(span, true)));
    }
    assertThat(
            JSON.readTree(encoder.document(failed, true)).at("/cause/exceptions/0/type").asText())
        .isEqualTo("java.net.ConnectException");
  }

  @Test
  void databaseCallIsARemoteSubsegmentWithTheSqlBlockNamedAfterTheDatabase() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    Database db =
        new Database(
            "postgresql",
            "orders",
            "db.internal",
            5432,
            "jdbc:postgresql://db.internal:5432/orders",
            "app",
            "PostgreSQL",
            "16.4",
            "PostgreSQL JDBC Driver 42.7.8");
    Span call = TestSpans.dbUnder(server, db, "SELECT", "SELECT * FROM t WHERE id = ?", null);

    JsonNode doc = parseDatagram(encoder.datagram(call));

    assertThat(doc.get("name").asText()).isEqualTo("orders@db.internal:5432");
    assertThat(doc.get("namespace").asText()).isEqualTo("remote");
    assertThat(doc.has("http")).isFalse();
    assertThat(doc.has("fault")).isFalse();
    assertThat(doc.at("/sql/url").asText()).isEqualTo("jdbc:postgresql://db.internal:5432/orders");
    assertThat(doc.at("/sql/database_type").asText()).isEqualTo("PostgreSQL");
    assertThat(doc.at("/sql/database_version").asText()).isEqualTo("16.4");
    assertThat(doc.at("/sql/driver_version").asText()).isEqualTo("PostgreSQL JDBC Driver 42.7.8");
    assertThat(doc.at("/sql/user").asText()).isEqualTo("app");
    assertThat(doc.at("/sql/preparation").asText()).isEqualTo("statement");
    assertThat(doc.at("/sql/sanitized_query").asText()).isEqualTo("SELECT * FROM t WHERE id = ?");
    assertThat(call.getName()).isEqualTo("SELECT orders");
    assertThat(call.getAttributes().asMap())
        .extractingFromEntries(e -> e.getKey().getKey() + "=" + e.getValue())
        .contains(
            "db.system=postgresql",
            "db.name=orders",
            "db.operation=SELECT",
            "db.statement=SELECT * FROM t WHERE id = ?",
            "server.address=db.internal",
            "server.port=5432",
            "db.user=app");

    // Read back through its attributes, as for any other SDK SpanData: the same node.
    JsonNode viaAttributes =
        parseDatagram(
            encoder.datagram(new io.opentelemetry.sdk.trace.data.DelegatingSpanData(call) {}));
    assertThat(viaAttributes.get("name").asText()).isEqualTo("orders@db.internal:5432");
    assertThat(viaAttributes.at("/sql/sanitized_query").asText())
        .isEqualTo("SELECT * FROM t WHERE id = ?");
  }

  @Test
  void failedDatabaseCallIsAFaultWithItsCause() throws Exception {
    Span server = TestSpans.server("http://h/", 200, null);
    Database db =
        new Database("h2", "test", null, -1, "jdbc:h2:mem:test", "SA", "H2", "2.3.232", "H2 JDBC");
    Span call =
        TestSpans.dbUnder(
            server, db, "SELECT", "SELEC ?", new java.sql.SQLSyntaxErrorException("bad"));

    JsonNode doc = parseDatagram(encoder.datagram(call));

    assertThat(doc.get("name").asText()).as("an embedded database: its name").isEqualTo("test");
    assertThat(doc.get("fault").asBoolean()).isTrue();
    assertThat(doc.at("/cause/exceptions/0/type").asText())
        .isEqualTo("java.sql.SQLSyntaxErrorException");
  }
}
