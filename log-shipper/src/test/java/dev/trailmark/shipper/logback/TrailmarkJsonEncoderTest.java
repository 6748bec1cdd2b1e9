package dev.trailmark.shipper.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MarkerFactory;
import org.slf4j.event.KeyValuePair;

class TrailmarkJsonEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("com.example.Orders");

  {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
  }

  private TrailmarkJsonEncoder encoder(String format) {
    TrailmarkJsonEncoder e = new TrailmarkJsonEncoder();
    e.setContext(context);
    e.setServiceName("orders");
    e.setFormat(format);
    e.start();
    return e;
  }

  private LoggingEvent event(Level level, String msg, Throwable t, Object... args) {
    LoggingEvent e = new LoggingEvent("fqcn", logger, level, msg, t, args);
    e.setTimeStamp(1_764_151_200_123L); // 2025-11-26T10:00:00.123Z
    return e;
  }

  private JsonNode parse(byte[] line) throws Exception {
    assertThat(line[line.length - 1]).as("one event per line").isEqualTo((byte) '\n');
    String s = new String(line, StandardCharsets.UTF_8);
    assertThat(s.indexOf('\n')).isEqualTo(s.length() - 1);
    return JSON.readTree(line);
  }

  @Test
  void writesTheSs4oLogSchemaWithTraceIdsFromTheAgentsMdc() throws Exception {
    LoggingEvent e = event(Level.WARN, "order {} shipped", null, 42);
    e.setMDCPropertyMap(
        Map.of(
            "trace_id",
            "0af7651916cd43dd8448eb211c80319c",
            "span_id",
            "b7ad6b7169203331",
            "trace_flags",
            "01",
            "AWS-XRAY-TRACE-ID",
            "1-5759e988-bd862e3fe1be46a994272793@b7ad6b7169203331",
            "user",
            "ann"));
    e.addKeyValuePair(new KeyValuePair("orderId", 42));
    e.addKeyValuePair(new KeyValuePair("paid", true));
    e.addMarker(MarkerFactory.getMarker("AUDIT"));

    JsonNode d = parse(encoder("ss4o").encode(e));

    assertThat(d.get("@timestamp").asText()).isEqualTo("2025-11-26T10:00:00.123Z");
    assertThat(d.get("observedTimestamp").asText()).endsWith("Z");
    assertThat(d.get("traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(d.get("spanId").asText()).isEqualTo("b7ad6b7169203331");
    assertThat(d.at("/severity/text").asText()).isEqualTo("WARN");
    assertThat(d.at("/severity/number").asInt()).isEqualTo(13);
    assertThat(d.get("body").asText()).isEqualTo("order 42 shipped");
    assertThat(d.at("/instrumentationScope/name").asText()).isEqualTo("com.example.Orders");
    JsonNode a = d.get("attributes");
    assertThat(a.get("trace_flags").asText()).isEqualTo("01");
    assertThat(a.get("AWS-XRAY-TRACE-ID").asText()).startsWith("1-5759e988-");
    assertThat(a.get("user").asText()).isEqualTo("ann");
    assertThat(a.has("trace_id")).as("trace id is top-level only").isFalse();
    assertThat(a.get("orderId").isNumber()).isTrue();
    assertThat(a.get("paid").asBoolean()).isTrue();
    assertThat(a.get("log.markers").get(0).asText()).isEqualTo("AUDIT");
    assertThat(a.get("thread.name").asText()).isNotEmpty();
    assertThat(a.get("log.record.uid").asText()).matches("[0-9a-f]+-\\d+");
    assertThat(d.at("/resource/service/name").asText()).isEqualTo("orders");
    assertThat(d.at("/resource/host/name").asText()).isNotEmpty();
  }

  @Test
  void everyEventGetsItsOwnStableId() throws Exception {
    TrailmarkJsonEncoder enc = encoder("ss4o");
    String a =
        parse(enc.encode(event(Level.INFO, "a", null))).at("/attributes/log.record.uid").asText();
    String b =
        parse(enc.encode(event(Level.INFO, "b", null))).at("/attributes/log.record.uid").asText();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void writesExceptionsWithCausesAndSuppressed() throws Exception {
    IllegalStateException root = new IllegalStateException("root cause");
    RuntimeException top = new RuntimeException("top \"quoted\"", root);
    top.addSuppressed(new java.io.IOException("close failed"));

    JsonNode d = parse(encoder("ss4o").encode(event(Level.ERROR, "boom", top)));

    JsonNode x = d.at("/attributes/exception");
    assertThat(x.get("type").asText()).isEqualTo("java.lang.RuntimeException");
    assertThat(x.get("message").asText()).isEqualTo("top \"quoted\"");
    String st = x.get("stacktrace").asText();
    assertThat(st)
        .startsWith("java.lang.RuntimeException: top \"quoted\"")
        .contains(
            "\tat dev.trailmark.shipper.logback.TrailmarkJsonEncoderTest.writesExceptionsWithCausesAndSuppressed")
        .contains("Suppressed: java.io.IOException: close failed")
        .contains("Caused by: java.lang.IllegalStateException: root cause")
        .contains("common frames omitted");
    assertThat(d.at("/severity/number").asInt()).isEqualTo(17);
  }

  @Test
  void capsVeryLongStackTracesWithAVisibleMarker() throws Exception {
    TrailmarkJsonEncoder enc = new TrailmarkJsonEncoder();
    enc.setContext(context);
    enc.setMaxStackTraceChars(200);
    enc.start();
    JsonNode d = parse(enc.encode(event(Level.ERROR, "boom", new RuntimeException("x"))));
    String st = d.at("/attributes/exception/stacktrace").asText();
    assertThat(st).endsWith("[stack trace truncated by Trailmark]");
    assertThat(st.length()).isLessThan(300);
  }

  @Test
  void escapesControlCharactersAndReplacesLoneSurrogates() throws Exception {
    String nasty =
        "tab\tnl\ncr\rnul\u0000bell\u0007quote\"back\\slash/ \u2028 emoji \uD83D\uDE00 lone \uD800 end \uDC00";
    byte[] line = encoder("ss4o").encode(event(Level.INFO, nasty, null));

    // strictly valid UTF-8
    assertThat(
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(line)).toString())
        .isNotEmpty();
    String raw = new String(line, StandardCharsets.UTF_8);
    assertThat(raw)
        .contains("\\u0000")
        .contains("\\u0007")
        .contains("\\u2028")
        .doesNotContain("\t");
    JsonNode d = parse(line);
    assertThat(d.get("body").asText())
        .isEqualTo(
            "tab\tnl\ncr\rnul\u0000bell\u0007quote\"back\\slash/ \u2028 emoji \uD83D\uDE00 lone \uFFFD end \uFFFD");
  }

  @Test
  void writesEcsFieldNamesWhenAsked() throws Exception {
    LoggingEvent e = event(Level.INFO, "hello", new IllegalArgumentException("bad"));
    e.setMDCPropertyMap(
        Map.of("trace_id", "0af7651916cd43dd8448eb211c80319c", "span_id", "b7ad6b7169203331"));
    e.addMarker(MarkerFactory.getMarker("SECURITY"));

    JsonNode d = parse(encoder("ecs").encode(e));

    assertThat(d.get("@timestamp").asText()).isEqualTo("2025-11-26T10:00:00.123Z");
    assertThat(d.get("log.level").asText()).isEqualTo("INFO");
    assertThat(d.get("message").asText()).isEqualTo("hello");
    assertThat(d.get("ecs.version").asText()).isEqualTo("1.2.0");
    assertThat(d.get("log.logger").asText()).isEqualTo("com.example.Orders");
    assertThat(d.get("trace.id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(d.get("span.id").asText()).isEqualTo("b7ad6b7169203331");
    assertThat(d.get("error.type").asText()).isEqualTo("java.lang.IllegalArgumentException");
    assertThat(d.get("error.stack_trace").asText()).contains("IllegalArgumentException: bad");
    assertThat(d.get("service.name").asText()).isEqualTo("orders");
    assertThat(d.get("event.id").asText()).isNotEmpty();
    assertThat(d.get("tags").get(0).asText()).isEqualTo("SECURITY");
  }

  @Test
  void aHugeEventDoesNotPinItsBufferOnTheLoggingThread() throws Exception {
    TrailmarkJsonEncoder enc = encoder("ss4o");
    String huge = "x".repeat(3 * 1024 * 1024);
    assertThat(parse(enc.encode(event(Level.INFO, huge, null))).get("body").asText())
        .hasSize(huge.length());
    assertThat(enc.writer().buffer().length)
        .isLessThanOrEqualTo(TrailmarkJsonEncoder.MAX_RETAINED_BYTES);
    assertThat(parse(enc.encode(event(Level.INFO, "small", null))).get("body").asText())
        .isEqualTo("small");
  }

  @Test
  void writesNonFiniteAndOddKeyValueTypesAsValidJson() throws Exception {
    LoggingEvent e = event(Level.DEBUG, "kv", null);
    e.addKeyValuePair(new KeyValuePair("nan", Double.NaN));
    e.addKeyValuePair(new KeyValuePair("ratio", 0.5));
    e.addKeyValuePair(new KeyValuePair("list", List.of(1, 2)));
    e.addKeyValuePair(new KeyValuePair("none", null));
    JsonNode a = parse(encoder("ss4o").encode(e)).get("attributes");
    assertThat(a.get("nan").asText()).isEqualTo("NaN");
    assertThat(a.get("ratio").asDouble()).isEqualTo(0.5);
    assertThat(a.get("list").asText()).isEqualTo("[1, 2]");
    assertThat(a.get("none").isNull()).isTrue();
  }

  @Test
  void anEventEncodedInTheMillisecondItHappenedHasBothTimestampsAndIsValidJson() throws Exception {
    TrailmarkJsonEncoder enc = encoder("ss4o");
    boolean sameMillisecond = false;
    for (int i = 0; i < 10_000 && !sameMillisecond; i++) {
      LoggingEvent e =
          new LoggingEvent("fqcn", logger, Level.INFO, "now {}", null, new Object[] {i});
      JsonNode d = parse(enc.encode(e));
      String time = d.get("@timestamp").asText();
      String observed = d.get("observedTimestamp").asText();
      assertThat(observed)
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")
          .isGreaterThanOrEqualTo(time);
      assertThat(d.at("/severity/text").asText()).isEqualTo("INFO");
      sameMillisecond = observed.equals(time);
    }
    assertThat(sameMillisecond).as("the copied timestamp was exercised").isTrue();
  }
}
