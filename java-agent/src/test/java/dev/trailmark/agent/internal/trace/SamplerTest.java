package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SamplerTest {

  private static final String TRACE = "5759e988bd862e3fe1be46a994272793";

  @Test
  void xrayDefaultRuleTakesOnePerSecondThenItsRate() {
    AtomicLong clock = new AtomicLong(10_000_000_000L);
    Sampler.XrayDefault noRate = new Sampler.XrayDefault(clock::get, 1, 0.0);

    assertThat(noRate.sample()).isTrue();
    assertThat(noRate.sample()).isFalse();
    assertThat(noRate.sample()).isFalse();
    clock.addAndGet(1_000_000_000L);
    assertThat(noRate.sample()).isTrue();
    assertThat(noRate.sample()).isFalse();
  }

  @Test
  void xrayDefaultRuleSamplesAboutItsRateBeyondTheReservoir() {
    AtomicLong clock = new AtomicLong();
    Sampler.XrayDefault rule = new Sampler.XrayDefault(clock::get, 1, 0.05);
    int sampled = 0;
    for (int i = 0; i < 20_000; i++) {
      sampled += rule.sample() ? 1 : 0;
    }
    // 1 from the reservoir, then 5% of 19,999: far outside this band only if the rate were wrong.
    assertThat(sampled).isBetween(800, 1200);
  }

  @Test
  void parentBasedFollowsTheCallerUnlessItLeftTheDecisionOpen() {
    Sampler off = Sampler.of("parentbased_always_off", null);
    SpanContext yes = new SpanContext(TRACE, "53995c3f42cd8ad8", 1, null, null, true);
    SpanContext open =
        new SpanContext(TRACE, "53995c3f42cd8ad8", SpanContext.SAMPLED_UNKNOWN, null, null, true);

    assertThat(off.sample(yes, TRACE)).isTrue();
    assertThat(off.sample(open, TRACE)).isFalse();
    assertThat(Sampler.of("always_off", null).sample(yes, TRACE)).as("not parent-based").isFalse();
  }

  @Test
  void traceIdRatioIsTheSameDecisionInEveryService() {
    Sampler half = Sampler.of("traceidratio", "0.5");
    assertThat(half.sample(null, "5759e988bd862e3f0000000000000001")).isTrue();
    assertThat(half.sample(null, "5759e988bd862e3f7fffffffffffffff")).isFalse();
    // The decision is the OpenTelemetry SDK's own, so a service running the SDK decides the same
    // trace alike.
    io.opentelemetry.sdk.trace.samplers.Sampler sdk =
        io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(0.5);
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int i = 0; i < 1000; i++) {
      String traceId =
          io.opentelemetry.api.trace.TraceId.fromLongs(random.nextLong(), random.nextLong());
      boolean theirs =
          sdk.shouldSample(
                      io.opentelemetry.context.Context.root(),
                      traceId,
                      "x",
                      io.opentelemetry.api.trace.SpanKind.SERVER,
                      io.opentelemetry.api.common.Attributes.empty(),
                      java.util.List.of())
                  .getDecision()
              == io.opentelemetry.sdk.trace.samplers.SamplingDecision.RECORD_AND_SAMPLE;
      assertThat(half.sample(null, traceId)).as(traceId).isEqualTo(theirs);
    }
  }

  @Test
  void badRatiosAreClearErrors() {
    assertThatThrownBy(() -> Sampler.of("traceidratio", "1.5"))
        .hasMessageContaining("within [0, 1]");
    assertThatThrownBy(() -> Sampler.of("xray", "lots"))
        .hasMessageContaining("OTEL_TRACES_SAMPLER_ARG");
  }

  @Test
  void unknownSamplerIsAClearError() {
    assertThatThrownBy(() -> Sampler.of("sometimes", null))
        .hasMessageContaining("OTEL_TRACES_SAMPLER");
  }
}
