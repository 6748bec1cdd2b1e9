package dev.trailmark.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the X-Ray daemon: receives datagrams on an ephemeral loopback port and parses them;
 * a segment's embedded subsegments are also listed on their own, with the trace and parent they
 * have there.
 */
final class UdpDaemon implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DatagramSocket socket;
  private final List<JsonNode> documents = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final Thread receiver;
  private int embedded;

  UdpDaemon() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    receiver = new Thread(this::receive, "udp-daemon");
    receiver.setDaemon(true);
    receiver.start();
  }

  /**
   * An X-Ray trace id's root stamped with the current second, ending in the test's own {@code
   * random} (24 hex digits) so that each trace it starts can be told apart.
   */
  static String traceRoot(String random) {
    return "1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-" + random;
  }

  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  private void receive() {
    byte[] buffer = new byte[65536];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        String text = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        JsonNode header = JSON.readTree(text.substring(0, newline));
        JsonNode doc = JSON.readTree(text.substring(newline + 1));
        synchronized (this) {
          if (!"json".equals(header.path("format").asText())
              || header.path("version").asInt() != 1) {
            errors.add("bad header: " + text);
          }
          documents.add(doc);
          // Embedded subsegments, as X-Ray reads them: each a subsegment of this trace under this
          // segment.
          for (JsonNode sub : doc.path("subsegments")) {
            com.fasterxml.jackson.databind.node.ObjectNode flat =
                ((com.fasterxml.jackson.databind.node.ObjectNode) sub).deepCopy();
            flat.put("type", "subsegment");
            flat.put("trace_id", doc.path("trace_id").asText());
            flat.put("parent_id", doc.path("id").asText());
            documents.add(flat);
            embedded++;
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!socket.isClosed()) {
          synchronized (this) {
            errors.add(e.toString());
          }
        }
      }
    }
  }

  synchronized List<JsonNode> documents() {
    return new ArrayList<>(documents);
  }

  /**
   * Subsegments that arrived inside their segment (they are also in {@link #documents()},
   * flattened).
   */
  synchronized int embeddedSubsegments() {
    return embedded;
  }

  synchronized List<String> errors() {
    return new ArrayList<>(errors);
  }

  synchronized List<JsonNode> documentsOfTrace(String xrayTraceId) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode doc : documents) {
      if (xrayTraceId.equals(doc.path("trace_id").asText())) {
        out.add(doc);
      }
    }
    return out;
  }

  @Override
  public void close() {
    socket.close();
  }
}
