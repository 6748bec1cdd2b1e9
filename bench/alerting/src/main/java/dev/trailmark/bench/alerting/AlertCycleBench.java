package dev.trailmark.bench.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.AlertRunner;
import dev.trailmark.alerting.internal.Engine;
import dev.trailmark.alerting.internal.Queries;
import dev.trailmark.alerting.internal.Rule;
import dev.trailmark.alerting.internal.RuleLoader;
import dev.trailmark.alerting.internal.RuleType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * One cycle of the alert runner over N generated log documents (50 rules of every type, each
 * evaluating the 5 windows of its buffer) against the same 50 aggregation searches sent directly
 * with the JDK HTTP client, in the same run, rounds interleaved. Prints wall time, requests sent
 * and the ratio (goal ≤ 1.2).
 */
public final class AlertCycleBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public static void main(String[] args) throws Exception {
    long docs = 10_000_000L;
    int ruleCount = 50;
    int rounds = 3;
    URI os = URI.create("http://127.0.0.1:9200");
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--docs" -> docs = Long.parseLong(args[++i].replace("_", "").replace(",", ""));
        case "--rules" -> ruleCount = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--opensearch" -> os = URI.create(args[++i]);
        case "--keep" -> keep = true;
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + " (--docs N --rules R --rounds K --opensearch URL --keep)");
      }
    }
    String prefix = "bench-alerting-" + Long.toHexString(System.nanoTime() & 0xffffff) + "-";
    // Documents fill the hour before T; T is on the minute, so every rule's grid lands on it.
    Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    try {
      long loadStart = System.nanoTime();
      load(os, prefix + "logs", docs, t);
      System.out.printf(
          Locale.ROOT,
          "loaded %,d documents in %.1f s%n",
          docs,
          (System.nanoTime() - loadStart) / 1e9);
      Path rules = Files.createTempDirectory("bench-rules");
      writeRules(rules, ruleCount);
      List<Rule> loaded = new RuleLoader().loadAll(false, List.of(rules)).rules();
      long now = t.toEpochMilli() + 1000;
      List<ObjectNode> raw = new ArrayList<>();
      for (Rule r : loaded) {
        raw.add(searchOf(r, now));
      }
      System.out.println();
      System.out.println(
          "| round | raw aggregation searches: requests | ms | alert cycle: requests | ms | notices | ratio |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
      List<Double> ratios = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        long rawStart = System.nanoTime();
        for (int i = 0; i < raw.size(); i++) {
          post(os, "/" + prefix + loaded.get(i).index() + "/_search", raw.get(i));
        }
        double rawMs = (System.nanoTime() - rawStart) / 1e6;
        long requests;
        long notices;
        double cycleMs;
        try (AlertRunner runner =
            AlertRunner.builder()
                .openSearch(os)
                .indexPrefix(prefix)
                .builtInRules(false)
                .rulesDirectory(rules)
                .stdout(false, null)
                .clock(Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC))
                .build()) {
          // A running runner's steady state: template and status index in place (once per process),
          // and every
          // rule due with the state of a fresh rule, so each round evaluates the same windows.
          runner.status();
          // No _delete_by_query here (the local OpenSearch has no reindex module): delete the
          // states by id.
          StringBuilder reset = new StringBuilder();
          for (Rule r : loaded) {
            reset
                .append("{\"delete\":{\"_index\":\"")
                .append(prefix)
                .append("trailmark-alert-status\",\"_id\":\"rule:")
                .append(r.name())
                .append("\"}}\n");
          }
          send(os, "POST", "/_bulk?refresh=true", reset.toString());
          long before = runner.requestsSent();
          long start = System.nanoTime();
          AlertRunner.CycleReport report = runner.runOnce();
          cycleMs = (System.nanoTime() - start) / 1e6;
          requests = runner.requestsSent() - before;
          notices = report.rules().stream().mapToLong(r -> r.notices().size()).sum();
          if (System.getenv("BENCH_DEBUG") != null) {
            report.rules().stream()
                .filter(r -> !r.notices().isEmpty())
                .forEach(
                    r ->
                        System.out.println(
                            r.rule() + " " + r.notices().size() + " " + r.notices().get(0)));
          }
          long failed = report.rules().stream().filter(r -> r.error() != null).count();
          if (failed > 0 || report.rules().size() != loaded.size()) {
            throw new IllegalStateException(failed + " rules failed: " + report.rules());
          }
        }
        double ratio = cycleMs / rawMs;
        ratios.add(ratio);
        System.out.printf(
            Locale.ROOT,
            "| %d | %d | %,.0f | %d | %,.0f | %d | %.2f |%n",
            round,
            raw.size(),
            rawMs,
            requests,
            cycleMs,
            notices,
            ratio);
      }
      ratios.sort(Double::compare);
      System.out.printf(
          Locale.ROOT,
          "%nmedian ratio %.2f over %d rounds (%,d documents, %d rules; goal <= 1.2, and a "
              + "cycle under the shortest run_every, 60 s)%n",
          ratios.get(ratios.size() / 2),
          rounds,
          docs,
          loaded.size());
    } finally {
      if (!keep) {
        send(os, "DELETE", "/" + prefix + "*?ignore_unavailable=true&allow_no_indices=true", null);
        send(os, "DELETE", "/_index_template/" + prefix + "*", null);
      }
    }
  }

  /**
   * The search the runner sends for a rule's first cycle at {@code now} (fresh state, whole
   * buffer).
   */
  static ObjectNode searchOf(Rule rule, long now) {
    long step = rule.runEvery().toMillis();
    long end = Engine.windowEnd(rule, now);
    long from = end - step - Math.floorDiv(rule.bufferTime().toMillis(), step) * step;
    if (rule.type() == RuleType.ANY) {
      return Queries.any(rule, from, end);
    }
    if (rule.type() == RuleType.NEW_TERM) {
      return Queries.newTerms(rule, from, end);
    }
    List<Long> points = new ArrayList<>();
    for (long p = from + step; p <= end; p += step) {
      points.add(p);
    }
    return Queries.windowed(rule, points);
  }

  static void writeRules(Path dir, int count) throws IOException {
    String[] types = {
      "frequency",
      "spike",
      "flatline",
      "cardinality",
      "metric_aggregation",
      "percentage_match",
      "new_term",
      "any"
    };
    for (int i = 0; i < count; i++) {
      String type = types[i % types.length];
      String level = new String[] {"ERROR", "WARN", "INFO"}[i % 3];
      StringBuilder y = new StringBuilder();
      y.append("name: rule-")
          .append(i)
          .append("\ntype: ")
          .append(type)
          .append("\nindex: logs\n")
          .append("run_every: {minutes: 1}\nbuffer_time: {minutes: 5}\nrealert: {minutes: 30}\n");
      if (type.equals("any")) {
        // An any rule watches rare events (one user's errors), as such rules do.
        y.append("filter:\n  - term: {level: ERROR}\n  - term: {user: u").append(i).append("}\n");
      } else if (!type.equals("percentage_match")) {
        y.append("filter:\n  - term: {level: ").append(level).append("}\n");
      }
      if (type.equals("flatline")) {
        y.append("query_key: svc\n");
      } else if (!type.equals("new_term")) {
        y.append(i % 2 == 0 ? "query_key: svc\n" : "query_key: [svc, status]\n");
      }
      // Thresholds a healthy system does not cross: the cycle's cost is the runner's, not that of
      // writing notices.
      switch (type) {
        case "frequency" ->
            y.append("num_events: ").append(100_000 + i).append("\ntimeframe: {minutes: 5}\n");
        case "spike" ->
            y.append(
                "timeframe: {minutes: 5}\nspike_height: 10\nspike_type: up\nthreshold_cur: 1000\n");
        case "flatline" ->
            y.append("threshold: ").append(1 + i % 2).append("\ntimeframe: {minutes: 5}\n");
        case "cardinality" ->
            y.append("cardinality_field: user\nmax_cardinality: ")
                .append(100_000 + i)
                .append("\ntimeframe: {minutes: 5}\n");
        case "metric_aggregation" ->
            y.append(
                    i % 4 == 0
                        ? "metric_agg_key: latency\nmetric_agg_type: percentiles\npercentile_range: 99\nmax_threshold: 100000\n"
                        : "metric_agg_key: latency\nmetric_agg_type: avg\nmax_threshold: 100000\n")
                .append("bucket_interval: {minutes: 5}\n");
        case "percentage_match" ->
            y.append(
                "match_bucket_filter:\n  - range: {status: {gte: 500}}\nmax_percentage: 50\n"
                    + "bucket_interval: {minutes: 5}\n");
        case "new_term" -> y.append("fields: [svc]\nterms_window_size: {hours: 1}\n");
        default -> y.append("max_query_size: 100\n");
      }
      Files.writeString(dir.resolve("rule-" + i + ".yaml"), y.toString());
    }
  }

  static void load(URI os, String index, long docs, Instant t)
      throws IOException, InterruptedException {
    send(
        os,
        "PUT",
        "/" + index,
        """
        {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
         "mappings": {"properties": {"@timestamp": {"type": "date"}, "svc": {"type": "keyword"},
           "level": {"type": "keyword"}, "user": {"type": "keyword"}, "latency": {"type": "double"},
           "status": {"type": "integer"}, "body": {"type": "text"}}}}""");
    Random random = new Random(42);
    long span = Duration.ofHours(1).toMillis();
    long start = t.toEpochMilli() - span;
    StringBuilder nd = new StringBuilder(4 << 20);
    String action = "{\"index\":{\"_index\":\"" + index + "\"}}\n";
    for (long i = 0; i < docs; i++) {
      double r = random.nextDouble();
      String level = r < 0.03 ? "ERROR" : r < 0.10 ? "WARN" : "INFO";
      int status = r < 0.02 ? 500 : r < 0.06 ? 404 : 200;
      nd.append(action)
          .append("{\"@timestamp\":")
          .append(start + (span * i) / docs)
          .append(",\"svc\":\"svc-")
          .append(random.nextInt(20))
          .append("\",\"level\":\"")
          .append(level)
          .append("\",\"user\":\"u")
          .append(random.nextInt(5000))
          .append("\",\"latency\":")
          .append(Math.round(Math.exp(4 + random.nextGaussian() * 0.8)))
          .append(",\"status\":")
          .append(status)
          .append(",\"body\":\"request ")
          .append(i)
          .append("\"}\n");
      if ((i + 1) % 20_000 == 0 || i + 1 == docs) {
        JsonNode r2 = send(os, "POST", "/_bulk", nd.toString());
        if (r2.path("errors").asBoolean()) {
          throw new IOException("bulk load failed: " + r2.toString().substring(0, 500));
        }
        nd.setLength(0);
      }
    }
    send(os, "PUT", "/" + index + "/_settings", "{\"index\": {\"refresh_interval\": \"1s\"}}");
    send(os, "POST", "/" + index + "/_refresh", null);
    send(os, "POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
  }

  static JsonNode post(URI os, String path, ObjectNode body)
      throws IOException, InterruptedException {
    JsonNode r =
        send(
            os,
            "POST",
            path + "?ignore_unavailable=true&allow_no_indices=true",
            JSON.writeValueAsString(body));
    if (r.has("error")) {
      throw new IOException("search refused: " + r.get("error"));
    }
    return r;
  }

  static JsonNode send(URI os, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(os.resolve(path))
                .timeout(Duration.ofMinutes(10))
                .header(
                    "Content-Type",
                    path.startsWith("/_bulk") ? "application/x-ndjson" : "application/json")
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body() == null || r.body().isEmpty()
        ? JSON.createObjectNode()
        : JSON.readTree(r.body());
  }
}
