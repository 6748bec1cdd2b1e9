package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PropagationTest {

  private static final String ROOT = "1-5759e988-bd862e3fe1be46a994272793";
  private static final String TRACE = "5759e988bd862e3fe1be46a994272793";

  private final Propagation both = new Propagation(List.of("xray", "tracecontext"));
  private final Tracer tracer =
      new Tracer(Sampler.of("parentbased_always_on", null), null, List.<Consumer<Span>>of());

  @Test
  void albRootOnlyHeaderContinuesTheTraceAsItsRoot() {
    SpanContext parent =
        both.extract("Self=1-67891234-12456789abcdef012345678;Root=" + ROOT, null, null);

    assertThat(parent.traceId()).isEqualTo(TRACE);
    assertThat(parent.spanId()).isNull();
    assertThat(parent.sampled()).isEqualTo(SpanContext.SAMPLED_UNKNOWN);
    Span server = tracer.startServer(new Object(), parent, "GET", "http://x/", "/");
    assertThat(server.context().traceId()).isEqualTo(TRACE);
    assertThat(server.parentSpanId()).as("first segment of the trace").isNull();
    assertThat(Map.of(both.inject(server.context())[0], both.inject(server.context())[1]))
        .containsEntry(
            "X-Amzn-Trace-Id",
            "Root=" + ROOT + ";Parent=" + server.context().spanId() + ";Sampled=1");
  }

  @Test
  void sampledQuestionMarkLeavesTheDecisionHere() {
    Tracer never = new Tracer(Sampler.of("parentbased_always_off", null), null, List.of());
    Tracer always = new Tracer(Sampler.of("parentbased_always_on", null), null, List.of());
    SpanContext parent =
        both.extract("Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=?", null, null);

    assertThat(never.startServer(new Object(), parent, "GET", "u", null).context().isSampled())
        .isFalse();
    assertThat(always.startServer(new Object(), parent, "GET", "u", null).context().isSampled())
        .isTrue();
  }

  @Test
  void callerDecisionIsFollowed() {
    Tracer always = new Tracer(Sampler.of("parentbased_always_on", null), null, List.of());
    SpanContext parent =
        both.extract("Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=0", null, null);

    Span span = always.startServer(new Object(), parent, "GET", "u", null);

    assertThat(span.context().isSampled()).isFalse();
    assertThat(span.parentSpanId()).isEqualTo("53995c3f42cd8ad8");
    assertThat(both.inject(span.context())[1]).endsWith(";Sampled=0");
    assertThat(both.inject(span.context())[3]).endsWith("-00");
  }

  @Test
  void lineageIsKeptDownstream() {
    SpanContext parent =
        both.extract(
            "Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5",
            null,
            null);
    Span span = tracer.startServer(new Object(), parent, "GET", "u", null);
    Span previous = Tracer.makeCurrent(span);
    Span client;
    try {
      client = tracer.startClient(null, "GET", "http://next/");
    } finally {
      Tracer.restore(previous);
    }

    assertThat(both.inject(client.context())[1])
        .isEqualTo(
            "Root="
                + ROOT
                + ";Parent="
                + client.context().spanId()
                + ";Sampled=1;Lineage=a87bd80c:1|68fd508a:5");
  }

  @Test
  void w3cOnlyCallerJoinsWithItsTraceState() {
    SpanContext parent =
        both.extract(null, "00-" + TRACE + "-53995c3f42cd8ad8-01", "vendor=abc,other=1");

    Span span = tracer.startServer(new Object(), parent, "GET", "u", null);
    String[] headers = both.inject(span.context());

    assertThat(span.context().traceId()).isEqualTo(TRACE);
    assertThat(span.parentSpanId()).isEqualTo("53995c3f42cd8ad8");
    assertThat(headers)
        .containsExactly(
            "X-Amzn-Trace-Id", "Root=" + ROOT + ";Parent=" + span.context().spanId() + ";Sampled=1",
            "traceparent", "00-" + TRACE + "-" + span.context().spanId() + "-01",
            "tracestate", "vendor=abc,other=1");
  }

  @Test
  void bothHeadersOfOneTraceAgree() {
    SpanContext parent =
        both.extract(
            "Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1",
            "00-" + TRACE + "-53995c3f42cd8ad8-01",
            "v=1");

    assertThat(parent.lineage()).isEqualTo("a87bd80c:1");
    assertThat(parent.traceState()).isEqualTo("v=1");
  }

  @Test
  void aCompleteXrayHeaderWinsOverAnyTraceparentAndItsSpansShareItsRoot() {
    String xray = "Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1";
    for (String traceparent :
        new String[] {
          null,
          "00-" + TRACE + "-1111111111111111-00",
          "00-" + TRACE.replace('5', '6') + "-1111111111111111-00",
          "00-zz",
          "00-" + TRACE.toUpperCase(java.util.Locale.ROOT) + "-1111111111111111-01"
        }) {
      SpanContext parent = both.extract(xray, traceparent, null);

      assertThat(parent.traceId()).isEqualTo(TRACE);
      assertThat(parent.spanId()).isEqualTo("53995c3f42cd8ad8");
      assertThat(parent.isSampled()).isTrue();
      assertThat(parent.traceState()).isNull();
    }
    SpanContext parent = both.extract(xray, "00-" + TRACE + "-1111111111111111-00", null);
    Span server = tracer.startServer(new Object(), parent, "GET", "http://h/", "/");
    assertThat(server.context().xrayTraceId()).isEqualTo(ROOT);
    Span client;
    Tracer.makeCurrent(server);
    try {
      client = tracer.startClient(new Object(), "GET", "http://i/");
    } finally {
      Tracer.restore(null);
    }
    assertThat(client.context().xrayTraceId()).isEqualTo(ROOT);
    assertThat(both.inject(client.context())[1])
        .startsWith("Root=" + ROOT + ";Parent=" + client.context().spanId());
  }

  @Test
  void traceparentFlagsAreLowerCaseHex() {
    assertThat(
            Propagation.parseTraceparent("00-" + TRACE + "-53995c3f42cd8ad8-03", null).isSampled())
        .isTrue();
    assertThat(
            Propagation.parseTraceparent("00-" + TRACE + "-53995c3f42cd8ad8-f2", null).isSampled())
        .isFalse();
    assertThat(Propagation.parseTraceparent("00-" + TRACE + "-53995c3f42cd8ad8-0A", null)).isNull();
    assertThat(Propagation.parseTraceparent("00-" + TRACE + "-53995c3f42cd8ad8-0g", null)).isNull();
  }

  @Test
  void malformedXrayHeadersAreIgnored() {
    String longRoot =
        "Root="
            + ROOT
            + ";Parent=53995c3f42cd8ad8;Sampled=1;Lineage="
            + "a".repeat(60)
            + ";Foo="
            + "b".repeat(200);
    for (String bad :
        List.of(
            "Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8", // short
            "Root=1-5759E988-bd862e3fe1be46a994272793", // upper case
            "Root=1-5759e988-bd862e3fe1be46a99427279z", // bad hex
            "Root=2-5759e988-bd862e3fe1be46a994272793", // wrong version
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad", // short parent
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=2",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Root=1-5759e988-bd862e3fe1be46a994272794",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=<script>",
            "Parent=53995c3f42cd8ad8;Sampled=1",
            "garbage",
            longRoot)) {
      assertThat(Propagation.parseXray(bad)).as(bad).isNull();
    }
    assertThat(longRoot.length()).isGreaterThan(256);
  }

  @Test
  void malformedTraceparentsAreIgnored() {
    for (String bad :
        List.of(
            "01-" + TRACE + "-53995c3f42cd8ad8-01", // unknown version
            "ff-" + TRACE + "-53995c3f42cd8ad8-01",
            "00-" + TRACE.toUpperCase() + "-53995c3f42cd8ad8-01",
            "00-00000000000000000000000000000000-53995c3f42cd8ad8-01",
            "00-" + TRACE + "-0000000000000000-01",
            "00-" + TRACE + "-53995c3f42cd8ad8-0g",
            "00-" + TRACE + "-53995c3f42cd8ad8-01-extra",
            "00-" + TRACE + "-53995c3f42cd8ad8")) {
      assertThat(Propagation.parseTraceparent(bad, null)).as(bad).isNull();
    }
  }

  @Test
  void malformedHeaderStartsANewTraceAndIsNeverEchoed() {
    String bad = "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8;Sampled=1";
    SpanContext parent = both.extract(bad, "00-zz", "evil=1");
    Span span = tracer.startServer(new Object(), parent, "GET", "u", null);

    assertThat(parent).isNull();
    assertThat(span.parentSpanId()).isNull();
    assertThat(String.join("\n", both.inject(span.context())))
        .doesNotContain("5759e988", "99427279z", "evil", "53995c3f42cd8ad8");
  }

  @Test
  void malformedTracestateIsDroppedButTheParentKept() {
    SpanContext parent =
        both.extract(null, "00-" + TRACE + "-53995c3f42cd8ad8-01", "x".repeat(600));

    assertThat(parent.traceId()).isEqualTo(TRACE);
    assertThat(parent.traceState()).isNull();
  }

  @Test
  void configuredPropagatorsDecideWhatIsReadAndWritten() {
    Propagation w3cOnly = new Propagation(List.of("tracecontext"));
    Propagation xrayOnly = new Propagation(List.of("xray"));

    assertThat(w3cOnly.extract("Root=" + ROOT, null, null)).isNull();
    assertThat(xrayOnly.extract(null, "00-" + TRACE + "-53995c3f42cd8ad8-01", null)).isNull();
    Span span = tracer.startServer(new Object(), null, "GET", "u", null);
    assertThat(w3cOnly.inject(span.context())).hasSize(2).contains("traceparent");
    assertThat(xrayOnly.inject(span.context())).hasSize(2).contains("X-Amzn-Trace-Id");
  }

  @Test
  void newTraceIdsAreXrayTimePrefixed() {
    long before = System.currentTimeMillis() / 1000;
    Span span = tracer.startServer(new Object(), null, "GET", "u", null);
    long after = System.currentTimeMillis() / 1000;

    long epoch = Long.parseLong(span.context().traceId().substring(0, 8), 16);
    assertThat(epoch).isBetween(before, after);
    assertThat(span.context().xrayTraceId()).matches("1-[0-9a-f]{8}-[0-9a-f]{24}");
    assertThat(Propagation.parseXray("Root=" + span.context().xrayTraceId())).isNotNull();
  }

  @Test
  void lambdaInvocationHeaderParentsCallsMadeOutsideAnyRequest() {
    Tracer lambda =
        new Tracer(
            Sampler.of("parentbased_always_off", null),
            () -> "Root=" + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1",
            List.of());

    Span client = lambda.startClient(null, "POST", "https://sqs.us-east-1.amazonaws.com/");

    assertThat(client.context().traceId()).isEqualTo(TRACE);
    assertThat(client.parentSpanId()).isEqualTo("53995c3f42cd8ad8");
    assertThat(client.context().isSampled()).isTrue();
  }

  @Test
  void callsMadeOutsideAnyTraceStartNone() {
    assertThat(Tracer.current()).isNull();
    assertThat(tracer.startClient(null, "POST", "https://logs.us-east-1.amazonaws.com/")).isNull();
  }

  @Test
  void oneRequestIsOneServerSpanEvenThroughNestedFilters() {
    Object exchange = new Object();
    Span outer = tracer.startServer(exchange, null, "GET", "u", "/");
    Span previous = Tracer.makeCurrent(outer);
    try {
      assertThat(tracer.startServer(exchange, null, "GET", "u", "/")).isNull();
      assertThat(tracer.startServer(new Object(), null, "GET", "u", "/")).isNotNull();
    } finally {
      Tracer.restore(previous);
    }
  }
}
