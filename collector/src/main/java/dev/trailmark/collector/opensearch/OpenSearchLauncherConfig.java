package dev.trailmark.collector.opensearch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings of the local OpenSearch node; {@link #fromEnvironment()} reads the documented
 * {@code TRAILMARK_*} variables, and {@link #builder()} overrides any of them.
 */
public final class OpenSearchLauncherConfig {

  /**
   * The distribution version the build fetches; the launcher accepts any zip of the same layout.
   */
  public static final String DEFAULT_VERSION = "2.19.6";

  private final Path baseDir;
  private final Path distribution;
  private final Path javaHome;
  private final int port;
  private final int transportPort;
  private final String heap;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private OpenSearchLauncherConfig(Builder b) {
    this.baseDir = b.baseDir.toAbsolutePath().normalize();
    this.distribution = b.distribution.toAbsolutePath().normalize();
    this.javaHome = b.javaHome;
    this.port = b.port;
    this.transportPort = b.transportPort > 0 ? b.transportPort : b.port + 100;
    this.heap = b.heap;
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
  }

  /** The defaults, as changed by environment variables and system properties. */
  public static OpenSearchLauncherConfig fromEnvironment() {
    return builder().build();
  }

  /** A builder that starts from {@link #fromEnvironment()}'s values. */
  public static Builder builder() {
    return new Builder(System.getenv());
  }

  static Builder builder(Map<String, String> env) {
    return new Builder(env);
  }

  /** Folder holding the unpacked server, its config, data, logs and pid file. */
  public Path baseDir() {
    return baseDir;
  }

  /** The OpenSearch distribution zip that is unpacked on first start. */
  public Path distribution() {
    return distribution;
  }

  /** The JDK that runs the server (by default the one running Trailmark). */
  public Path javaHome() {
    return javaHome;
  }

  /** HTTP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Transport (node-to-node) port on 127.0.0.1. */
  public int transportPort() {
    return transportPort;
  }

  /** Heap size, as in {@code -Xmx}. */
  public String heap() {
    return heap;
  }

  /** How long a start may take before it is reported with the server log's last lines. */
  public Duration startTimeout() {
    return startTimeout;
  }

  /** How long a stop waits for a clean shutdown before it kills the server. */
  public Duration stopTimeout() {
    return stopTimeout;
  }

  /** Builder for {@link OpenSearchLauncherConfig}. */
  public static final class Builder {
    private Path baseDir;
    private Path distribution;
    private Path javaHome;
    private int port;
    private int transportPort;
    private String heap;
    private Duration startTimeout;
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder(Map<String, String> env) {
      String userHome = System.getProperty("user.home");
      Path home =
          Path.of(setting(env, "TRAILMARK_HOME", "trailmark.home", userHome + "/.trailmark"));
      // OpenSearch refuses root, and the unprivileged user it then runs as cannot enter /root.
      String defaultBase =
          OpenSearchLauncher.isRoot() && home.startsWith(userHome)
              ? "/var/lib/trailmark/opensearch"
              : home.resolve("opensearch").toString();
      baseDir =
          Path.of(
              setting(env, "TRAILMARK_OPENSEARCH_DIR", "trailmark.opensearch.dir", defaultBase));
      String repo = System.getProperty("maven.repo.local", userHome + "/.m2/repository");
      distribution =
          Path.of(
              setting(
                  env,
                  "TRAILMARK_OPENSEARCH_DIST",
                  "trailmark.opensearch.dist",
                  repo
                      + "/org/opensearch/distribution/integ-test-zip/opensearch/"
                      + DEFAULT_VERSION
                      + "/opensearch-"
                      + DEFAULT_VERSION
                      + ".zip"));
      javaHome = Path.of(System.getProperty("java.home"));
      port =
          parseInt(
              "TRAILMARK_OPENSEARCH_PORT",
              setting(env, "TRAILMARK_OPENSEARCH_PORT", "trailmark.opensearch.port", "9200"));
      heap = setting(env, "TRAILMARK_OPENSEARCH_HEAP", "trailmark.opensearch.heap", "1g");
      startTimeout =
          Duration.ofSeconds(
              parseInt(
                  "TRAILMARK_OPENSEARCH_START_TIMEOUT",
                  setting(
                      env,
                      "TRAILMARK_OPENSEARCH_START_TIMEOUT",
                      "trailmark.opensearch.startTimeout",
                      "120")));
    }

    private static String setting(
        Map<String, String> env, String var, String property, String dflt) {
      String value = System.getProperty(property);
      if (value == null || value.isBlank()) {
        value = env.get(var);
      }
      return value == null || value.isBlank() ? dflt : value.trim();
    }

    private static int parseInt(String name, String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new OpenSearchLauncherException(
            name + " must be a whole number, not '" + value + "'");
      }
    }

    /** Folder for the server's files; default {@code $TRAILMARK_HOME/opensearch}. */
    public Builder baseDir(Path baseDir) {
      this.baseDir = Objects.requireNonNull(baseDir);
      return this;
    }

    /** The distribution zip; default the 2.19.6 integ-test zip in the local Maven repository. */
    public Builder distribution(Path distribution) {
      this.distribution = Objects.requireNonNull(distribution);
      return this;
    }

    /** The JDK that runs the server; default the running JDK. */
    public Builder javaHome(Path javaHome) {
      this.javaHome = Objects.requireNonNull(javaHome);
      return this;
    }

    /** HTTP port; default 9200 ({@code TRAILMARK_OPENSEARCH_PORT}). */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Transport port; default the HTTP port plus 100. */
    public Builder transportPort(int transportPort) {
      this.transportPort = transportPort;
      return this;
    }

    /** Heap size; default {@code 1g} ({@code TRAILMARK_OPENSEARCH_HEAP}). */
    public Builder heap(String heap) {
      this.heap = Objects.requireNonNull(heap);
      return this;
    }

    /** Start-up deadline; default 120 s ({@code TRAILMARK_OPENSEARCH_START_TIMEOUT}). */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout);
      return this;
    }

    /** Clean-shutdown deadline before the server is killed; default 30 s. */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = Objects.requireNonNull(stopTimeout);
      return this;
    }

    public OpenSearchLauncherConfig build() {
      return new OpenSearchLauncherConfig(this);
    }
  }
}
