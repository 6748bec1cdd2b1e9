package dev.trailmark.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * What the alerting ITs share: an index of test documents under the class's prefix, rule files in a
 * temporary directory, a clock the test moves, and a local webhook receiver (JDK HttpServer) that
 * records every notice.
 */
public final class Fixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Whole hour in the past: every window of the tests lies in [T0 − 1 h, T0 + 2 h). */
  static final Instant T0 = Instant.parse("2026-11-02T10:00:00Z");

  final OpenSearchInstance os;
  final String index;
  public final Path rules;
  final MutableClock clock = new MutableClock(T0);
  final HttpServer receiver;
  final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger calls = new AtomicInteger();

  /** The receiver's answer to call n (1-based): 200 unless a test says otherwise. */
  volatile IntUnaryOperator status = n -> 200;

  public Fixture(OpenSearchInstance os, String name) throws IOException {
    this.os = os;
    this.index = name;
    this.rules = Files.createTempDirectory("alert-rules");
    os.put(
        "/" + os.indexPrefix() + index,
        """
        {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
         "mappings": {"properties": {"@timestamp": {"type": "date"}, "svc": {"type": "keyword"},
           "level": {"type": "keyword"}, "user": {"type": "keyword"}, "latency": {"type": "double"},
           "status": {"type": "integer"}, "traceId": {"type": "keyword"}, "body": {"type": "text"}}}}""");
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int n = calls.incrementAndGet();
          int code = status.applyAsInt(n);
          if (code == 200) {
            received.add(JSON.readTree(body));
          }
          exchange.sendResponseHeaders(code, -1);
          exchange.close();
        });
    receiver.start();
  }

  public String webhook() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
  }

  /**
   * Writes documents ({@code svc}, time offset from T0 in seconds, extra fields) and makes them
   * searchable.
   */
  public void docs(List<Map<String, Object>> docs) {
    StringBuilder nd = new StringBuilder();
    for (Map<String, Object> d : docs) {
      nd.append("{\"index\":{\"_index\":\"")
          .append(os.indexPrefix())
          .append(index)
          .append("\"}}\n");
      try {
        nd.append(JSON.writeValueAsString(d)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String r = os.post("/_bulk?refresh=true", nd.toString());
    if (r.contains("\"errors\":true")) {
      throw new AssertionError("bulk failed: " + r);
    }
  }

  /** {@code n} documents of key {@code svc} spread over [from, from + span) seconds after T0. */
  void docs(String svc, int n, long fromSeconds, long spanSeconds, Map<String, Object> extra) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put(
          "@timestamp",
          T0.plusMillis(fromSeconds * 1000 + (spanSeconds * 1000 * i) / Math.max(1, n)).toString());
      d.put("svc", svc);
      d.putAll(extra);
      out.add(d);
    }
    docs(out);
  }

  /** Writes a rule file {@code name.yaml} with the given YAML body (index and name are added). */
  public void rule(String name, String yaml) throws IOException {
    Files.writeString(
        rules.resolve(name + ".yaml"),
        "name: " + name + "\nindex: " + index + "\n" + yaml,
        StandardCharsets.UTF_8);
  }

  /**
   * A runner over the rule files with the receiver as its webhook and no stdout (a restart is a new
   * one).
   */
  AlertRunner runner() {
    return AlertRunner.builder()
        .openSearch(os.baseUri())
        .indexPrefix(os.indexPrefix())
        .builtInRules(false)
        .rulesDirectory(rules)
        .webhook(webhook())
        .stdout(false, null)
        .clock(clock)
        .delivery(4, Duration.ofMillis(20))
        .build();
  }

  /** Runs one cycle at T0 + {@code seconds} with a fresh runner (as after a restart). */
  AlertRunner.CycleReport cycleAt(long seconds) throws IOException {
    clock.set(T0.plusSeconds(seconds));
    try (AlertRunner r = runner()) {
      AlertRunner.CycleReport report = r.runOnce();
      for (AlertRunner.RuleRun run : report.rules()) {
        if (run.error() != null) {
          throw new AssertionError("rule " + run.rule() + " failed: " + run.error());
        }
      }
      return report;
    }
  }

  /** "key/state" of every notice received, in order. */
  public List<String> keysAndStates() {
    synchronized (received) {
      return received.stream()
          .map(n -> n.path("key").asText() + "/" + n.path("state").asText())
          .toList();
    }
  }

  /** The alerts-index documents of one rule, oldest first. */
  List<JsonNode> alertDocs(String rule) throws IOException {
    os.refresh(os.indexPrefix() + "alerts-*");
    String body =
        os.post(
            "/"
                + os.indexPrefix()
                + "alerts-*/_search?ignore_unavailable=true&allow_no_indices=true",
            "{\"size\": 1000, \"query\": {\"term\": {\"rule.name\": \""
                + rule
                + "\"}},"
                + " \"sort\": [{\"@timestamp\": \"asc\"}, {\"window.end\": \"asc\"}]}");
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode hit : JSON.readTree(body).path("hits").path("hits")) {
      out.add(hit.path("_source"));
    }
    return out;
  }

  @Override
  public void close() {
    receiver.stop(0);
  }

  public static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
