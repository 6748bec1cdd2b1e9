package dev.trailmark.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.trace.Propagation;
import dev.trailmark.agent.internal.trace.Sampler;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.Tracer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The start and end hooks: which spans they make current, and what is current after them. */
class HooksImplTest {

  private final List<Span> ended = new ArrayList<>();
  private final HooksImpl hooks =
      new HooksImpl(
          new Tracer(Sampler.of("always_on", null), null, List.of(ended::add)),
          new Propagation(List.of("xray", "tracecontext")),
          List.of());

  @AfterEach
  void nothingLeftCurrent() {
    Tracer.restore(null);
    HooksImpl.SUPPRESSED.remove();
  }

  @Test
  void aClientCallInARequestIsCurrentUntilItEndsThenTheRequestIsAgain() {
    Object server = hooks.serverStart(new Object(), "GET", "http://svc/a", "/a", null, null, null);
    Span request = Tracer.current();
    assertThat(request.kind()).isEqualTo(Span.Kind.SERVER);

    Object client = hooks.clientStart(new Object(), "http", "GET", "http://other/b");
    Span call = Tracer.current();
    assertThat(call.kind()).isEqualTo(Span.Kind.CLIENT);
    assertThat(call.localParent()).isSameAs(request);
    assertThat(hooks.clientStart(new Object(), "http", "GET", "http://other/b"))
        .as("an inner HTTP layer of the same call")
        .isNull();

    hooks.clientEnd(client, 503, null);
    assertThat(Tracer.current()).isSameAs(request);
    hooks.serverEnd(server, 200, null);
    assertThat(Tracer.current()).isNull();
    assertThat(ended).containsExactly(call, request);
    assertThat(call.status()).isEqualTo(503);
    assertThat(request.status()).isEqualTo(200);
  }

  @Test
  void aDetachedClientCallOrSendLeavesTheCurrentSpanAlone() {
    Object server = hooks.serverStart(new Object(), "GET", "http://svc/a", "/a", null, null, null);
    Span request = Tracer.current();

    Object client = hooks.clientStartDetached(new Object(), "GET", "http://other/b");
    Object send = hooks.producerStart(new Object(), "kafka", "orders");
    assertThat(Tracer.current()).isSameAs(request);
    IOException closed = new IOException("connection closed");
    hooks.clientEndDetached(client, 0, closed);
    hooks.producerEnd(send, null);
    assertThat(Tracer.current()).isSameAs(request);
    assertThat(ended).hasSize(2);
    assertThat(ended.get(0).kind()).isEqualTo(Span.Kind.CLIENT);
    assertThat(ended.get(0).error()).isSameAs(closed);
    assertThat(ended.get(1).kind()).isEqualTo(Span.Kind.PRODUCER);

    hooks.serverEnd(server, 200, null);
    assertThat(Tracer.current()).isNull();
  }

  @Test
  void aMessageOrAnInvocationIsCurrentUntilItEnds() {
    Object message = hooks.brokerConsumerStart(new Object(), null, null, "kafka", "orders", "0:1");
    assertThat(Tracer.current().kind()).isEqualTo(Span.Kind.CONSUMER);
    hooks.consumerEnd(message);
    assertThat(Tracer.current()).isNull();

    Object invocation = hooks.invocationStart(new Object(), null, "fn", "req-1", true);
    assertThat(Tracer.current().kind()).isEqualTo(Span.Kind.SERVER);
    hooks.serverEnd(invocation, 0, null);
    assertThat(Tracer.current()).isNull();
    assertThat(ended).hasSize(2);
  }

  @Test
  void anUntracedThreadStartsNoSpans() {
    Object token = hooks.untraced();
    try {
      assertThat(hooks.serverStart(new Object(), "GET", "http://svc/a", "/a", null, null, null))
          .isNull();
      assertThat(hooks.clientStart(new Object(), "http", "GET", "http://other/b")).isNull();
      assertThat(hooks.clientStartDetached(new Object(), "GET", "http://other/b")).isNull();
    } finally {
      hooks.traced(token);
    }
    assertThat(Tracer.current()).isNull();
    assertThat(ended).isEmpty();
  }
}
