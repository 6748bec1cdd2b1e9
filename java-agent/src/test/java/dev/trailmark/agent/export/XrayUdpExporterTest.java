package dev.trailmark.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.agent.trace.Span;
import dev.trailmark.agent.trace.TestSpans;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class XrayUdpExporterTest {

  private static final Runnable NOTHING = () -> { };

  private final XraySegmentEncoder encoder = new XraySegmentEncoder("svc", Map.of(), "0.1.0");

  private BatchingSpanExporter exporterTo(int port, long queueBytes) {
    return new BatchingSpanExporter("xray",
        new XrayUdpExporter(encoder, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), queueBytes, NOTHING);
  }

  @Test
  void sampledSpansArriveAsDaemonDatagramsAndUnsampledOnesDoNot() throws Exception {
    try (DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      daemon.setSoTimeout(10_000);
      BatchingSpanExporter exporter = exporterTo(daemon.getLocalPort(), 1 << 20);
      Span unsampled = TestSpans.unsampled();
      Span sampled = TestSpans.server("http://h/", 200, null);

      exporter.accept(unsampled);
      exporter.accept(sampled);

      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      daemon.receive(packet);
      byte[] data = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
      JsonNode doc = XraySegmentEncoderTest.parseDatagram(data);
      assertThat(doc.get("id").asText()).isEqualTo(sampled.context().spanId());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> exporter.exported() == 1);
    }
  }

  @Test
  void manySpansOfDifferentSizesArriveEachInItsOwnIntactDatagram() throws Exception {
    try (DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      daemon.setSoTimeout(10_000);
      daemon.setReceiveBufferSize(4 << 20);
      BatchingSpanExporter exporter = exporterTo(daemon.getLocalPort(), 1 << 20);
      Set<String> expected = new HashSet<>();
      Set<String> received = new HashSet<>();
      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      // Rounds of spans of different lengths, each round received before the next: every datagram is
      // written into the buffer the previous, longer or shorter, one was sent from.
      for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 20; i++) {
          Span span = TestSpans.server("http://h/" + "p".repeat((round * 20 + i) % 7 * 40), 200, null);
          expected.add(span.context().spanId());
          exporter.accept(span);
        }
        for (int i = 0; i < 20; i++) {
          daemon.receive(packet);
          JsonNode doc = XraySegmentEncoderTest.parseDatagram(
              java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
          received.add(doc.get("id").asText());
          assertThat(doc.at("/http/request/url").asText()).matches("http://h/p*");
        }
      }
      assertThat(received).isEqualTo(expected);
    }
  }

  @Test
  void fullQueueDropsNewSpansAndCountsThem() {
    Span span = TestSpans.server("http://h/", 200, null);
    long one = BatchingSpanExporter.estimatedBytes(span);
    // No sender started: the queue alone, as when the sender cannot keep up.
    BoundedQueue<Span> queue = new BoundedQueue<>(3 * one, BatchingSpanExporter::estimatedBytes);

    for (int i = 0; i < 5; i++) {
      queue.offer(span);
    }

    assertThat(queue.size()).isEqualTo(3);
    assertThat(queue.bytes()).isEqualTo(3 * one);
    assertThat(queue.dropped()).isEqualTo(2);
  }

  @Test
  void queueBoundCountsBytesNotSpans() {
    BoundedQueue<byte[]> queue = new BoundedQueue<>(100, b -> b.length);

    assertThat(queue.offer(new byte[60])).isTrue();
    assertThat(queue.offer(new byte[60])).isFalse();
    assertThat(queue.offer(new byte[40])).isTrue();
    assertThat(queue.dropped()).isEqualTo(1);
    java.util.List<byte[]> drained = new java.util.ArrayList<>();
    assertThat(queue.drainTo(drained, 10)).isEqualTo(2);
    assertThat(queue.bytes()).isZero();
    assertThat(queue.offer(new byte[100])).as("room again once drained").isTrue();
  }

  @Test
  void aLongerSpanWeighsMore() {
    Span small = TestSpans.server("http://h/", 200, null);
    Span big = TestSpans.server("http://h/" + "p".repeat(10_000), 200, null);
    assertThat(BatchingSpanExporter.estimatedBytes(big)).isGreaterThan(BatchingSpanExporter.estimatedBytes(small) + 19_000);
  }

  @Test
  void aMissingDaemonCostsCountedFailuresNotErrors() throws Exception {
    int closedPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    BatchingSpanExporter exporter = exporterTo(closedPort, 1 << 20);
    Span span = TestSpans.server("http://h/", 200, null);

    for (int i = 0; i < 50; i++) {
      exporter.accept(span);
    }

    // Every span is accounted for: exported (UDP cannot tell), or failed once the port-unreachable reply arrived.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> exporter.exported() + exporter.failed() == 50);
    assertThat(exporter.dropped()).isZero();
  }

  @Test
  void anExporterThatThrowsCostsItsBatchNotTheSender() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    io.opentelemetry.sdk.trace.export.SpanExporter throwing = new io.opentelemetry.sdk.trace.export.SpanExporter() {
      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode export(
          java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("bug");
        }
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }

      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode flush() {
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }

      @Override
      public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
        return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
      }
    };
    BatchingSpanExporter exporter = new BatchingSpanExporter("test", throwing, 1 << 20, NOTHING);

    exporter.accept(TestSpans.server("http://h/", 200, null));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> exporter.failed() == 1);
    exporter.accept(TestSpans.server("http://h/", 200, null));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> exporter.exported() == 1);
  }

  @Test
  void theSenderWakesWhenAQuarterOfTheBoundIsQueuedNotPerItem() throws Exception {
    BoundedQueue<byte[]> queue = new BoundedQueue<>(400, b -> b.length);
    java.util.concurrent.CountDownLatch woke = new java.util.concurrent.CountDownLatch(1);
    Thread sender = new Thread(() -> {
      try {
        queue.awaitBatch(60, java.util.concurrent.TimeUnit.SECONDS);
        woke.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    sender.start();

    queue.offer(new byte[50]);
    assertThat(woke.await(300, java.util.concurrent.TimeUnit.MILLISECONDS)).as("50 of 400 bytes: no wake-up").isFalse();
    queue.offer(new byte[50]);
    assertThat(woke.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("a quarter queued: woken").isTrue();
    sender.join();
  }
}
