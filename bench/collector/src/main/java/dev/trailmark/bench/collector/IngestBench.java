package dev.trailmark.bench.collector;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.mapping.LogDocuments;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * Ingest benchmark of the collector: the same log events sent (a) as raw {@code _bulk} requests
 * straight into OpenSearch and (b) through the real AWS SDK's PutLogEvents into the local
 * collector, each timed until every document is searchable; then the latency from PutLogEvents to
 * searchable for single events.
 */
public final class IngestBench {

  private static double acknowledgedSeconds;

  private IngestBench() {}

  /** Runs the benchmark and prints the table. */
  public static void main(String[] args) throws Exception {
    int events = intArg(args, "--events", 100_000);
    int threads = intArg(args, "--threads", 4);
    int batch = intArg(args, "--batch", 1_000);
    int latencyEvents = intArg(args, "--latency-events", 200);
    int rounds = intArg(args, "--rounds", 3);

    OpenSearchLauncher launcher =
        new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
    LocalOpenSearch node = launcher.start();
    String prefix = "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    Path state = Files.createTempDirectory("trailmark-bench-collector");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    OpenSearch os = new OpenSearch(http, node.baseUri());
    try {
      List<String> messages = messages(events);
      long start = System.currentTimeMillis();
      double[] raw = new double[rounds];
      double[] through = new double[rounds];
      double[] acked = new double[rounds];
      long p50;
      long p99;
      long max;
      try (LocalCollector collector =
              LocalCollector.builder()
                  .openSearch(node.baseUri())
                  .indexPrefix(prefix)
                  .httpPort(0)
                  .xrayUdpPort(-1)
                  .stateDir(state)
                  .build()
                  .start();
          CloudWatchLogsClient logs =
              CloudWatchLogsClient.builder()
                  .endpointOverride(collector.httpEndpoint())
                  .region(Region.US_EAST_1)
                  .httpClient(UrlConnectionHttpClient.create())
                  .credentialsProvider(
                      StaticCredentialsProvider.create(
                          AwsBasicCredentials.create(
                              LocalCollector.DEFAULT_ACCESS_KEY_ID,
                              LocalCollector.DEFAULT_SECRET_ACCESS_KEY)))
                  .build()) {
        // Rounds alternate which side goes first, so load from elsewhere on the machine hits both
        // alike.
        for (int r = 0; r < rounds; r++) {
          String rawPrefix = prefix + "raw" + r + "-";
          os.send(
              "PUT",
              "/_index_template/" + prefix + "raw" + r,
              Json.MAPPER.writeValueAsString(
                  dev.trailmark.collector.internal.sink.IndexTemplates.template(
                      "logs", rawPrefix)));
          if (r % 2 == 0) {
            raw[r] = raw(os, rawPrefix, messages, start, threads, batch);
            through[r] =
                throughCollector(
                    os, logs, prefix, "/bench/app-" + r, messages, start, threads, batch);
          } else {
            through[r] =
                throughCollector(
                    os, logs, prefix, "/bench/app-" + r, messages, start, threads, batch);
            raw[r] = raw(os, rawPrefix, messages, start, threads, batch);
          }
          acked[r] = acknowledgedSeconds;
          System.out.printf(
              Locale.ROOT,
              "round %d: raw %.1f s, collector %.1f s (acknowledged after %.1f s)%n",
              r + 1,
              raw[r],
              through[r],
              acked[r]);
        }
        long[] latencies = latency(os, logs, prefix, latencyEvents);
        Arrays.sort(latencies);
        p50 = latencies[latencies.length / 2];
        p99 = latencies[(int) Math.ceil(latencies.length * 0.99) - 1];
        max = latencies[latencies.length - 1];
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Collector ingest, %d log events per round, %d rounds (%d per request, %d client "
              + "threads), %d cores, Java %s%n",
          events,
          rounds,
          batch,
          threads,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      System.out.println();
      System.out.println(
          "| round | raw `_bulk`: s until searchable | docs/s | SDK PutLogEvents → collector → "
              + "OpenSearch: s until searchable | docs/s | ratio to raw |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = raw[r] / through[r];
        System.out.printf(
            Locale.ROOT,
            "| %d%s | %.1f | %,.0f | %.1f | %,.0f | %.2f |%n",
            r + 1,
            r % 2 == 0 ? " (raw first)" : " (collector first)",
            raw[r],
            events / raw[r],
            through[r],
            events / through[r],
            ratios[r]);
      }
      Arrays.sort(ratios);
      System.out.printf(
          Locale.ROOT, "| **median ratio** | | | | | **%.2f** |%n", ratios[rounds / 2]);
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "PutLogEvents → searchable, %d single events at 20/s: p50 %d ms, p99 %d ms, "
              + "max %d ms (index refresh_interval 1 s)%n",
          latencyEvents,
          p50,
          p99,
          max);
    } finally {
      try {
        // By name: the launcher starts OpenSearch with action.destructive_requires_name.
        String names =
            os.send("GET", "/_cat/indices/" + prefix + "*?h=index&expand_wildcards=all", null)
                .trim()
                .replaceAll("\\s+", ",");
        if (!names.isEmpty()) {
          os.send("DELETE", "/" + names + "?ignore_unavailable=true", null);
        }
        os.send("DELETE", "/_index_template/" + prefix + "*", null);
      } finally {
        launcher.stopIfStartedHere(node);
      }
    }
  }

  /** Log lines as the shipper's encoder writes them: one SS4O JSON object per event. */
  static List<String> messages(int n) {
    List<String> out = new ArrayList<>(n);
    String[] services = {"orders", "payments", "frontend", "inventory"};
    String[] levels = {"INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"};
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < n; i++) {
      String level = levels[r.nextInt(levels.length)];
      out.add(
          "{\"@timestamp\":\""
              + Instant.now()
              + "\",\"observedTimestamp\":\""
              + Instant.now()
              + "\","
              + "\"traceId\":\""
              + Long.toHexString(r.nextLong())
              + Long.toHexString(r.nextLong())
              + "\","
              + "\"spanId\":\""
              + Long.toHexString(r.nextLong())
              + "\",\"severity\":{\"text\":\""
              + level
              + "\",\"number\":9},\"body\":\"request "
              + i
              + " handled in "
              + r.nextInt(500)
              + " ms for customer "
              + r.nextInt(10_000)
              + "\",\"resource\":{\"service\":{\"name\":\""
              + services[i % services.length]
              + "\"}},\"instrumentationScope\":{\"name\":\"dev.trailmark.demo.OrderController\"},"
              + "\"attributes\":{\"http.route\":\"/orders/{id}\",\"http.status_code\":"
              + (200 + r.nextInt(3))
              + "}}");
    }
    return out;
  }

  /**
   * The same documents the collector would write, bulk-loaded directly with the same batch size and
   * threads.
   */
  static double raw(
      OpenSearch os, String prefix, List<String> messages, long ts, int threads, int batch)
      throws Exception {
    String index = IndexNames.logs(prefix, "/bench/app", ts);
    List<byte[]> bodies = new ArrayList<>();
    for (int from = 0; from < messages.size(); from += batch) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (int i = from; i < Math.min(messages.size(), from + batch); i++) {
        body.write(
            ("{\"index\":{\"_index\":\"" + index + "\"}}\n").getBytes(StandardCharsets.UTF_8));
        body.write(
            Json.MAPPER.writeValueAsBytes(
                LogDocuments.fromCloudWatchEvent("/bench/app", "s", ts, messages.get(i))));
        body.write('\n');
      }
      bodies.add(body.toByteArray());
    }
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (byte[] body : bodies) {
      futures.add(
          pool.submit(
              () -> {
                JsonNode response = Json.MAPPER.readTree(os.send("POST", "/_bulk", body));
                if (response.path("errors").asBoolean()) {
                  throw new IllegalStateException("raw bulk had item errors");
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    awaitCount(os, prefix + "logs-*", messages.size());
    return (System.nanoTime() - started) / 1e9;
  }

  static double throughCollector(
      OpenSearch os,
      CloudWatchLogsClient logs,
      String prefix,
      String group,
      List<String> messages,
      long ts,
      int threads,
      int batch)
      throws Exception {
    logs.createLogGroup(r -> r.logGroupName(group));
    for (int t = 0; t < threads; t++) {
      String stream = "stream-" + t;
      logs.createLogStream(r -> r.logGroupName(group).logStreamName(stream));
    }
    List<List<InputLogEvent>> batches = new ArrayList<>();
    for (int from = 0; from < messages.size(); from += batch) {
      List<InputLogEvent> b = new ArrayList<>();
      for (int i = from; i < Math.min(messages.size(), from + batch); i++) {
        b.add(InputLogEvent.builder().timestamp(ts).message(messages.get(i)).build());
      }
      batches.add(b);
    }
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      List<InputLogEvent> b = batches.get(i);
      String stream = "stream-" + (i % threads);
      futures.add(
          pool.submit(
              () ->
                  logs.putLogEvents(
                      r -> r.logGroupName(group).logStreamName(stream).logEvents(b))));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    acknowledgedSeconds = (System.nanoTime() - started) / 1e9;
    awaitCount(os, IndexNames.logs(prefix, group, ts), messages.size());
    return (System.nanoTime() - started) / 1e9;
  }

  /**
   * Sends single events at 20/s and measures, per event, the time until a search (no forced
   * refresh) sees it.
   */
  static long[] latency(OpenSearch os, CloudWatchLogsClient logs, String prefix, int n)
      throws Exception {
    logs.createLogGroup(r -> r.logGroupName("/bench/latency"));
    logs.createLogStream(r -> r.logGroupName("/bench/latency").logStreamName("s"));
    ConcurrentHashMap<Integer, Long> sentAt = new ConcurrentHashMap<>();
    ConcurrentHashMap<Integer, Long> seenAt = new ConcurrentHashMap<>();
    Thread poller =
        new Thread(
            () -> {
              while (seenAt.size() < n && !Thread.currentThread().isInterrupted()) {
                try {
                  JsonNode hits =
                      Json.MAPPER
                          .readTree(
                              os.send(
                                  "POST",
                                  "/"
                                      + prefix
                                      + "logs-bench-latency-*/_search?ignore_unavailable=true&allow_no_indices=true",
                                  ("{\"size\":" + n + ",\"_source\":[\"seq\"]}")
                                      .getBytes(StandardCharsets.UTF_8)))
                          .path("hits")
                          .path("hits");
                  long now = System.nanoTime();
                  for (JsonNode h : hits) {
                    seenAt.putIfAbsent(h.path("_source").path("seq").asInt(), now);
                  }
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException e) {
                  // A just-created index answers 503 until its shard starts: keep polling.
                  try {
                    Thread.sleep(10);
                  } catch (InterruptedException ie) {
                    return;
                  }
                }
              }
            });
    poller.start();
    for (int i = 0; i < n; i++) {
      int seq = i;
      sentAt.put(seq, System.nanoTime());
      logs.putLogEvents(
          r ->
              r.logGroupName("/bench/latency")
                  .logStreamName("s")
                  .logEvents(
                      InputLogEvent.builder()
                          .timestamp(System.currentTimeMillis())
                          .message("{\"seq\":" + seq + ",\"body\":\"latency probe\"}")
                          .build()));
      Thread.sleep(50);
    }
    poller.join(Duration.ofSeconds(60).toMillis());
    poller.interrupt();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      Long seen = seenAt.get(i);
      if (seen == null) {
        throw new IllegalStateException("event " + i + " never became searchable");
      }
      out[i] = (seen - sentAt.get(i)) / 1_000_000;
    }
    return out;
  }

  static void awaitCount(OpenSearch os, String pattern, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode count =
          Json.MAPPER.readTree(
              os.send(
                  "GET",
                  "/" + pattern + "/_count?ignore_unavailable=true&allow_no_indices=true",
                  null));
      if (count.path("count").asLong() >= expected) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("documents did not all become searchable in " + pattern);
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  /** Minimal REST access to OpenSearch for the raw side of the comparison. */
  record OpenSearch(HttpClient http, URI base) {
    String send(String method, String path, Object body) throws IOException {
      byte[] bytes =
          body == null
              ? null
              : body instanceof byte[]
                  ? (byte[]) body
                  : body.toString().getBytes(StandardCharsets.UTF_8);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofMinutes(2))
              .header(
                  "Content-Type",
                  path.contains("_bulk") ? "application/x-ndjson" : "application/json")
              .method(
                  method,
                  bytes == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(bytes));
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300
            && !(method.equals("DELETE") && response.statusCode() == 404)) {
          throw new IOException(
              method
                  + " "
                  + path
                  + " answered "
                  + response.statusCode()
                  + ": "
                  + response.body().substring(0, Math.min(300, response.body().length())));
        }
        return response.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
