package dev.trailmark.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the three demo services, chosen by name: {@code frontend} calls {@code orders}, which
 * calls {@code inventory}. Plain JDK server and client, Logback logging and no tracing code at all:
 * the agent supplies the correlation ids.
 *
 * <p>Usage: {@code DemoService NAME PORT [DOWNSTREAM_URL]}.
 */
public final class DemoService {
  private static final Logger log = LoggerFactory.getLogger(DemoService.class);
  private static final Logger access = LoggerFactory.getLogger("access");

  private final String name;
  private final URI downstream;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DemoService(String name, URI downstream) {
    this.name = name;
    this.downstream = downstream;
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: DemoService frontend|orders|inventory PORT [DOWNSTREAM_URL]");
      System.exit(2);
    }
    DemoService service = new DemoService(args[0], args.length > 2 ? URI.create(args[2]) : null);
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])), 64);
    ExecutorService workers = Executors.newFixedThreadPool(8);
    server.setExecutor(workers);
    server.createContext("/", service::handle);
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(0);
                  workers.shutdown();
                  try {
                    workers.awaitTermination(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  log.info("{} stopped", service.name);
                },
                "demo-stop"));
    log.info("{} listening on port {}", service.name, server.getAddress().getPort());
    // The orchestrator waits for this line on standard output.
    System.out.println("READY " + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String path = exchange.getRequestURI().getPath();
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    int status;
    String body;
    try {
      if (path.equals("/health")) {
        status = 200;
        body = "{\"status\":\"up\"}";
      } else {
        String[] result = route(path, query);
        status = Integer.parseInt(result[0]);
        body = result[1];
      }
    } catch (Exception e) {
      log.error("request {} failed", path, e);
      status = 500;
      body = "{\"error\":\"" + e.getClass().getSimpleName() + "\"}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
    if (!path.equals("/health")) {
      access.info(
          "{} {} {} {}ms",
          exchange.getRequestMethod(),
          path,
          status,
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** Returns {status, body}. */
  private String[] route(String path, Map<String, String> query)
      throws IOException, InterruptedException {
    String request = query.getOrDefault("request", "-");
    String sku = query.getOrDefault("sku", "sku-1");
    switch (name) {
      case "frontend" -> {
        if (!path.equals("/checkout")) {
          return new String[] {"404", "{\"error\":\"no route\"}"};
        }
        log.info("checkout started request={} sku={}", request, sku);
        HttpResponse<String> order = call("/orders?sku=" + sku + "&request=" + request);
        return new String[] {Integer.toString(order.statusCode()), order.body()};
      }
      case "orders" -> {
        if (!path.equals("/orders")) {
          return new String[] {"404", "{\"error\":\"no route\"}"};
        }
        HttpResponse<String> stock = call("/stock/" + sku + "?request=" + request);
        if (stock.statusCode() != 200) {
          log.warn(
              "order rejected request={} sku={} inventory answered {}",
              request,
              sku,
              stock.statusCode());
          return new String[] {"409", "{\"order\":\"rejected\"}"};
        }
        log.info("order placed request={} sku={}", request, sku);
        return new String[] {"201", "{\"order\":\"placed\",\"sku\":\"" + sku + "\"}"};
      }
      case "inventory" -> {
        if (!path.startsWith("/stock/")) {
          return new String[] {"404", "{\"error\":\"no route\"}"};
        }
        String item = path.substring("/stock/".length());
        if (item.equals("boom")) {
          // The demo's burst of failures: the error log lines the alert rule watches.
          throw new IllegalStateException("inventory store unavailable for " + item);
        }
        if (item.endsWith("7")) {
          log.warn("low stock request={} sku={}", request, item);
          return new String[] {"404", "{\"stock\":0}"};
        }
        log.info("stock checked request={} sku={}", request, item);
        return new String[] {"200", "{\"stock\":" + (item.length() * 7) + "}"};
      }
      default -> throw new IllegalStateException("unknown demo service " + name);
    }
  }

  private HttpResponse<String> call(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(downstream.resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            pair.substring(0, eq),
            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
