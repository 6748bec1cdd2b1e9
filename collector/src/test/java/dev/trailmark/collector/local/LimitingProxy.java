package dev.trailmark.collector.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of the shared OpenSearch that answers {@code _bulk} requests larger than a
 * limit with 413 (as OpenSearch does past {@code http.max_content_length}) and can hold the next
 * bulk requests for a while (an OpenSearch busy indexing); everything else passes through
 * unchanged.
 */
final class LimitingProxy implements AutoCloseable {

  private final URI target;
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private volatile int maxBulkBytes = Integer.MAX_VALUE;
  private final AtomicInteger slowBulks = new AtomicInteger();
  private volatile long slowMillis;
  final AtomicInteger tooLarge = new AtomicInteger();

  LimitingProxy(URI target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "limiting-proxy");
              t.setDaemon(true);
              return t;
            }));
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Bulk bodies above this many bytes get 413. */
  void maxBulkBytes(int bytes) {
    maxBulkBytes = bytes;
  }

  /** The next {@code count} bulk requests are answered only after {@code millis}. */
  void slowBulks(int count, long millis) {
    slowMillis = millis;
    slowBulks.set(count);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      boolean bulk = exchange.getRequestURI().getPath().endsWith("/_bulk");
      if (bulk && body.length > maxBulkBytes) {
        tooLarge.incrementAndGet();
        byte[] answer = "{\"error\":\"content too long\",\"status\":413}".getBytes();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(413, answer.length);
        exchange.getResponseBody().write(answer);
        return;
      }
      if (bulk && slowBulks.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        Thread.sleep(slowMillis);
      }
      URI uri = target.resolve(exchange.getRequestURI().toString());
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (type != null) {
        request.header("Content-Type", type);
      }
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      response
          .headers()
          .firstValue("Content-Type")
          .ifPresent(t -> exchange.getResponseHeaders().set("Content-Type", t));
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
