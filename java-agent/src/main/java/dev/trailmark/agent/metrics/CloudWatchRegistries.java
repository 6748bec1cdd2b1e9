package dev.trailmark.agent.metrics;

import dev.trailmark.agent.config.AgentConfig;
import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
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

/**
 * Micrometer's CloudWatch registry over the AWS SDK's {@link CloudWatchAsyncClient}, for the {@code cloudwatch}
 * and {@code collector} exporters. A class of its own so that the SDK and the registry are loaded only when one of
 * them is chosen, and only on the agent's background thread.
 */
final class CloudWatchRegistries {

  /** The local collector's default HTTP port, where it speaks CloudWatch's API. */
  static final String COLLECTOR_ENDPOINT = "http://127.0.0.1:4318";

  private CloudWatchRegistries() {}

  /** A started registry publishing every step with PutMetricData. */
  static CloudWatchMeterRegistry create(AgentConfig config, String exporter, ThreadFactory threads) {
    CloudWatchConfig registryConfig = new CloudWatchConfig() {
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
    return new CloudWatchMeterRegistry(registryConfig, Clock.SYSTEM, client(config, exporter, threads), threads);
  }

  static CloudWatchAsyncClient client(AgentConfig config, String exporter, ThreadFactory threads) {
    boolean collector = exporter.equals("collector");
    String endpoint = config.metricsEndpoint() != null ? config.metricsEndpoint()
        : collector ? COLLECTOR_ENDPOINT : null;
    CloudWatchAsyncClientBuilder builder = CloudWatchAsyncClient.builder()
        .region(Region.of(config.region()))
        .credentialsProvider(credentials(collector))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            // One I/O thread and two connections: one request a step, plus a retry.
            .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(1).threadFactory(threads))
            .maxConcurrency(2)
            .connectionTimeout(Duration.ofSeconds(5))
            // Netty's pooled allocator would reserve a multi-MiB arena for a few KiB a minute.
            .putChannelOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT))
        .asyncConfiguration(async -> async.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
            (Executor) Runnable::run)) // the registry only counts down a latch: no pool of its own needed
        .overrideConfiguration(override -> {
          ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, threads);
          timers.setRemoveOnCancelPolicy(true);
          override.scheduledExecutorService(timers).apiCallTimeout(Duration.ofSeconds(30));
          if (endpoint != null) {
            // The collector (or a proxy) reads PutMetricData uncompressed; CloudWatch itself accepts gzip.
            override.compressionConfiguration(compression -> compression.requestCompressionEnabled(false));
          }
        });
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  /**
   * CloudWatch: the SDK's default chain (system properties, environment, web identity, profile, ECS container
   * role, EC2 instance role), so task and instance roles work. The local collector: its default key pair unless
   * {@code AWS_ACCESS_KEY_ID} is set, then the environment's.
   */
  static AwsCredentialsProvider credentials(boolean collector) {
    if (!collector) {
      return DefaultCredentialsProvider.builder().build();
    }
    String key = System.getenv("AWS_ACCESS_KEY_ID");
    return key != null && !key.isEmpty() ? EnvironmentVariableCredentialsProvider.create()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark"));
  }
}
