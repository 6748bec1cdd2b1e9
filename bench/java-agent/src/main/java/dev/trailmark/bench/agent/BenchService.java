package dev.trailmark.bench.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measured service, shaped like the demo's: {@code /orders} logs a line and calls {@code
 * /stock} of the same server with {@code java.net.http.HttpClient} (one inbound and one outbound
 * span per request when an agent is attached); {@code /_allocated} reports the bytes allocated by
 * all live threads. With {@code BENCH_JDBC_URL} set (the JDBC variant), {@code /orders} also reads
 * the stock from that database with a prepared {@code SELECT} on its worker thread's connection (as
 * a pool would hand out), one database span more per request.
 */
public final class BenchService {

  private static final Logger log = LoggerFactory.getLogger(BenchService.class);

  public static void main(String[] args) throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 256);
    HttpClient client = HttpClient.newHttpClient();
    URI stock = URI.create("http://127.0.0.1:" + args[0] + "/stock");
    String jdbcUrl = System.getenv("BENCH_JDBC_URL");
    ThreadLocal<PreparedStatement> query =
        ThreadLocal.withInitial(
            () -> {
              try {
                return DriverManager.getConnection(jdbcUrl)
                    .prepareStatement("SELECT quantity FROM stock WHERE sku = ?");
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    server.createContext(
        "/orders",
        exchange -> {
          try {
            log.info("order {}", exchange.getRequestURI().getPath());
            HttpResponse<String> r =
                client.send(
                    HttpRequest.newBuilder(stock).build(), HttpResponse.BodyHandlers.ofString());
            String body = r.body();
            if (jdbcUrl != null) {
              PreparedStatement select = query.get();
              select.setString(1, "sku-" + (exchange.getRequestURI().getPath().length() % 10));
              try (ResultSet rows = select.executeQuery()) {
                body = rows.next() ? Integer.toString(rows.getInt(1)) : "0";
              }
            }
            reply(exchange, 200, "{\"order\":\"ok\",\"stock\":" + body + "}");
          } catch (Exception e) {
            reply(exchange, 500, "{\"error\":\"" + e + "\"}");
          }
        });
    server.createContext("/stock", exchange -> reply(exchange, 200, "42"));
    server.createContext(
        "/_allocated", exchange -> reply(exchange, 200, Long.toString(allocated())));
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static long allocated() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(bytes, 0);
    }
    return total;
  }
}
