package dev.trailmark.agent.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The Lambda Runtime API on loopback, as the Lambda service serves it to a function's runtime: it
 * hands out the invocations queued by the test ({@code /invocation/next}, with the request id and
 * the {@code Lambda-Runtime-Trace-Id} header) and takes their responses and errors. When a report
 * arrives it freezes the function's process (SIGSTOP) as Lambda does once an invocation has
 * answered, and records whether the invocation's spans had reached the daemon regardless; then it
 * thaws the process. {@code /echo/<id>} answers the {@code X-Amzn-Trace-Id} a function's call sent.
 */
final class FakeLambdaRuntime implements AutoCloseable {

  /** One event to hand to the function. */
  record Invocation(String id, String traceHeader, String body) {}

  /** What the function reported for one invocation. */
  record Report(String id, String kind, String body, boolean spansSentBefore) {}

  private final HttpServer server;
  private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> given = new ConcurrentHashMap<>();
  private final List<Report> reports = new ArrayList<>();
  private final List<String> echoes = new ArrayList<>();
  private volatile long pid;
  private volatile Predicate<Invocation> spansArrived;

  FakeLambdaRuntime() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/2018-06-01/runtime/invocation/", this::invocation);
    server.createContext("/2018-06-01/runtime/init/error", this::initError);
    server.createContext("/echo/", this::echo);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  /** {@code host:port}, what {@code AWS_LAMBDA_RUNTIME_API} says. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void add(Invocation invocation) {
    pending.add(invocation);
  }

  /** Freezes process {@code pid} at each report and asks {@code spansArrived} meanwhile. */
  void freezeOnReport(long pid, Predicate<Invocation> spansArrived) {
    this.pid = pid;
    this.spansArrived = spansArrived;
  }

  synchronized List<Report> reports() {
    return new ArrayList<>(reports);
  }

  synchronized List<String> echoes() {
    return new ArrayList<>(echoes);
  }

  private void invocation(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.endsWith("/next")) {
      Invocation next;
      try {
        next = pending.poll(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (next == null) {
        answer(exchange, 500, "no invocation");
        return;
      }
      given.put(next.id(), next);
      exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", next.id());
      exchange
          .getResponseHeaders()
          .add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
      exchange
          .getResponseHeaders()
          .add(
              "Lambda-Runtime-Invoked-Function-Arn",
              "arn:aws:lambda:us-east-1:123456789012:function:orders-fn");
      exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", next.traceHeader());
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      answer(exchange, 200, next.body());
      return;
    }
    // /2018-06-01/runtime/invocation/<id>/response or /error
    String[] parts = path.split("/");
    String id = parts[parts.length - 2];
    String kind = parts[parts.length - 1];
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    boolean sent = frozen(given.get(id));
    synchronized (this) {
      reports.add(new Report(id, kind, body, sent));
    }
    answer(exchange, 202, "{\"status\":\"OK\"}");
  }

  /** Whether the invocation's spans arrive while the process is stopped. */
  private boolean frozen(Invocation invocation) {
    Predicate<Invocation> check = spansArrived;
    if (check == null || invocation == null) {
      return false;
    }
    signal("STOP");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < deadline) {
        if (check.test(invocation)) {
          return true;
        }
        Thread.sleep(20);
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      signal("CONT");
    }
  }

  private void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void initError(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    synchronized (this) {
      reports.add(new Report(null, "init-error", body, false));
    }
    answer(exchange, 202, "{}");
  }

  private void echo(HttpExchange exchange) throws IOException {
    String header = exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id");
    synchronized (this) {
      echoes.add(String.valueOf(header));
    }
    answer(exchange, 200, String.valueOf(header));
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
