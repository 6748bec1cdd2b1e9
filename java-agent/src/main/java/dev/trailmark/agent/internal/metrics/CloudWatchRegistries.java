package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.config.AgentConfig;
import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClientBuilder;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

/**
 * Micrometer's CloudWatch registry over the AWS SDK's {@link CloudWatchAsyncClient}, for the {@code
 * cloudwatch} and {@code collector} exporters. A class of its own so that the SDK and the registry
 * are loaded only when one of them is chosen, and only on the agent's background thread.
 */
final class CloudWatchRegistries {

  /** The local collector's default endpoint, where it speaks CloudWatch's API. */
  static final String COLLECTOR_ENDPOINT = "http://127.0.0.1:4318";

  private CloudWatchRegistries() {}

  /** A started registry publishing every step with PutMetricData. */
  static CloudWatchMeterRegistry create(
      AgentConfig config, String exporter, ThreadFactory threads) {
    CloudWatchConfig registryConfig =
        new CloudWatchConfig() {
          @Override
          public String get(String key) {
            return null; // every setting below, no other source
          }

          @Override
          public String namespace() {
            return config.metricsNamespace();
          }

          @Override
          public Duration step() {
            return Duration.ofMillis(config.metricsStepMillis());
          }
        };
    BackgroundClient client = new BackgroundClient(config, exporter, threads);
    return new CloudWatchMeterRegistry(registryConfig, Clock.SYSTEM, client, threads) {
      @Override
      public void close() {
        super.close(); // publishes the last, partial step
        try {
          client.awaitSent(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  /**
   * The registry's client. The SDK client is built when the registry first publishes (the first
   * step's end, up to 60 s after start by default), on a thread of its own: its thousands of
   * classes (SDK, Netty) and their memory stay out of the application's start-up. The registry
   * calls nothing but {@code putMetricData}, and each call returns at once while the request is
   * sent in the background: a publish that outlasted its step (the SDK's first call, a slow
   * endpoint) would make Micrometer's fixed-rate schedule run the missed publishes back to back,
   * sending one step's values several times. At most {@link #MAX_IN_FLIGHT} requests are in flight;
   * a publish past that is refused (one error line) and its step dropped. A failed request is one
   * error line.
   */
  static final class BackgroundClient implements CloudWatchAsyncClient {
    static final int MAX_IN_FLIGHT =
        16; // one a step normally; with 1 s steps (tests), the build may take several
    private final AgentConfig config;
    private final String exporter;
    private final ThreadFactory threads;
    private int inFlight; // guarded by this
    private volatile CloudWatchAsyncClient client;
    private CompletableFuture<CloudWatchAsyncClient> building; // guarded by this

    BackgroundClient(AgentConfig config, String exporter, ThreadFactory threads) {
      this.config = config;
      this.exporter = exporter;
      this.threads = threads;
    }

    @Override
    public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
      CompletableFuture<CloudWatchAsyncClient> ready;
      synchronized (this) {
        if (inFlight >= MAX_IN_FLIGHT) {
          CompletableFuture<PutMetricDataResponse> refused = new CompletableFuture<>();
          refused.completeExceptionally(
              new IllegalStateException(
                  MAX_IN_FLIGHT + " PutMetricData requests still in flight; this step is dropped"));
          return refused;
        }
        inFlight++;
        ready = client != null ? CompletableFuture.completedFuture(client) : building();
      }
      ready
          .thenCompose(built -> built.putMetricData(request))
          .whenComplete(
              (response, failure) -> {
                synchronized (this) {
                  inFlight--;
                  notifyAll();
                }
                if (failure != null) {
                  LoggerFactory.getLogger(CloudWatchMeterRegistry.class)
                      .error("error sending metric data.", failure);
                }
              });
      return CompletableFuture.completedFuture(PutMetricDataResponse.builder().build());
    }

    private CompletableFuture<CloudWatchAsyncClient> building() {
      if (building == null) {
        CompletableFuture<CloudWatchAsyncClient> future = new CompletableFuture<>();
        building = future;
        threads
            .newThread(
                () -> {
                  try {
                    CloudWatchAsyncClient built =
                        CloudWatchRegistries.client(config, exporter, threads);
                    client = built;
                    future.complete(built);
                  } catch (Throwable e) {
                    synchronized (this) {
                      building = null; // the next publish tries again
                    }
                    future.completeExceptionally(e);
                  }
                })
            .start();
      }
      return building;
    }

    /**
     * Waits until nothing is in flight, or {@code millis} passed: the last step, published at exit.
     */
    synchronized void awaitSent(long millis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + millis;
      for (long left = millis;
          inFlight > 0 && left > 0;
          left = deadline - System.currentTimeMillis()) {
        wait(left);
      }
    }

    @Override
    public String serviceName() {
      return SERVICE_NAME;
    }

    @Override
    public void close() {
      CloudWatchAsyncClient ready = client;
      if (ready != null) {
        ready.close();
      }
    }
  }

  /**
   * The shaded Netty's own name for {@code io.netty.noUnsafe} (relocated with it, so an
   * application's Netty never reads it): without it, Netty's first {@code sun.misc.Unsafe} call
   * prints Java 24+'s four-line deprecation warning into the application's output. Plain NIO
   * buffers are plenty for one request a step.
   */
  static final String NETTY_NO_UNSAFE = "dev.trailmark.agent.shaded.io.netty.noUnsafe";

  static CloudWatchAsyncClient client(AgentConfig config, String exporter, ThreadFactory threads) {
    if (System.getProperty(NETTY_NO_UNSAFE) == null) {
      System.setProperty(NETTY_NO_UNSAFE, "true");
    }
    boolean collector = exporter.equals("collector");
    String endpoint =
        config.metricsEndpoint() != null
            ? config.metricsEndpoint()
            : collector ? COLLECTOR_ENDPOINT : null;
    CloudWatchAsyncClientBuilder builder =
        CloudWatchAsyncClient.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials(collector))
            .httpClientBuilder(
                NettyNioAsyncHttpClient.builder()
                    // One I/O thread and two connections: one request a step, plus a retry.
                    .eventLoopGroupBuilder(
                        SdkEventLoopGroup.builder().numberOfThreads(1).threadFactory(threads))
                    .maxConcurrency(2)
                    .connectionTimeout(Duration.ofSeconds(5))
                    // Netty's pooled allocator would reserve a multi-MiB arena for a few KiB a
                    // minute.
                    .putChannelOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT))
            .asyncConfiguration(
                async ->
                    async.advancedOption(
                        SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
                        (Executor)
                            Runnable
                                ::run)) // the registry only counts down a latch: no pool of its own
            // needed
            .overrideConfiguration(
                override -> {
                  ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, threads);
                  timers.setRemoveOnCancelPolicy(true);
                  override.scheduledExecutorService(timers).apiCallTimeout(Duration.ofSeconds(30));
                  if (endpoint != null) {
                    // The collector (or a proxy) reads PutMetricData uncompressed; CloudWatch
                    // itself accepts gzip.
                    override.compressionConfiguration(
                        compression -> compression.requestCompressionEnabled(false));
                  }
                });
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  /**
   * CloudWatch: the SDK's default chain (system properties, environment, web identity, profile, ECS
   * container role, EC2 instance role), so task, pod (EKS service account: the agent carries the
   * SDK's STS client, which the web identity provider needs) and instance roles work. The local
   * collector: its default key pair unless {@code AWS_ACCESS_KEY_ID} is set, then the
   * environment's.
   */
  static AwsCredentialsProvider credentials(boolean collector) {
    if (!collector) {
      return DefaultCredentialsProvider.builder().build();
    }
    String key = System.getenv("AWS_ACCESS_KEY_ID");
    return key != null && !key.isEmpty()
        ? EnvironmentVariableCredentialsProvider.create()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark"));
  }
}
