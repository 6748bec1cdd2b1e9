package dev.trailmark.shipper.logback;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import dev.trailmark.shipper.DeliveryStats;
import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import dev.trailmark.shipper.internal.delivery.DeliveryListener;
import dev.trailmark.shipper.internal.delivery.Destination;
import dev.trailmark.shipper.internal.delivery.FsyncPolicy;
import dev.trailmark.shipper.internal.delivery.OverflowPolicy;
import dev.trailmark.shipper.internal.json.JsonWriter;
import dev.trailmark.shipper.internal.metrics.ShipperMetrics;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The part every Trailmark Logback appender shares: encoding on the logging thread, the delivery
 * engine (buffer, batching, retries, spool), flush on stop and from a shutdown hook, status reports
 * and metrics. Subclasses only build their {@link Destination}.
 */
public abstract class DeliveryAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private Encoder<ILoggingEvent> encoder;
  private String region;
  private String endpoint;
  private String accessKeyId;
  private String secretAccessKey;
  private long maxBufferBytes = 16L * 1024 * 1024;
  private String overflowPolicy = "drop-oldest";
  private long maxBlockMillis = 365L * 24 * 3600 * 1000;
  private long maxBatchDelayMillis = 1000;
  private long retryBaseMillis = 100;
  private long retryMaxMillis = 10_000;
  private long requestTimeoutMillis = 10_000;
  private long shutdownTimeoutMillis = 10_000;
  private String spoolDir;
  private long spoolMaxBytes = 256L * 1024 * 1024;
  private long spoolSegmentBytes = 8L * 1024 * 1024;
  private String fsync = "interval";
  private long fsyncIntervalMillis = 1000;
  private boolean registerShutdownHook = true;
  private boolean metrics = true;

  private volatile DeliveryEngine engine;
  private volatile DeliveryStats stats;
  private TrailmarkJsonEncoder fastEncoder;
  private Thread shutdownHook;
  private AutoCloseable metricsBinding;

  /**
   * Builds the destination from this appender's properties; {@code aws} holds the shared AWS
   * settings.
   */
  abstract Destination createDestination(AwsEndpointSettings aws) throws Exception;

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    if (encoder == null) {
      TrailmarkJsonEncoder e = new TrailmarkJsonEncoder();
      e.setContext(getContext());
      e.start();
      encoder = e;
    }
    fastEncoder = encoder instanceof TrailmarkJsonEncoder ? (TrailmarkJsonEncoder) encoder : null;
    WarningsOnConsole.addIfNoListener(getContext());
    String invalid = invalidSetting();
    if (invalid != null) {
      addError("Appender " + getName() + " not started: " + invalid);
      return;
    }
    try {
      String r =
          region != null
              ? region
              : firstNonBlank(
                  System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"), "us-east-1");
      AwsEndpointSettings aws =
          new AwsEndpointSettings(
              r,
              endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint),
              accessKeyId,
              secretAccessKey,
              java.time.Duration.ofMillis(requestTimeoutMillis));
      Destination destination = createDestination(aws);
      DeliveryEngine.Builder b =
          DeliveryEngine.builder(destination)
              .maxBufferBytes(maxBufferBytes)
              .overflowPolicy(parseOverflowPolicy(overflowPolicy))
              .maxBlock(java.time.Duration.ofMillis(maxBlockMillis))
              .maxBatchDelay(java.time.Duration.ofMillis(maxBatchDelayMillis))
              .retryBackoff(
                  java.time.Duration.ofMillis(retryBaseMillis),
                  java.time.Duration.ofMillis(retryMaxMillis))
              .threadName("trailmark-" + getName())
              .listener(
                  new DeliveryListener() {
                    @Override
                    public void warn(String message, Throwable error) {
                      addWarn(message, error);
                    }

                    @Override
                    public void info(String message) {
                      addInfo(message);
                    }
                  });
      if (spoolDir != null && !spoolDir.isBlank()) {
        b.spool(Path.of(spoolDir), spoolMaxBytes)
            .spoolSegmentBytes(spoolSegmentBytes)
            .fsync(parseFsync(fsync), java.time.Duration.ofMillis(fsyncIntervalMillis));
      }
      engine = b.start();
      stats = engine.stats();
    } catch (Exception e) {
      addError("Cannot start appender " + getName() + ": " + e.getMessage(), e);
      return;
    }
    if (metrics) {
      metricsBinding = ShipperMetrics.bindIfPresent(engine, getName());
    }
    if (registerShutdownHook) {
      shutdownHook = new Thread(this::stopEngine, "trailmark-" + getName() + "-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    DeliveryEngine e = engine;
    if (e == null || e.isSenderThread()) {
      return; // the SDK logging from our own sender thread must not feed back into the queue
    }
    if (fastEncoder != null) {
      JsonWriter w = fastEncoder.writer();
      fastEncoder.write(event, w);
      e.offer(event.getTimeStamp(), w.buffer(), 0, w.size());
    } else {
      byte[] bytes = encoder.encode(event);
      int len = bytes.length;
      while (len > 0 && (bytes[len - 1] == '\n' || bytes[len - 1] == '\r')) {
        len--; // one event per API entry: the line end belongs to files, not to the API
      }
      e.offer(event.getTimeStamp(), bytes, 0, len);
    }
  }

  /** Sends everything logged so far; true when acknowledged within {@code timeoutMillis}. */
  public boolean flush(long timeoutMillis) {
    DeliveryEngine e = engine;
    return e == null || e.flush(java.time.Duration.ofMillis(timeoutMillis));
  }

  /** Delivery counters (live while started, final after stop), or null before the first start. */
  public DeliveryStats getStats() {
    return stats;
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the hook is running or will run; stopEngine is idempotent
      }
    }
    stopEngine();
  }

  private synchronized void stopEngine() {
    DeliveryEngine e = engine;
    if (e == null) {
      return;
    }
    boolean complete = e.close(java.time.Duration.ofMillis(shutdownTimeoutMillis));
    if (complete) {
      addInfo(getName() + " flushed: " + e.stats());
    } else {
      addWarn(getName() + " stopped before everything was sent: " + e.stats());
    }
    if (metricsBinding != null) {
      try {
        metricsBinding.close();
      } catch (Exception ignored) {
        // metrics are best effort
      }
    }
    engine = null;
  }

  /**
   * The first setting that cannot work, said with the values it allows; null when every one is
   * fine.
   */
  private String invalidSetting() {
    if (parseOverflowPolicy(overflowPolicy) == null) {
      return "overflowPolicy '"
          + overflowPolicy
          + "' is not one of block, drop-oldest, drop-newest";
    }
    if (parseFsync(fsync) == null) {
      return "fsync '" + fsync + "' is not one of always, interval, never";
    }
    if (maxBufferBytes < 64 * 1024) {
      return "maxBufferSize must be at least 64KB, not " + maxBufferBytes + " bytes";
    }
    for (Object[] d :
        new Object[][] {
          {"maxBlock", maxBlockMillis},
          {"maxBatchDelay", maxBatchDelayMillis},
          {"retryBase", retryBaseMillis},
          {"retryMax", retryMaxMillis},
          {"requestTimeout", requestTimeoutMillis},
          {"shutdownTimeout", shutdownTimeoutMillis},
          {"fsyncInterval", fsyncIntervalMillis}
        }) {
      if ((Long) d[1] < 0) {
        return d[0] + " must not be negative";
      }
    }
    if (requestTimeoutMillis == 0) {
      return "requestTimeout must be longer than 0 milliseconds";
    }
    if (retryMaxMillis < retryBaseMillis) {
      return "retryMax ("
          + retryMaxMillis
          + " ms) must not be shorter than retryBase ("
          + retryBaseMillis
          + " ms)";
    }
    return null;
  }

  private static OverflowPolicy parseOverflowPolicy(String value) {
    try {
      return value == null ? null : OverflowPolicy.parse(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static FsyncPolicy parseFsync(String value) {
    try {
      return value == null ? null : FsyncPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  long maxBufferBytes() {
    return maxBufferBytes;
  }

  long maxBatchDelayMillis() {
    return maxBatchDelayMillis;
  }

  long requestTimeoutMillis() {
    return requestTimeoutMillis;
  }

  long retryMaxMillis() {
    return retryMaxMillis;
  }

  long shutdownTimeoutMillis() {
    return shutdownTimeoutMillis;
  }

  /** The encoder of each event (default {@link TrailmarkJsonEncoder}). */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /** AWS region (default {@code AWS_REGION}, then us-east-1). */
  public void setRegion(String region) {
    this.region = region;
  }

  /** Endpoint override, such as the local collector {@code http://127.0.0.1:4318}. */
  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  /** Static access key id (default: the SDK's default credentials chain). */
  public void setAccessKeyId(String accessKeyId) {
    this.accessKeyId = accessKeyId;
  }

  /** Static secret key, with {@link #setAccessKeyId}. */
  public void setSecretAccessKey(String secretAccessKey) {
    this.secretAccessKey = secretAccessKey;
  }

  /** Bound of the memory buffer, such as {@code 64MB} (default 16MB). */
  public void setMaxBufferSize(FileSize size) {
    this.maxBufferBytes = size.getSize();
  }

  /** The same as {@code maxBufferSize}, in bytes (kept for existing configurations). */
  public void setMaxBufferBytes(long maxBufferBytes) {
    this.maxBufferBytes = maxBufferBytes;
  }

  /** {@code block}, {@code drop-oldest} (default) or {@code drop-newest}. */
  public void setOverflowPolicy(String overflowPolicy) {
    this.overflowPolicy = overflowPolicy;
  }

  /**
   * Longest wait of a logging thread with overflowPolicy=block, such as {@code 2 seconds} (default:
   * no limit).
   */
  public void setMaxBlock(Duration duration) {
    this.maxBlockMillis = duration.getMilliseconds();
  }

  /** The same as {@code maxBlock}, in milliseconds (kept for existing configurations). */
  public void setMaxBlockMillis(long maxBlockMillis) {
    this.maxBlockMillis = maxBlockMillis;
  }

  /** Longest wait for a batch to fill, such as {@code 5 seconds} (default 1 second). */
  public void setMaxBatchDelay(Duration duration) {
    this.maxBatchDelayMillis = duration.getMilliseconds();
  }

  /** The same as {@code maxBatchDelay}, in milliseconds (kept for existing configurations). */
  public void setMaxBatchDelayMillis(long maxBatchDelayMillis) {
    this.maxBatchDelayMillis = maxBatchDelayMillis;
  }

  /** First retry backoff (default 100 milliseconds). */
  public void setRetryBase(Duration duration) {
    this.retryBaseMillis = duration.getMilliseconds();
  }

  /** The same as {@code retryBase}, in milliseconds (kept for existing configurations). */
  public void setRetryBaseMillis(long retryBaseMillis) {
    this.retryBaseMillis = retryBaseMillis;
  }

  /** Largest retry backoff (default 10 seconds). */
  public void setRetryMax(Duration duration) {
    this.retryMaxMillis = duration.getMilliseconds();
  }

  /** The same as {@code retryMax}, in milliseconds (kept for existing configurations). */
  public void setRetryMaxMillis(long retryMaxMillis) {
    this.retryMaxMillis = retryMaxMillis;
  }

  /** Timeout of one request (default 10 seconds). */
  public void setRequestTimeout(Duration duration) {
    this.requestTimeoutMillis = duration.getMilliseconds();
  }

  /** The same as {@code requestTimeout}, in milliseconds (kept for existing configurations). */
  public void setRequestTimeoutMillis(long requestTimeoutMillis) {
    this.requestTimeoutMillis = requestTimeoutMillis;
  }

  /** How long stop() and the shutdown hook keep sending (default 10 seconds). */
  public void setShutdownTimeout(Duration duration) {
    this.shutdownTimeoutMillis = duration.getMilliseconds();
  }

  /** The same as {@code shutdownTimeout}, in milliseconds (kept for existing configurations). */
  public void setShutdownTimeoutMillis(long shutdownTimeoutMillis) {
    this.shutdownTimeoutMillis = shutdownTimeoutMillis;
  }

  /** Directory of the disk spool; unset (default) buffers in memory. */
  public void setSpoolDir(String spoolDir) {
    this.spoolDir = spoolDir;
  }

  /** Bound of the spool on disk, such as {@code 1GB} (default 256MB). */
  public void setSpoolMaxSize(FileSize size) {
    this.spoolMaxBytes = size.getSize();
  }

  /** The same as {@code spoolMaxSize}, in bytes (kept for existing configurations). */
  public void setSpoolMaxBytes(long spoolMaxBytes) {
    this.spoolMaxBytes = spoolMaxBytes;
  }

  /** Size of one spool segment file (default 8MB). */
  public void setSpoolSegmentSize(FileSize size) {
    this.spoolSegmentBytes = size.getSize();
  }

  /** The same as {@code spoolSegmentSize}, in bytes (kept for existing configurations). */
  public void setSpoolSegmentBytes(long spoolSegmentBytes) {
    this.spoolSegmentBytes = spoolSegmentBytes;
  }

  /** {@code always}, {@code interval} (default) or {@code never}. */
  public void setFsync(String fsync) {
    this.fsync = fsync;
  }

  /** Period of fsync=interval (default 1 second). */
  public void setFsyncInterval(Duration duration) {
    this.fsyncIntervalMillis = duration.getMilliseconds();
  }

  /** The same as {@code fsyncInterval}, in milliseconds (kept for existing configurations). */
  public void setFsyncIntervalMillis(long fsyncIntervalMillis) {
    this.fsyncIntervalMillis = fsyncIntervalMillis;
  }

  /** Whether a JVM shutdown hook flushes the appender (default true). */
  public void setRegisterShutdownHook(boolean registerShutdownHook) {
    this.registerShutdownHook = registerShutdownHook;
  }

  /** Whether to register Micrometer meters when Micrometer is present (default true). */
  public void setMetrics(boolean metrics) {
    this.metrics = metrics;
  }
}
