package dev.trailmark.agent.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.TestSpans;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class XrayUdpExporterTest {

  private static final Runnable NOTHING = () -> {};

  private final XraySegmentEncoder encoder = new XraySegmentEncoder("svc", Map.of(), "0.1.0");

  private BatchingSpanExporter exporterTo(int port, long queueBytes) {
    return new BatchingSpanExporter("xray", udpExporterTo(port), queueBytes, NOTHING);
  }

  private XrayUdpExporter udpExporterTo(int port) {
    return new XrayUdpExporter(
        encoder, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** A stand-in X-Ray daemon: a loopback socket that waits up to ten seconds for a datagram. */
  private static DatagramSocket daemon() throws SocketException {
    DatagramSocket daemon = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    daemon.setSoTimeout(10_000);
    return daemon;
  }

  /** Waits for the next datagram the daemon receives and parses it. */
  private static JsonNode receive(DatagramSocket daemon, DatagramPacket packet) throws Exception {
    daemon.receive(packet);
    return XraySegmentEncoderTest.parseDatagram(
        Arrays.copyOf(packet.getData(), packet.getLength()));
  }

  @Test
  void sampledSpansArriveAsDaemonDatagramsAndUnsampledOnesDoNot() throws Exception {
    try (DatagramSocket daemon = daemon()) {
      BatchingSpanExporter exporter = exporterTo(daemon.getLocalPort(), 1 << 20);
      Span unsampled = TestSpans.unsampled();
      Span sampled = TestSpans.server("http://h/", 200, null);

      exporter.accept(unsampled);
      exporter.accept(sampled);

      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      JsonNode doc = receive(daemon, packet);
      assertThat(doc.get("id").asText()).isEqualTo(sampled.context().spanId());
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> exporter.exported() == 1);
    }
  }

  @Test
  void manySpansOfDifferentSizesArriveEachInItsOwnIntactDatagram() throws Exception {
    try (DatagramSocket daemon = daemon()) {
      daemon.setReceiveBufferSize(4 << 20);
      BatchingSpanExporter exporter = exporterTo(daemon.getLocalPort(), 1 << 20);
      Set<String> expected = new HashSet<>();
      Set<String> received = new HashSet<>();
      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      // Rounds of spans of different lengths, each round received before the next: every datagram
      // is
      // written into the buffer the previous, longer or shorter, one was sent from.
      for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 20; i++) {
          Span span =
              TestSpans.server("http://h/" + "p".repeat((round * 20 + i) % 7 * 40), 200, null);
          expected.add(span.context().spanId());
          exporter.accept(span);
        }
        for (int i = 0; i < 20; i++) {
          JsonNode doc = receive(daemon, packet);
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
    assertThat(BatchingSpanExporter.estimatedBytes(big))
        .isGreaterThan(BatchingSpanExporter.estimatedBytes(small) + 19_000);
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

    // Every span is accounted for: exported (UDP cannot tell), or failed once the port-unreachable
    // reply arrived.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> exporter.exported() + exporter.failed() == 50);
    assertThat(exporter.dropped()).isZero();
  }

  @Test
  void anExporterThatThrowsCostsItsBatchNotTheSender() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    SpanExporter throwing =
        TestExporters.exporter(
            spans -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("bug");
              }
            },
            NOTHING);
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
    Thread sender =
        new Thread(
            () -> {
              try {
                queue.awaitBatch(60, java.util.concurrent.TimeUnit.SECONDS);
                woke.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    sender.start();

    queue.offer(new byte[50]);
    assertThat(woke.await(300, java.util.concurrent.TimeUnit.MILLISECONDS))
        .as("50 of 400 bytes: no wake-up")
        .isFalse();
    queue.offer(new byte[50]);
    assertThat(woke.await(10, java.util.concurrent.TimeUnit.SECONDS))
        .as("a quarter queued: woken")
        .isTrue();
    sender.join();
  }

  @Test
  void callsExportedWithTheirRequestTravelInsideItsSegmentAndOthersOnTheirOwn() throws Exception {
    try (DatagramSocket daemon = daemon()) {
      XrayUdpExporter exporter = udpExporterTo(daemon.getLocalPort());
      Span server = TestSpans.server("http://h/orders", 200, "/orders");
      Span call = TestSpans.clientUnder(server, "http://stock:8080/stock", 200, null);
      Span failed = TestSpans.clientUnder(server, "http://pay:8080/pay", 503, null);
      Span otherServer = TestSpans.server("http://h/other", 200, null);
      Span orphan =
          TestSpans.clientUnder(
              otherServer, "http://x:1/", 200, null); // its segment was in another batch

      assertThat(exporter.export(java.util.List.of(call, failed, orphan, server)).isSuccess())
          .isTrue();

      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      java.util.List<JsonNode> docs = new java.util.ArrayList<>();
      for (int i = 0; i < 2; i++) {
        docs.add(receive(daemon, packet));
      }
      JsonNode segment = docs.stream().filter(d -> !d.has("type")).findFirst().orElseThrow();
      JsonNode independent = docs.stream().filter(d -> d.has("type")).findFirst().orElseThrow();
      assertThat(segment.get("id").asText()).isEqualTo(server.context().spanId());
      assertThat(segment.get("subsegments")).hasSize(2);
      assertThat(segment.at("/subsegments/0/id").asText()).isEqualTo(call.context().spanId());
      assertThat(segment.at("/subsegments/0/name").asText()).isEqualTo("stock:8080");
      assertThat(segment.at("/subsegments/0/namespace").asText()).isEqualTo("remote");
      assertThat(segment.at("/subsegments/0").has("trace_id")).as("given by the segment").isFalse();
      assertThat(segment.at("/subsegments/1/fault").asBoolean()).isTrue();
      assertThat(independent.get("id").asText()).isEqualTo(orphan.context().spanId());
      assertThat(independent.get("parent_id").asText()).isEqualTo(otherServer.context().spanId());
    }
  }

  @Test
  void aSegmentTooBigWithItsCallsIsSentApartFromThem() throws Exception {
    try (DatagramSocket daemon = daemon()) {
      XrayUdpExporter exporter = udpExporterTo(daemon.getLocalPort());
      Span server = TestSpans.server("http://h/", 200, null);
      java.util.List<SpanData> batch = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) { // 40 calls with 2,000-character URLs: over 64 KB together
        batch.add(TestSpans.clientUnder(server, "http://h/" + "p".repeat(2000), 200, null));
      }
      batch.add(server);

      exporter.export(batch);

      DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
      int received = 0;
      for (int i = 0; i < 41; i++) {
        JsonNode doc = receive(daemon, packet);
        assertThat(doc.has("subsegments")).isFalse();
        received++;
      }
      assertThat(received).isEqualTo(41);
    }
  }

  @Test
  void whatIsQueuedAtExitIsExportedAndTheExporterShutDown() {
    java.util.List<String> exported =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean shutDown =
        new java.util.concurrent.atomic.AtomicBoolean();
    SpanExporter recording =
        TestExporters.exporter(
            spans -> spans.forEach(span -> exported.add(span.getSpanId())),
            () -> shutDown.set(true));
    BatchingSpanExporter exporter = new BatchingSpanExporter("test", recording, 1 << 20, NOTHING);
    java.util.List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 1200; i++) { // more than two batches
      Span span = TestSpans.server("http://h/" + i, 200, null);
      expected.add(span.context().spanId());
      exporter.accept(span);
    }

    exporter.flushAtExit(); // what the shutdown hook runs, racing with the sender thread

    assertThat(exported).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(exporter.exported()).isEqualTo(1200);
    assertThat(shutDown).isTrue();
  }
}
