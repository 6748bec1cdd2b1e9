package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.testapp.OtelApiApp;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.contrib.awsxray.propagator.AwsXrayPropagator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The agent's headers against the reference implementations: the X-Ray propagator of
 * opentelemetry-java-contrib and the OpenTelemetry API's W3C propagator. Whatever they write the
 * agent reads as the same trace, parent and decision; whatever the agent writes the W3C propagator
 * reads alike, and the X-Ray header is exactly what contrib writes for that context.
 *
 * <p>Why the agent does not ship contrib's X-Ray propagator: every served version (up to
 * 1.57.0-alpha) parses through {@code io.opentelemetry.api.internal.StringUtils.padLeft}, which the
 * OpenTelemetry API 1.68 inside the agent no longer has (its {@code extract} throws {@link
 * NoSuchMethodError}); and its source requires a {@code Parent} (an ALB sends {@code Root} only)
 * and knows no {@code Sampled=?}.
 */
class PropagationConformanceTest {

  private final Propagation both = new Propagation(List.of("xray", "tracecontext"));
  private final Tracer tracer =
      new Tracer(Sampler.of("parentbased_always_on", null), null, List.of());
  private final Tracer notSampling =
      new Tracer(Sampler.of("parentbased_always_off", null), null, List.of());

  @Test
  void whatTheAgentWritesTheReferencePropagatorsReadAsTheSameContext() {
    for (int i = 0; i < 200; i++) {
      Span span =
          (i % 2 == 0 ? tracer : notSampling)
              .startServer(new Object(), null, "GET", "http://x/", null);
      String[] headers = both.inject(span.context());
      Map<String, String> carrier = new HashMap<>();
      for (int h = 0; h < headers.length; h += 2) {
        carrier.put(headers[h], headers[h + 1]);
      }

      SpanContext read =
          io.opentelemetry.api.trace.Span.fromContext(
                  W3CTraceContextPropagator.getInstance()
                      .extract(Context.root(), carrier, OtelApiApp.MAP_GETTER))
              .getSpanContext();
      assertThat(read.isValid()).as(carrier.toString()).isTrue();
      assertThat(read.getTraceId()).isEqualTo(span.context().traceId());
      assertThat(read.getSpanId()).isEqualTo(span.context().spanId());
      assertThat(read.isSampled()).isEqualTo(span.context().isSampled());

      Map<String, String> contrib = new HashMap<>();
      AwsXrayPropagator.getInstance()
          .inject(
              Context.root().with(io.opentelemetry.api.trace.Span.wrap(read)), contrib, Map::put);
      assertThat(carrier.get("X-Amzn-Trace-Id")).isEqualTo(contrib.get("X-Amzn-Trace-Id"));
    }
  }

  @Test
  void whatTheReferencePropagatorsWriteTheAgentReadsAsTheSameContext() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      // X-Ray ids: the first 8 hex digits are an epoch second, as contrib's id generator makes
      // them.
      String traceId =
          io.opentelemetry.contrib.awsxray.AwsXrayIdGenerator.getInstance().generateTraceId();
      String spanId = io.opentelemetry.api.trace.SpanId.fromLong(random.nextLong() | 1);
      boolean sampled = random.nextBoolean();
      SpanContext written =
          SpanContext.createFromRemoteParent(
              traceId,
              spanId,
              sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
              TraceState.getDefault());
      Context context = Context.root().with(io.opentelemetry.api.trace.Span.wrap(written));

      Map<String, String> xray = new HashMap<>();
      AwsXrayPropagator.getInstance().inject(context, xray, Map::put);
      Map<String, String> w3c = new HashMap<>();
      W3CTraceContextPropagator.getInstance().inject(context, w3c, Map::put);

      for (dev.trailmark.agent.internal.trace.SpanContext read :
          List.of(
              both.extract(xray.get("X-Amzn-Trace-Id"), null, null),
              both.extract(null, w3c.get("traceparent"), w3c.get("tracestate")))) {
        assertThat(read).as(xray + " " + w3c).isNotNull();
        assertThat(read.traceId()).isEqualTo(traceId);
        assertThat(read.spanId()).isEqualTo(spanId);
        assertThat(read.isSampled()).isEqualTo(sampled);
      }
    }
  }
}
