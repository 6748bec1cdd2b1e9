package dev.trailmark.bench.shipper;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A CloudWatch Logs endpoint that accepts every request and keeps nothing: the contender that ships
 * to it measures the appender's own cost without the collector and OpenSearch sharing the
 * benchmark's cores.
 */
final class StubEndpoint implements AutoCloseable {
  private static final byte[] OK = "{}".getBytes(StandardCharsets.US_ASCII);
  private final HttpServer server;

  StubEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
          exchange.sendResponseHeaders(200, OK.length);
          exchange.getResponseBody().write(OK);
          exchange.close();
        });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
