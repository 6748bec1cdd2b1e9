package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.traces.TraceAssembler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local collector: one server that plays CloudWatch Logs (and the other AWS ingest APIs) on one
 * HTTP port and writes everything to OpenSearch, durably.
 *
 * <pre>{@code
 * try (LocalCollector c = LocalCollector.builder()
 *         .openSearch(URI.create("http://127.0.0.1:9200")).httpPort(0).xrayUdpPort(0)
 *         .stateDir(dir).build().start()) {
 *   URI endpoint = c.httpEndpoint();
 * }
 * }</pre>
 */
public final class LocalCollector implements AutoCloseable {

  /** Access key id of the local stack's default credentials. */
  public static final String DEFAULT_ACCESS_KEY_ID = "trailmark";

  /** Secret access key of the local stack's default credentials. */
  public static final String DEFAULT_SECRET_ACCESS_KEY = "trailmark";

  /** Region the local stack serves. */
  public static final String DEFAULT_REGION = "us-east-1";

  private final Builder config;
  private OpenSearchSink sink;
  private HttpServer server;
  private ThreadPoolExecutor executor;
  private Stats stats;
  private LogGroups logGroups;
  private XRayApi xray;
  private java.util.concurrent.ScheduledExecutorService housekeeping;
  private RequestGuard guard;

  private LocalCollector(Builder config) {
    this.config = config;
  }

  /** A builder with the defaults of {@code ./trailmark up}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Opens the write-ahead log (replaying what it holds), binds the ports and starts serving. */
  public LocalCollector start() throws IOException {
    try {
      return doStart();
    } catch (IOException | RuntimeException e) {
      // A busy port or a bad configuration must not leave the write-ahead log locked or threads
      // running.
      try {
        close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private LocalCollector doStart() throws IOException {
    DeliveryStreams deliveryStreams = DeliveryStreams.load(config.configFile);
    Path stateDir =
        dev.trailmark.collector.internal.sink.PrivateFiles.createDirectories(config.stateDir);
    stats = new Stats();
    sink =
        OpenSearchSink.builder()
            .openSearch(config.openSearch)
            .indexPrefix(config.indexPrefix)
            .walDir(stateDir.resolve("wal"))
            .maxBacklogBytes(config.maxBacklogBytes)
            .build()
            .start();
    logGroups = new LogGroups(stateDir);
    CloudWatchLogsApi logs = new CloudWatchLogsApi(logGroups, sink, stats, config.region);
    SigV4Verifier verifier =
        config.authentication
            ? new SigV4Verifier(
                config.accessKeyId, config.secretAccessKey, config.region, Clock.systemUTC())
            : null;
    AtomicInteger threadIds = new AtomicInteger();
    // More connection threads than processing threads: a connection that is still sending its
    // request holds a
    // thread (the JDK server reads blocking) but no processing slot, and is cut after the read
    // timeout.
    int connections = Math.max(config.threads, config.maxConnections);
    executor =
        new ThreadPoolExecutor(
            connections,
            connections,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "trailmark-collector-http-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    executor.allowCoreThreadTimeOut(true);
    guard = new RequestGuard(config.requestReadTimeout);
    stats.slowConnectionsClosed(guard::closedCount);
    server = HttpServer.create(new InetSocketAddress(config.bindAddress, config.httpPort), 256);
    FirehoseApi firehose = new FirehoseApi(deliveryStreams, sink, stats, config.region);
    TraceAssembler assembler = new TraceAssembler(100_000);
    xray = new XRayApi(sink, stats, assembler);
    xray.startUdp(config.bindAddress, config.xrayUdpPort);
    server.createContext(
        "/",
        new HttpFront(
            config.maxRequestBytes,
            config.threads,
            verifier,
            logs,
            firehose,
            xray,
            new CloudWatchMetricsApi(sink, stats),
            new OtlpApi(sink, stats, assembler),
            stats,
            sink));
    server.setExecutor(guard.wrap(executor));
    server.start();
    if (config.retentionDays > 0) {
      housekeeping =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "trailmark-retention");
                t.setDaemon(true);
                return t;
              });
      housekeeping.scheduleWithFixedDelay(this::applyRetention, 0, 1, TimeUnit.HOURS);
    }
    return this;
  }

  /**
   * Base URI of the HTTP port, e.g. {@code http://127.0.0.1:4318}: the endpoint override for every
   * AWS client.
   */
  public URI httpEndpoint() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + hostForUri(address.getAddress()) + ":" + address.getPort());
  }

  /** The X-Ray daemon UDP port actually bound, or -1 when disabled. */
  public int xrayUdpPort() {
    return xray.udpPort();
  }

  /** The status counters served at {@code GET /_trailmark/status}, as JSON. */
  public ObjectNode status() {
    return stats.toJson(sink);
  }

  /** Bytes accepted but not yet indexed into OpenSearch. */
  public long backlogBytes() {
    return sink.backlogBytes();
  }

  /** Deletes this collector's indices older than the configured retention; returns their names. */
  public java.util.List<String> applyRetention() {
    try {
      java.util.List<String> deleted =
          dev.trailmark.collector.internal.sink.Retention.deleteOlderThan(
              sink.client(),
              config.indexPrefix,
              config.retentionDays,
              dev.trailmark.collector.internal.sink.Retention.todayUtc());
      if (!deleted.isEmpty()) {
        org.slf4j.LoggerFactory.getLogger(LocalCollector.class)
            .info("retention of {} days deleted {}", config.retentionDays, deleted);
      }
      return deleted;
    } catch (IOException | RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(LocalCollector.class)
          .warn("retention run failed: {}", e.toString());
      return java.util.List.of();
    }
  }

  /** Stops serving, lets in-flight requests finish, and closes the write-ahead log. */
  @Override
  public void close() throws IOException {
    if (housekeeping != null) {
      housekeeping.shutdownNow();
    }
    if (server != null) {
      server.stop(1);
    }
    if (executor != null) {
      executor.shutdown();
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (guard != null) {
      guard.close();
    }
    if (xray != null) {
      xray.close();
    }
    if (logGroups != null) {
      logGroups.save();
    }
    if (sink != null) {
      sink.close();
    }
  }

  private static String hostForUri(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    String host = address.getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /**
   * Immutable configuration of a {@link LocalCollector}; every setting has the default of {@code
   * ./trailmark up}.
   */
  public static final class Builder {
    private URI openSearch = URI.create("http://127.0.0.1:9200");
    private String indexPrefix = "";
    private String bindAddress = "127.0.0.1";
    private int httpPort = 4318;
    private int xrayUdpPort = 2000;
    private Path stateDir = defaultStateDir();
    private Path configFile;
    private boolean authentication = true;
    private String accessKeyId = DEFAULT_ACCESS_KEY_ID;
    private String secretAccessKey = DEFAULT_SECRET_ACCESS_KEY;
    private String region = DEFAULT_REGION;
    private int maxRequestBytes = 8 * 1024 * 1024;
    private long maxBacklogBytes = 256L * 1024 * 1024;
    private int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private int retentionDays;
    private int maxConnections = 64;
    private java.time.Duration requestReadTimeout = java.time.Duration.ofSeconds(30);

    private Builder() {}

    /**
     * Connections served at once, including those still sending their request (default 64; at least
     * {@code threads}); more wait in a queue of 1,024, past which new connections are closed.
     */
    public Builder maxConnections(int connections) {
      this.maxConnections = connections;
      return this;
    }

    /**
     * Time a client has to send a whole request, line, headers and body (default 30 s); a slower
     * connection is closed, so trickling clients cannot hold the server's threads.
     */
    public Builder requestReadTimeout(java.time.Duration timeout) {
      this.requestReadTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** Base URI of OpenSearch (default {@code http://127.0.0.1:9200}). */
    public Builder openSearch(URI uri) {
      this.openSearch = Objects.requireNonNull(uri);
      return this;
    }

    /** Prefix of every index the collector writes (default none). */
    public Builder indexPrefix(String prefix) {
      this.indexPrefix = Objects.requireNonNull(prefix);
      return this;
    }

    /**
     * Address to bind (default {@code 127.0.0.1}: the collector is not exposed beyond this
     * machine).
     */
    public Builder bindAddress(String address) {
      this.bindAddress = Objects.requireNonNull(address);
      return this;
    }

    /** The HTTP port for every AWS API and OTLP (default 4318; 0 picks a free port). */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    /** The X-Ray daemon UDP port (default 2000; 0 picks a free port; -1 disables). */
    public Builder xrayUdpPort(int port) {
      this.xrayUdpPort = port;
      return this;
    }

    /**
     * Directory of the write-ahead log and the log group registry (default {@code
     * $TRAILMARK_HOME/collector}).
     */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir);
      return this;
    }

    /** The configuration file (Firehose delivery streams); optional. */
    public Builder config(Path file) {
      this.configFile = file;
      return this;
    }

    /**
     * Whether requests must carry a valid SigV4 signature (default true; only {@code --no-auth}
     * turns it off).
     */
    public Builder authentication(boolean enabled) {
      this.authentication = enabled;
      return this;
    }

    /**
     * The credentials requests must be signed with (default {@code trailmark} / {@code trailmark}).
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = Objects.requireNonNull(accessKeyId);
      this.secretAccessKey = Objects.requireNonNull(secretAccessKey);
      return this;
    }

    /** The region requests must be signed for (default {@code us-east-1}). */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region);
      return this;
    }

    /** Largest request body accepted, in bytes (default 8 MiB); larger ones get a 413. */
    public Builder maxRequestBytes(int bytes) {
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * Bound of the accepted-but-not-yet-indexed backlog (default 256 MiB); past it clients are
     * throttled.
     */
    public Builder maxBacklogBytes(long bytes) {
      this.maxBacklogBytes = bytes;
      return this;
    }

    /**
     * Delete indices whose date is older than this many days, at start and hourly (default 0: keep
     * all).
     */
    public Builder retentionDays(int days) {
      this.retentionDays = Math.max(0, days);
      return this;
    }

    /** Request worker threads (default twice the processors, at least 4). */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** A collector with this configuration; call {@link LocalCollector#start()} to serve. */
    public LocalCollector build() {
      Builder copy = new Builder();
      copy.openSearch = openSearch;
      copy.indexPrefix = indexPrefix;
      copy.bindAddress = bindAddress;
      copy.httpPort = httpPort;
      copy.xrayUdpPort = xrayUdpPort;
      copy.stateDir = stateDir;
      copy.configFile = configFile;
      copy.authentication = authentication;
      copy.accessKeyId = accessKeyId;
      copy.secretAccessKey = secretAccessKey;
      copy.region = region;
      copy.maxRequestBytes = maxRequestBytes;
      copy.maxBacklogBytes = maxBacklogBytes;
      copy.threads = threads;
      copy.retentionDays = retentionDays;
      copy.maxConnections = maxConnections;
      copy.requestReadTimeout = requestReadTimeout;
      return new LocalCollector(copy);
    }

    private static Path defaultStateDir() {
      String home = System.getenv("TRAILMARK_HOME");
      Path base =
          home != null && !home.isBlank()
              ? Path.of(home)
              : Path.of(System.getProperty("user.home"), ".trailmark");
      return base.resolve("collector");
    }
  }
}
