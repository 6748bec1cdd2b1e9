package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.sink.SinkBusyException;
import dev.trailmark.collector.internal.traces.SpanDocuments;
import dev.trailmark.collector.internal.traces.TraceAssembler;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * X-Ray: the daemon's UDP protocol (a {@code {"format":"json","version":1}} line, then one segment
 * document of at most 64 KB per datagram) and the {@code PutTraceSegments} HTTP API, both stored as
 * Data Prepper spans.
 */
final class XRayApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(XRayApi.class);
  static final String PATH = "/TraceSegments";
  static final int MAX_DATAGRAM = 64 * 1024;
  private static final int FLUSH_SPANS = 500;
  private static final long FLUSH_NANOS = 200_000_000L;

  private final OpenSearchSink sink;
  private final Stats stats;
  private final TraceAssembler assembler;
  private DatagramSocket socket;
  private Thread receiver;
  private volatile boolean running = true;

  XRayApi(OpenSearchSink sink, Stats stats, TraceAssembler assembler) {
    this.sink = sink;
    this.stats = stats;
    this.assembler = assembler;
  }

  /**
   * {@code PutTraceSegments}: every valid document is stored before the answer; invalid ones are
   * listed.
   */
  ObjectNode putTraceSegments(JsonNode request) throws AwsException, IOException {
    JsonNode documents = Fields.requiredArray(request, "TraceSegmentDocuments");
    List<ObjectNode> spans = new ArrayList<>();
    ObjectNode response = Json.object();
    ArrayNode unprocessed = response.putArray("UnprocessedTraceSegments");
    for (JsonNode d : documents) {
      String id = null;
      try {
        if (!d.isTextual()) {
          throw new IllegalArgumentException("a trace segment document must be a string");
        }
        JsonNode segment = Json.MAPPER.readTree(d.asText());
        id = segment == null ? null : segment.path("id").asText(null);
        spans.addAll(SpanDocuments.fromXRay(segment));
      } catch (IOException | IllegalArgumentException e) {
        ObjectNode u = unprocessed.addObject();
        if (id != null) {
          u.put("Id", id);
        }
        u.put("ErrorCode", "InvalidSegment").put("Message", e.getMessage());
        stats.rejected("xray.invalidSegment", 1);
      }
    }
    DocumentBatch batch = new DocumentBatch();
    assembler.add(spans, sink.indexPrefix(), batch);
    try {
      sink.write(batch);
    } catch (SinkBusyException e) {
      throw CloudWatchLogsApi.busy(e);
    }
    stats.accepted("xray", spans.size());
    return response;
  }

  /** Starts the UDP daemon port; {@code port} 0 picks a free one, negative disables it. */
  void startUdp(String bindAddress, int port) throws IOException {
    if (port < 0) {
      return;
    }
    socket = new DatagramSocket(new InetSocketAddress(bindAddress, port));
    socket.setSoTimeout(50);
    socket.setReceiveBufferSize(4 * 1024 * 1024);
    receiver = new Thread(this::receive, "trailmark-xray-udp");
    receiver.setDaemon(true);
    receiver.start();
  }

  int udpPort() {
    return socket == null ? -1 : socket.getLocalPort();
  }

  private void receive() {
    byte[] buffer = new byte[MAX_DATAGRAM + 1];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    List<ObjectNode> pending = new ArrayList<>();
    long firstPending = 0;
    while (running) {
      try {
        packet.setLength(buffer.length);
        socket.receive(packet);
        stats.request();
        List<ObjectNode> spans = parseDatagram(packet.getData(), packet.getLength());
        if (spans != null && !spans.isEmpty()) {
          if (pending.isEmpty()) {
            firstPending = System.nanoTime();
          }
          pending.addAll(spans);
        }
      } catch (SocketTimeoutException e) {
        // idle: flush below
      } catch (IOException e) {
        if (running) {
          log.warn("X-Ray UDP receive failed: {}", e.toString());
        }
      }
      if (!pending.isEmpty()
          && (pending.size() >= FLUSH_SPANS || System.nanoTime() - firstPending > FLUSH_NANOS)) {
        flush(pending);
        pending = new ArrayList<>();
      }
    }
    if (!pending.isEmpty()) {
      flush(pending);
    }
  }

  /** The spans of one datagram, or null (counted) when it is not a daemon-protocol document. */
  List<ObjectNode> parseDatagram(byte[] data, int length) {
    if (length > MAX_DATAGRAM) {
      stats.rejected("xray.udp.tooLarge", 1);
      return null;
    }
    String text = new String(data, 0, length, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    try {
      if (newline < 0) {
        throw new IllegalArgumentException("no header line");
      }
      JsonNode header = Json.MAPPER.readTree(text.substring(0, newline));
      if (header == null
          || !"json".equals(header.path("format").asText())
          || header.path("version").asInt() != 1) {
        throw new IllegalArgumentException("header must be {\"format\":\"json\",\"version\":1}");
      }
      return SpanDocuments.fromXRay(Json.MAPPER.readTree(text.substring(newline + 1)));
    } catch (IOException | IllegalArgumentException e) {
      stats.rejected("xray.udp.malformed", 1);
      log.debug("dropping malformed X-Ray datagram: {}", e.getMessage());
      return null;
    }
  }

  private void flush(List<ObjectNode> spans) {
    DocumentBatch batch = new DocumentBatch();
    assembler.add(spans, sink.indexPrefix(), batch);
    try {
      sink.write(batch);
      stats.accepted("xray", spans.size());
    } catch (SinkBusyException | IOException e) {
      // UDP has no way to ask the sender to retry: count the loss, as the X-Ray daemon does.
      stats.rejected("xray.udp.dropped", spans.size());
      log.warn("dropping {} X-Ray spans: {}", spans.size(), e.getMessage());
    }
  }

  @Override
  public void close() {
    running = false;
    if (receiver != null) {
      try {
        receiver.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (socket != null) {
      socket.close();
    }
  }
}
