package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka producer and consumer spans: kind, parentage, name and messaging attributes. */
class KafkaSpanTest {

  private final Tracer tracer = new Tracer(Sampler.of("always_on", null), null, List.of());

  @Test
  void aSendIsAProducerSpanUnderTheCurrentSpanAndItsRecordsProcessingContinuesIt() {
    Span server = tracer.startServer(new Object(), null, "POST", "http://svc/orders", "/orders");
    Span previous = Tracer.makeCurrent(server);
    Span send;
    try {
      send = tracer.startProducer(new Object(), "kafka", "orders");
    } finally {
      Tracer.restore(previous);
    }
    tracer.end(send);
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(send.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(send.getName()).isEqualTo("orders publish");
    assertThat(send.getAttributes().get(SpanAttributes.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(send.getAttributes().get(SpanAttributes.MESSAGING_OPERATION)).isEqualTo("publish");
    assertThat(send.getAttributes().get(SpanAttributes.MESSAGING_DESTINATION)).isEqualTo("orders");

    Span process =
        tracer.startBrokerConsumer(new Object(), send.context(), "kafka", "orders", "0:42");
    tracer.end(process);
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(server.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getName()).isEqualTo("orders process");
    assertThat(process.getAttributes().get(SpanAttributes.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(process.getAttributes().get(SpanAttributes.MESSAGING_OPERATION))
        .isEqualTo("process");
    assertThat(process.getAttributes().get(SpanAttributes.MESSAGING_MESSAGE_ID)).isEqualTo("0:42");
    assertThat(process.getAttributes().get(SpanAttributes.AWS_QUEUE_URL)).isNull();
    assertThat(process.queueUrl()).as("not an SQS queue: no aws.queue_url in X-Ray").isNull();
  }

  @Test
  void aSendOutsideAnyTraceHasNoSpan() {
    assertThat(tracer.startProducer(new Object(), "kafka", "orders")).isNull();
  }
}
