package dev.trailmark.dashboards.console;

import dev.trailmark.dashboards.console.internal.ConsoleServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The local web console: one page over the indices the collector writes (services, service map,
 * traces, logs, metrics, audit findings, alerts), served with its read-only JSON endpoints from
 * this JVM.
 */
public final class Console implements AutoCloseable {

  private final ConsoleServer server;

  private Console(ConsoleServer server) {
    this.server = server;
  }

  /** A builder with the defaults {@code ./trailmark console} uses. */
  public static Builder builder() {
    return new Builder();
  }

  /** Where a browser opens the console, e.g. {@code http://127.0.0.1:5601/}. */
  public URI url() {
    return server.url();
  }

  /** Stops serving; requests in flight get up to one second to finish. */
  @Override
  public void close() {
    server.close();
  }

  /** Immutable settings of a console, collected before it starts. */
  public static final class Builder {
    private URI openSearch = URI.create("http://127.0.0.1:9200");
    private String indexPrefix = "";
    private String host = "127.0.0.1";
    private int port = 5601;
    private Duration queryTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * The OpenSearch endpoint to read (plain HTTP, or an Amazon OpenSearch Service endpoint signed
     * with SigV4).
     */
    public Builder openSearch(URI openSearch) {
      this.openSearch = Objects.requireNonNull(openSearch, "openSearch");
      return this;
    }

    /** The collector's {@code --index-prefix}: every index name read starts with it. */
    public Builder indexPrefix(String indexPrefix) {
      this.indexPrefix = Objects.requireNonNull(indexPrefix, "indexPrefix");
      return this;
    }

    /** The address to listen on; loopback by default, since the console has no login. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port to listen on (5601 by default, 0 for any free port). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The longest an endpoint waits for OpenSearch before it answers 504 (10 s by default). */
    public Builder queryTimeout(Duration queryTimeout) {
      if (queryTimeout.isNegative() || queryTimeout.isZero()) {
        throw new IllegalArgumentException("queryTimeout must be positive");
      }
      this.queryTimeout = queryTimeout;
      return this;
    }

    /** Binds the port and starts serving. */
    public Console start() throws IOException {
      return new Console(
          ConsoleServer.start(
              new ConsoleServer.Settings(openSearch, indexPrefix, host, port, queryTimeout)));
    }
  }
}
