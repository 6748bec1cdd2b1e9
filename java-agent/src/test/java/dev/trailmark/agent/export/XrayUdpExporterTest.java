package dev.trailmark.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.agent.trace.Span;
import dev.trailmark.agent.trace.TestSpans;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XrayUdpExporterTest {

  private final XraySegmentEncoder encoder = new XraySegmentEncoder("svc", Map.of(), "0.1.0");

  @Test
  void sampledSpansArriveAsDaemonDatagrams() throws Exception {
    try (DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      daemon.setSoTimeout(10_000);
      XrayUdpExporter exporter = new XrayUdpExporter(
          encoder, new InetSocketAddress(InetAddress.getLoopbackAddress(), daemon.getLocalPort()), 1 << 20);
      Span unsampled = TestSpans.unsampled();
      Span sampled = TestSpans.server("http://h/", 200, null);

      exporter.accept(unsampled);
      exporter.accept(sampled);

      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      daemon.receive(packet);
      byte[] data = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
      JsonNode doc = XraySegmentEncoderTest.parseDatagram(data);
      assertThat(doc.get("id").asText()).isEqualTo(sampled.context().spanId());
    }
  }

  @Test
  void fullQueueDropsNewSpansAndCountsThem() {
    Span span = TestSpans.server("http://h/", 200, null);
    int one = encoder.datagram(span).length;
    // A sender that cannot keep up, modelled by the queue alone: offers beyond the bound are refused and counted.
    BoundedQueue queue = new BoundedQueue(3L * one);

    for (int i = 0; i < 5; i++) {
      queue.offer(encoder.datagram(span));
    }

    assertThat(queue.size()).isEqualTo(3);
    assertThat(queue.bytes()).isEqualTo(3L * one);
    assertThat(queue.dropped()).isEqualTo(2);
  }

  @Test
  void queueBoundCountsBytesNotSpans() {
    BoundedQueue queue = new BoundedQueue(100);

    assertThat(queue.offer(new byte[60])).isTrue();
    assertThat(queue.offer(new byte[60])).isFalse();
    assertThat(queue.offer(new byte[40])).isTrue();
    assertThat(queue.dropped()).isEqualTo(1);
  }

  @Test
  void aMissingDaemonCostsCountedFailuresNotErrors() throws Exception {
    int closedPort;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    XrayUdpExporter exporter = new XrayUdpExporter(
        encoder, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort), 1 << 20);
    Span span = TestSpans.server("http://h/", 200, null);

    for (int i = 0; i < 50; i++) {
      exporter.accept(span);
    }

    // Every span is accounted for: sent (UDP cannot tell), or failed once the port-unreachable reply arrived.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> exporter.sent() + exporter.failed() == 50);
    assertThat(exporter.dropped()).isZero();
  }

  @Test
  void recycledDatagramArraysNeverMixSpans() throws Exception {
    try (DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      daemon.setSoTimeout(10_000);
      daemon.setReceiveBufferSize(4 << 20);
      XrayUdpExporter exporter = new XrayUdpExporter(
          encoder, new InetSocketAddress(InetAddress.getLoopbackAddress(), daemon.getLocalPort()), 1 << 20);
      java.util.Set<String> expected = new java.util.HashSet<>();
      java.util.Set<String> received = new java.util.HashSet<>();
      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      // Rounds of spans of different lengths, each round received before the next: the later rounds are
      // written into arrays the earlier ones were sent from.
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
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> exporter.pooled() > 0);
      assertThat(exporter.pooled()).isLessThanOrEqualTo(XrayUdpExporter.POOL_MAX);
    }
  }
}
