package dev.trailmark.dashboards.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTP side on the JDK's HttpServer (as the collector's front): static files of the
 * page and the webjars from the classpath, {@code /api/*} JSON from {@link Api}. Only GET and HEAD;
 * a request whose Host is not this server's loopback name is refused, so a web page elsewhere
 * cannot read it through DNS rebinding.
 */
public final class ConsoleServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
  private static final String APP = "dev/trailmark/dashboards/console/";

  /**
   * Requests queued beyond the worker threads; past it the accept loop answers slower, nothing is
   * dropped.
   */
  private static final int WORKERS = 8;

  static {
    // The JDK server writes a response's headers and body as two segments; without TCP_NODELAY the
    // body waits for
    // the client's delayed ACK of the headers (about 40 ms on Linux) on every request. Read once,
    // when the JDK's
    // server configuration loads: set here before the first HttpServer of this JVM unless the user
    // chose a value.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** What {@code Console.Builder} collected. */
  public record Settings(
      URI openSearch, String indexPrefix, String host, int port, Duration queryTimeout) {
    /** Checks every field is set. */
    public Settings {
      Objects.requireNonNull(openSearch, "openSearch");
      Objects.requireNonNull(indexPrefix, "indexPrefix");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(queryTimeout, "queryTimeout");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final OpenSearchReader reader;
  private final Api api;
  private final Assets assets;
  private final URI url;

  private ConsoleServer(Settings settings) throws IOException {
    this.reader = new OpenSearchReader(settings.openSearch(), settings.queryTimeout());
    this.api = new Api(reader, settings.indexPrefix());
    this.assets = new Assets(APP);
    this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
    this.executor =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(256),
            r -> {
              Thread t = new Thread(r, "trailmark-console-http");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    this.url = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/");
  }

  /** Binds and starts serving. */
  public static ConsoleServer start(Settings settings) throws IOException {
    ConsoleServer s = new ConsoleServer(settings);
    s.server.start();
    return s;
  }

  /** The page's address. */
  public URI url() {
    return url;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        error(exchange, 405, "the console is read-only: " + method + " is not allowed");
        return;
      }
      if (!hostAllowed(exchange.getRequestHeaders().getFirst("Host"))) {
        error(exchange, 421, "unexpected Host header; open " + url);
        return;
      }
      if (path.startsWith("/api/")) {
        serveApi(exchange, path);
      } else {
        serveAsset(exchange, path);
      }
    } catch (IOException e) {
      log.debug("console response not sent: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("console request {} failed", exchange.getRequestURI(), e);
    }
  }

  private boolean hostAllowed(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    int colon = h.lastIndexOf(':');
    String name = colon > h.lastIndexOf(']') ? h.substring(0, colon) : h;
    String bound = url.getHost().toLowerCase(Locale.ROOT);
    boolean loopback =
        bound.equals("127.0.0.1") || bound.equals("localhost") || bound.equals("[::1]");
    if (!loopback) {
      return true; // bound to a chosen address on purpose (--host): names in front of it are the
      // operator's
    }
    return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
  }

  private void serveApi(HttpExchange exchange, String path) throws IOException {
    JsonNode body;
    try {
      Params params =
          new Params(exchange.getRequestURI().getRawQuery(), System.currentTimeMillis());
      body = api.answer(path, params);
      if (body == null) {
        error(exchange, 404, "no endpoint " + path);
        return;
      }
    } catch (ApiException e) {
      error(exchange, e.status(), e.getMessage());
      return;
    }
    send(exchange, 200, "application/json", Json.MAPPER.writeValueAsBytes(body), "no-store");
  }

  private void serveAsset(HttpExchange exchange, String path) throws IOException {
    Assets.Asset asset = assets.find(path);
    if (asset == null) {
      error(exchange, 404, "no file " + path);
      return;
    }
    String etag = asset.etag();
    if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
      exchange.getResponseHeaders().set("ETag", etag);
      exchange.sendResponseHeaders(304, -1);
      return;
    }
    exchange.getResponseHeaders().set("ETag", etag);
    send(exchange, 200, asset.contentType(), asset.bytes(), "no-cache");
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    ObjectNode body = Json.object().put("error", message).put("status", status);
    send(exchange, status, "application/json", Json.MAPPER.writeValueAsBytes(body), "no-store");
  }

  private static void send(
      HttpExchange exchange, int status, String contentType, byte[] bytes, String cache)
      throws IOException {
    var h = exchange.getResponseHeaders();
    h.set("Content-Type", contentType);
    h.set("Cache-Control", cache);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set(
        "Content-Security-Policy",
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Stops serving within a second and closes the OpenSearch transport. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    reader.close();
  }

  /** Page files and webjar files, read once from the classpath. */
  static final class Assets {
    record Asset(byte[] bytes, String contentType, String etag) {}

    private static final Map<String, String> TYPES =
        Map.of(
            "html",
            "text/html; charset=utf-8",
            "js",
            "text/javascript; charset=utf-8",
            "mjs",
            "text/javascript; charset=utf-8",
            "css",
            "text/css; charset=utf-8",
            "svg",
            "image/svg+xml",
            "json",
            "application/json",
            "png",
            "image/png");

    /**
     * {@code /vendor/<name>/…} maps to the webjar {@code org.webjars.npm:<name>}, whatever version
     * the pom pins.
     */
    private static final Map<String, String> WEBJARS =
        Map.of("uplot", "uplot", "cytoscape", "cytoscape");

    private final String root;
    private final Map<String, String> webjarVersions = new java.util.HashMap<>();
    private final Map<String, Asset> cache = new java.util.concurrent.ConcurrentHashMap<>();

    Assets(String root) {
      this.root = root;
      for (String name : WEBJARS.values()) {
        try (InputStream in =
            resource("META-INF/maven/org.webjars.npm/" + name + "/pom.properties")) {
          if (in != null) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            webjarVersions.put(name, p.getProperty("version"));
          }
        } catch (IOException e) {
          log.warn("webjar {} version not readable: {}", name, e.toString());
        }
      }
    }

    Asset find(String path) throws IOException {
      if (path.equals("/") || path.isEmpty()) {
        path = "/index.html";
      }
      if (path.contains("..") || path.contains("//") || path.contains("\\")) {
        return null;
      }
      Asset cached = cache.get(path);
      if (cached != null) {
        return cached;
      }
      String resource;
      if (path.startsWith("/vendor/")) {
        String rest = path.substring("/vendor/".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
          return null;
        }
        String version = webjarVersions.get(WEBJARS.get(rest.substring(0, slash)));
        if (version == null) {
          return null;
        }
        resource =
            "META-INF/resources/webjars/"
                + rest.substring(0, slash)
                + "/"
                + version
                + rest.substring(slash);
      } else {
        resource = root + path.substring(1);
      }
      int dot = path.lastIndexOf('.');
      String type = dot < 0 ? null : TYPES.get(path.substring(dot + 1));
      if (type == null) {
        return null;
      }
      byte[] bytes;
      try (InputStream in = resource(resource)) {
        if (in == null) {
          return null;
        }
        bytes = in.readAllBytes();
      }
      String etag =
          "\"" + Integer.toHexString(java.util.Arrays.hashCode(bytes)) + "-" + bytes.length + "\"";
      Asset a = new Asset(bytes, type, etag);
      cache.put(path, a);
      return a;
    }

    private static InputStream resource(String name) {
      return ConsoleServer.class.getClassLoader().getResourceAsStream(name);
    }
  }
}
