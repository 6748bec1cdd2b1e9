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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * One of the four demo services, chosen by name: {@code frontend} calls {@code orders}, which calls
 * {@code inventory} (which reads its stock from a database over JDBC) and then sends an
 * order-placed message to an SQS queue that {@code shipping} consumes. Plain JDK server and client,
 * JDBC, the AWS SDK, Logback logging and no tracing code at all: the agent supplies the correlation
 * ids and the spans of every hop.
 *
 * <p>Usage: {@code DemoService NAME PORT [DOWNSTREAM_URL]}; the queue comes from {@code
 * TRAILMARK_DEMO_SQS_ENDPOINT} and {@code TRAILMARK_DEMO_QUEUE_URL}.
 */
public final class DemoService {
  private static final Logger log = LoggerFactory.getLogger(DemoService.class);
  private static final Logger access = LoggerFactory.getLogger("access");

  /**
   * The inventory's stock table: an in-memory H2 database inside the inventory JVM, so the demo
   * needs no database server, while every read is a real JDBC query the agent sees.
   */
  static final String STOCK_DB = "jdbc:h2:mem:stock;DB_CLOSE_DELAY=-1";

  /** The sku the stock table holds none of (one checkout in ten asks for it). */
  static final String OUT_OF_STOCK = "sku-7";

  private final String name;
  private final URI downstream;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final SqsClient sqs;
  private final String queueUrl;

  private DemoService(String name, URI downstream) {
    this.name = name;
    this.downstream = downstream;
    String endpoint = System.getenv("TRAILMARK_DEMO_SQS_ENDPOINT");
    this.queueUrl = System.getenv("TRAILMARK_DEMO_QUEUE_URL");
    this.sqs =
        endpoint == null || queueUrl == null
            ? null
            : SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .build();
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println(
          "usage: DemoService frontend|orders|inventory|shipping PORT [DOWNSTREAM_URL]");
      System.exit(2);
    }
    DemoService service = new DemoService(args[0], args.length > 2 ? URI.create(args[2]) : null);
    if (service.name.equals("inventory")) {
      createStock();
    }
    if (service.name.equals("shipping")) {
      service.startShipping();
    }
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
        if (sqs != null) {
          // The order-placed event: shipping picks it up from the queue, in this request's trace.
          sqs.sendMessage(
              b -> b.queueUrl(queueUrl).messageBody("request=" + request + " sku=" + sku));
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
        int quantity = quantity(item);
        if (quantity <= 0) {
          log.warn("low stock request={} sku={}", request, item);
          return new String[] {"404", "{\"stock\":0}"};
        }
        log.info("stock checked request={} sku={}", request, item);
        return new String[] {"200", "{\"stock\":" + quantity + "}"};
      }
      case "shipping" -> {
        return new String[] {"404", "{\"error\":\"shipping reads its queue; no routes\"}"};
      }
      default -> throw new IllegalStateException("unknown demo service " + name);
    }
  }

  /** Creates and fills the stock table: every demo sku in stock but one. */
  private static void createStock() {
    try (Connection db = DriverManager.getConnection(STOCK_DB);
        Statement statement = db.createStatement()) {
      statement.execute("CREATE TABLE stock (sku VARCHAR(64) PRIMARY KEY, quantity INT NOT NULL)");
      for (int i = 0; i < 10; i++) {
        String sku = "sku-" + i;
        statement.execute(
            "INSERT INTO stock VALUES ('"
                + sku
                + "', "
                + (sku.equals(OUT_OF_STOCK) ? 0 : 35)
                + ")");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the inventory's stock table", e);
    }
  }

  /** The quantity in stock of {@code sku} (0 when the table does not know it): one JDBC query. */
  private static int quantity(String sku) {
    try (Connection db = DriverManager.getConnection(STOCK_DB);
        PreparedStatement query = db.prepareStatement("SELECT quantity FROM stock WHERE sku = ?")) {
      query.setString(1, sku);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getInt(1) : 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("stock query failed for " + sku, e);
    }
  }

  /**
   * Shipping consumes the order-placed messages: one long-polling thread, each message logged and
   * deleted. The agent continues each message's producer trace while the loop processes it.
   */
  private void startShipping() {
    if (sqs == null) {
      throw new IllegalStateException(
          "shipping needs TRAILMARK_DEMO_SQS_ENDPOINT and TRAILMARK_DEMO_QUEUE_URL");
    }
    Thread poller =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  ReceiveMessageResponse answer =
                      sqs.receiveMessage(
                          b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1));
                  for (Message message : answer.messages()) {
                    log.info("shipment prepared {}", message.body());
                    sqs.deleteMessage(
                        b -> b.queueUrl(queueUrl).receiptHandle(message.receiptHandle()));
                  }
                } catch (RuntimeException e) {
                  log.error("shipping poll failed", e);
                  try {
                    Thread.sleep(500);
                  } catch (InterruptedException stop) {
                    return;
                  }
                }
              }
            },
            "shipping-poller");
    poller.setDaemon(true);
    poller.start();
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
