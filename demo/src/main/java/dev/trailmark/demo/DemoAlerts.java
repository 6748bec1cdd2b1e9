package dev.trailmark.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.alerting.AlertRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's alerting: the alert runner in this JVM with the shipped error-log spike rule tuned to
 * the demo's pace (10 s windows instead of 5 min), delivering its notices to a local webhook
 * receiver, so that the report can show the notice the inventory's burst of failures fired and the
 * one that said it was over.
 */
final class DemoAlerts implements AutoCloseable {
  /** The demo's copy of the shipped {@code error-log-spike} rule, over the demo's log index. */
  static final String RULE = "demo-error-spike";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer receiver;
  private final List<JsonNode> received = new ArrayList<>();
  private final AlertRunner runner;
  private final Thread thread;

  DemoAlerts(URI openSearch, String indexPrefix, Path work) throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    receiver.createContext(
        "/",
        exchange -> {
          JsonNode notice = JSON.readTree(exchange.getRequestBody().readAllBytes());
          synchronized (received) {
            received.add(notice);
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    Path rules = work.resolve("alert-rules");
    Files.createDirectories(rules);
    Files.writeString(
        rules.resolve(RULE + ".yaml"),
        """
        # The shipped error-log-spike rule (alerting/src/main/resources/trailmark-alert-rules/) at demo pace.
        name: %s
        description: A service logs at least 5 errors in 10 s and 3 times as many as in the 10 s before.
        type: spike
        index: logs-trailmark-demo-*
        filter:
          - terms: {severity.text: [ERROR, FATAL]}
        query_key: resource.service.name
        timeframe: {seconds: 10}
        spike_height: 3
        spike_type: up
        threshold_cur: 5
        alert_on_new_data: true
        severity: high
        run_every: {seconds: 2}
        buffer_time: {seconds: 30}
        query_delay: {seconds: 2}
        realert: {seconds: 30}
        """
            .formatted(RULE));
    runner =
        AlertRunner.builder()
            .openSearch(openSearch)
            .indexPrefix(indexPrefix)
            .builtInRules(false)
            .rulesDirectory(rules)
            .webhook(webhook())
            .stdout(false, null)
            .build();
    thread = new Thread(() -> runner.run(Duration.ofSeconds(1)), "demo-alert-runner");
    thread.setDaemon(true);
    thread.start();
  }

  String webhook() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/notices";
  }

  /** Notices the webhook received in this run. */
  List<JsonNode> notices() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Waits until the webhook got a resolved notice for {@code service}; returns whether it did. */
  boolean awaitResolved(String service, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (JsonNode n : notices()) {
        if (n.path("key").asText().equals(service) && n.path("state").asText().equals("resolved")) {
          return true;
        }
      }
      Thread.sleep(500);
    }
    return false;
  }

  /** The report's alerting section. */
  void print(PrintStream out) {
    out.println();
    out.println(
        "Alerts: rule "
            + RULE
            + " (the shipped error-log-spike rule at demo pace: spike of ERROR logs per "
            + "service over 10 s windows), notices as POSTed to the local webhook "
            + webhook()
            + ":");
    List<JsonNode> notices = notices();
    if (notices.isEmpty()) {
      out.println("  (none received)");
    }
    for (JsonNode n : notices) {
      out.printf(
          "  %-9s %-8s %-10s alert %s  window %s .. %s%n      %s%n",
          n.path("state").asText().toUpperCase(),
          n.path("severity").asText(),
          n.path("key").asText(),
          n.path("alert_id").asText(),
          n.path("window").path("start").asText(),
          n.path("window").path("end").asText(),
          n.path("message").asText());
      if (n.path("sample").path("traceId").isTextual()) {
        out.println("      sample trace " + n.path("sample").path("traceId").asText());
      }
    }
    out.println(
        "  every notice is also a document in alerts-* (state, alert_id, delivery); ./trailmark alerts list "
            + "shows each rule's last run");
  }

  @Override
  public void close() throws IOException {
    runner.close(); // waits for the cycle in progress
    receiver.stop(0);
  }
}
