package dev.trailmark.bench.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.collector.internal.sink.IndexTemplates;
import dev.trailmark.collector.internal.sink.OpenSearchTransports;
import dev.trailmark.collector.internal.traces.SpanDocuments;
import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import dev.trailmark.common.json.Json;
import dev.trailmark.dashboards.console.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;

/**
 * The console's endpoints next to the very searches they send, replayed straight to OpenSearch
 * (recorded through a forwarding proxy, so both sides send the same bytes), p50/p95 in one run with
 * the two sides interleaved; then a 1,000-span trace opened in headless Chromium, timed in the
 * browser.
 */
public final class ConsoleBench {
  private static final String[] SERVICES = {
    "gateway", "orders", "payments", "inventory", "shipping"
  };
  private static final String[] LEVELS = {
    "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR"
  };
  private static final int LINES_PER_TRACE = 10;
  private static final int SPANS_PER_TRACE = 10;
  private static final String BIG_TRACE = "6b104f7b77745ae6272edec256afba68";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI openSearch;
  private final String prefix;

  private ConsoleBench(URI openSearch, String prefix) {
    this.openSearch = openSearch;
    this.prefix = prefix;
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-console-logback.xml");
    }
    int logs = intArg(args, "--logs", 200_000);
    int spans = intArg(args, "--spans", 50_000);
    int requests = intArg(args, "--requests", 200);
    int renders = intArg(args, "--renders", 5);
    OpenSearchLauncher launcher =
        new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
    LocalOpenSearch node = launcher.start();
    String prefix = "bench-console-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    ConsoleBench bench = new ConsoleBench(node.baseUri(), prefix);
    try {
      bench.run(logs, spans, requests, renders);
    } finally {
      bench.send("DELETE", "/" + prefix + "*?ignore_unavailable=true&allow_no_indices=true", null);
      bench.send("DELETE", "/_index_template/" + prefix + "*", null);
      launcher.stopIfStartedHere(node);
    }
  }

  private void run(int logs, int spans, int requests, int renders) throws Exception {
    OpenSearchTransport transport = OpenSearchTransports.create(openSearch);
    IndexTemplates.install(new OpenSearchClient(transport), prefix);
    transport.close();
    Instant now = Instant.now();
    long t0 = System.nanoTime();
    loadSpans(spans, now);
    loadLogs(logs, now);
    send("POST", "/" + prefix + "*/_refresh", null);
    send("POST", "/" + prefix + "*/_forcemerge?max_num_segments=1", null);
    System.out.printf(
        Locale.ROOT,
        "loaded %,d log lines and %,d spans (one trace of 1,000 spans) in %.0f s%n",
        logs + 200,
        spans + 1000,
        (System.nanoTime() - t0) / 1e9);

    // The recorder is this JVM's first HttpServer: the JDK reads its TCP_NODELAY setting once, so
    // load the console's
    // server class (which sets it, see ConsoleServer) before the recorder starts.
    Class.forName("dev.trailmark.dashboards.console.internal.ConsoleServer");
    Recorder recorder = new Recorder(openSearch);
    try (Console direct =
            Console.builder().openSearch(openSearch).indexPrefix(prefix).port(0).start();
        Console recorded =
            Console.builder().openSearch(recorder.uri()).indexPrefix(prefix).port(0).start()) {
      String firstPage =
          "/api/logs?from=now-1h&q=" + enc("handled status") + "&service=payments&size=100";
      JsonNode page1 = Json.MAPPER.readTree(get(direct.url().resolve(firstPage)));
      String cursor = page1.path("next").asText();
      Map<String, String> endpoints = new LinkedHashMap<>();
      endpoints.put("log search (text + service, first page with histogram)", firstPage);
      endpoints.put("log page 2 (search_after)", firstPage + "&after=" + cursor);
      endpoints.put("trace of 1,000 spans with its 200 log lines", "/api/trace?id=" + BIG_TRACE);
      endpoints.put("services table (spans + RED metrics)", "/api/services?from=now-1h");
      endpoints.put(
          "trace search (service + min duration)",
          "/api/traces?from=now-1h&service=orders&minMs=50");

      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "%d requests per endpoint and side, interleaved in rounds of 10; ms%n",
          requests);
      System.out.println(
          "| endpoint | searches | raw p50 | raw p95 | console p50 | console p95 | goal p95 ≤ 1.2×raw+20 |");
      System.out.println("|---|---:|---:|---:|---:|---:|---|");
      for (Map.Entry<String, String> e : endpoints.entrySet()) {
        recorder.calls.clear();
        get(recorded.url().resolve(e.getValue()));
        List<Recorder.Call> calls = new ArrayList<>(recorder.calls);
        URI console = direct.url().resolve(e.getValue());
        for (int i = 0; i < 20; i++) { // warm-up, both sides
          get(console);
          replay(calls);
        }
        long[] raw = new long[requests];
        long[] ours = new long[requests];
        for (int i = 0; i < requests; i += 10) {
          boolean rawFirst = (i / 10) % 2 == 0;
          for (int side = 0; side < 2; side++) {
            boolean doRaw = rawFirst == (side == 0);
            for (int j = i; j < Math.min(requests, i + 10); j++) {
              long s = System.nanoTime();
              if (doRaw) {
                replay(calls);
                raw[j] = System.nanoTime() - s;
              } else {
                get(console);
                ours[j] = System.nanoTime() - s;
              }
            }
          }
        }
        double rawP95 = pct(raw, 95);
        double oursP95 = pct(ours, 95);
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s |%n",
            e.getKey(),
            calls.size(),
            pct(raw, 50),
            rawP95,
            pct(ours, 50),
            oursP95,
            oursP95 <= 1.2 * rawP95 + 20 ? "met" : "**not met**");
      }
      recorder.close();
      if (renders > 0) {
        browser(direct.url(), renders);
      }
    }
  }

  /**
   * Opens the 1,000-span trace in a fresh page load each time and reads the times from the browser.
   */
  private static void browser(URI console, int renders) throws IOException {
    Path profile = Files.createTempDirectory("trailmark-bench-chromium-");
    ChromeOptions options = new ChromeOptions();
    if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
      options.setBinary("/usr/bin/chromium");
    }
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(
                Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"))
                    .toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver browser = new ChromeDriver(service, options);
    try {
      browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
      double[] total = new double[renders];
      double[] render = new double[renders];
      for (int i = -1; i < renders; i++) { // the first load warms the browser's module cache
        browser.get(console.resolve("/?load=" + i + "#/trace?id=" + BIG_TRACE).toString());
        Object r =
            browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "(function poll() { const v = document.getElementById('page-trace');"
                    + " if (v && v.dataset.spans === '1000' && document.querySelectorAll('#waterfall .row.span').length === 1000)"
                    + "   requestAnimationFrame(() => setTimeout(() => done([performance.now(), Number(v.dataset.renderMs)]), 0));"
                    + " else setTimeout(poll, 5); })();");
        List<?> times = (List<?>) r;
        if (i >= 0) {
          total[i] = ((Number) times.get(0)).doubleValue();
          render[i] = ((Number) times.get(1)).doubleValue();
        }
        if (browser.findElements(By.cssSelector("#waterfall .row.span.crit")).isEmpty()) {
          throw new IllegalStateException("the waterfall shows no critical path");
        }
      }
      Arrays.sort(total);
      Arrays.sort(render);
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "1,000-span trace in headless Chromium, %d page loads (median / max), goal < 1,000 ms:%n",
          renders);
      System.out.println("| measure | median ms | max ms |");
      System.out.println("|---|---:|---:|");
      System.out.printf(
          Locale.ROOT,
          "| page load → waterfall painted (modules, API call, tree, DOM, first frame) | %.0f | %.0f |%n",
          total[renders / 2],
          total[renders - 1]);
      System.out.printf(
          Locale.ROOT,
          "| data received → DOM built (tree, critical path, 1,000 rows, log table) | %.0f | %.0f |%n",
          render[renders / 2],
          render[renders - 1]);
    } finally {
      browser.quit();
    }
  }

  // ---- data

  private void loadSpans(int count, Instant now) throws Exception {
    Random random = new Random(42);
    String index = prefix + "otel-v1-apm-span-" + day(now);
    StringBuilder bulk = new StringBuilder();
    int traces = Math.max(1, count / SPANS_PER_TRACE);
    for (int t = 0; t < traces; t++) {
      String traceId = String.format(Locale.ROOT, "%032x", 0x1000L + t);
      long start =
          now.minusSeconds(3000).toEpochMilli() * 1_000_000L
              + (long) t * 3000L * 1_000_000_000L / traces;
      String root = spanId(t, 0);
      for (int s = 0; s < SPANS_PER_TRACE; s++) {
        String service = SERVICES[s % SERVICES.length];
        long begin = start + s * 1_000_000L;
        long dur = (long) (Math.exp(random.nextGaussian() * 0.8 + 3) * 1_000_000L);
        boolean error = random.nextInt(100) < 3;
        ObjectNode span =
            SpanDocuments.span(
                traceId,
                spanId(t, s),
                s == 0 ? "" : root,
                "GET /r" + (t % 20),
                "SPAN_KIND_SERVER",
                begin,
                begin + dur,
                service,
                error ? 2 : 0,
                null);
        append(bulk, index, null, span);
      }
      bulk = flushIfBig(bulk);
    }
    // One trace of 1,000 spans: a tree four levels deep across the five services.
    long start = now.minusSeconds(600).toEpochMilli() * 1_000_000L;
    for (int s = 0; s < 1000; s++) {
      String parent = s == 0 ? "" : String.format(Locale.ROOT, "%016x", 0xb000L + (s - 1) / 10);
      long begin = start + s * 200_000L;
      ObjectNode span =
          SpanDocuments.span(
              BIG_TRACE,
              String.format(Locale.ROOT, "%016x", 0xb000L + s),
              parent,
              s == 0 ? "POST /batch" : "step " + s,
              s % 10 == 0 ? "SPAN_KIND_SERVER" : "SPAN_KIND_INTERNAL",
              begin,
              begin + (1000 - s) * 400_000L,
              SERVICES[(s / 10) % SERVICES.length],
              0,
              null);
      append(bulk, index, null, span);
    }
    for (int i = 0; i + 1 < SERVICES.length; i++) {
      ObjectNode edge = Json.object();
      edge.put("serviceName", SERVICES[i]).put("kind", "SPAN_KIND_CLIENT").put("hashId", "e" + i);
      edge.putObject("destination").put("domain", SERVICES[i + 1]).put("resource", "GET /r1");
      edge.putNull("target");
      edge.put("traceGroupName", "GET /r1");
      append(bulk, prefix + "otel-v1-apm-service-map", "e" + i, edge);
    }
    flush(bulk);
  }

  private void loadLogs(int count, Instant now) throws Exception {
    Random random = new Random(7);
    String index = prefix + "logs-bench-" + day(now);
    StringBuilder bulk = new StringBuilder();
    long from = now.minusSeconds(3000).toEpochMilli();
    for (int i = 0; i < count + 200; i++) {
      boolean big = i >= count;
      String traceId =
          big ? BIG_TRACE : String.format(Locale.ROOT, "%032x", 0x1000L + i / LINES_PER_TRACE);
      long ts =
          big
              ? now.minusSeconds(600).toEpochMilli() + (i - count)
              : from + (long) i * 3_000_000L / count;
      String service =
          SERVICES[big ? (i - count) % SERVICES.length : random.nextInt(SERVICES.length)];
      String level = LEVELS[random.nextInt(LEVELS.length)];
      ObjectNode doc = Json.object();
      doc.put("@timestamp", Instant.ofEpochMilli(ts).toString())
          .put("traceId", traceId)
          .put("spanId", String.format(Locale.ROOT, "%016x", i));
      doc.putObject("severity")
          .put("text", level)
          .put("number", level.equals("INFO") ? 9 : level.equals("WARN") ? 13 : 17);
      doc.put(
          "body",
          "request handled route=/r"
              + random.nextInt(50)
              + " user=u"
              + random.nextInt(5000)
              + " status="
              + (level.equals("ERROR") ? 500 : 200)
              + " took="
              + random.nextInt(900)
              + "ms");
      doc.putObject("resource").putObject("service").put("name", service);
      doc.putObject("instrumentationScope").put("name", "dev.example." + service + ".Handler");
      append(bulk, index, "l" + i, doc);
      bulk = flushIfBig(bulk);
    }
    flush(bulk);
  }

  private static String spanId(int trace, int span) {
    return String.format(Locale.ROOT, "%016x", ((long) trace << 8) + span + 1);
  }

  private static void append(StringBuilder bulk, String index, String id, ObjectNode doc) {
    bulk.append("{\"index\":{\"_index\":\"").append(index).append('"');
    if (id != null) {
      bulk.append(",\"_id\":\"").append(id).append('"');
    }
    bulk.append("}}\n").append(doc).append('\n');
  }

  private StringBuilder flushIfBig(StringBuilder bulk) throws Exception {
    if (bulk.length() > 4_000_000) {
      flush(bulk);
      return new StringBuilder();
    }
    return bulk;
  }

  private void flush(StringBuilder bulk) throws Exception {
    if (bulk.length() == 0) {
      return;
    }
    String r = send("POST", "/_bulk", bulk.toString());
    if (r.contains("\"errors\":true")) {
      throw new IllegalStateException(
          "bulk load refused documents: " + r.substring(0, Math.min(2000, r.length())));
    }
    bulk.setLength(0);
  }

  // ---- HTTP

  private String send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(openSearch.resolve(path))
            .timeout(Duration.ofMinutes(5))
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private String get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /**
   * The console's searches of one request, sent one after another as the console sends them. The
   * console's relative ranges ({@code from=now-1h}) make each of its searches unique, so
   * OpenSearch's shard request cache never answers them; a verbatim replay of one recorded search
   * would be served from that cache after the first time (aggregations with {@code size: 0} are
   * cached). The raw side therefore asks OpenSearch to compute every search, as the console's
   * searches are computed.
   */
  private void replay(List<Recorder.Call> calls) throws IOException, InterruptedException {
    for (Recorder.Call c : calls) {
      String pathAndQuery = c.pathAndQuery();
      if (pathAndQuery.contains("/_search")) {
        pathAndQuery += (pathAndQuery.contains("?") ? "&" : "?") + "request_cache=false";
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(openSearch.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30));
      if (c.body().length > 0) {
        b.header("Content-Type", "application/json");
      }
      b.method(
          c.method(),
          c.body().length == 0
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(c.body()));
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("raw " + c.pathAndQuery() + " answered " + r.statusCode());
      }
    }
  }

  /**
   * Forwards to OpenSearch and records each request, so the raw side replays exactly what the
   * console sent.
   */
  private static final class Recorder implements AutoCloseable {
    record Call(String method, String pathAndQuery, byte[] body) {}

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    Recorder(URI target) throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
      server.createContext(
          "/",
          exchange -> {
            try (exchange) {
              byte[] body = exchange.getRequestBody().readAllBytes();
              String pq =
                  exchange.getRequestURI().getRawPath()
                      + (exchange.getRequestURI().getRawQuery() == null
                          ? ""
                          : "?" + exchange.getRequestURI().getRawQuery());
              calls.add(new Call(exchange.getRequestMethod(), pq, body));
              HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(pq));
              String type = exchange.getRequestHeaders().getFirst("Content-Type");
              if (type != null) {
                b.header("Content-Type", type);
              }
              b.method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
              HttpResponse<byte[]> r =
                  client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
              exchange
                  .getResponseHeaders()
                  .set(
                      "Content-Type",
                      r.headers().firstValue("Content-Type").orElse("application/json"));
              exchange.sendResponseHeaders(r.statusCode(), r.body().length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body());
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      server.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static double pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
  }

  private static String day(Instant t) {
    return DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC).format(t);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static int intArg(String[] args, String name, int def) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return def;
  }
}
