package dev.trailmark.shipper.internal.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Where and how the AWS destinations reach AWS: region, endpoint override, credentials and request
 * timeout, as the user sets them on an appender or on {@code trailmark ship}.
 *
 * <p>The SDK's own retries are switched off: the delivery engine is the one retry loop.
 *
 * @param region AWS region, such as {@code us-east-1}
 * @param endpoint endpoint override (a local collector), or null for AWS
 * @param accessKeyId static credentials, or null for the SDK's default chain
 * @param secretAccessKey static credentials, or null
 * @param requestTimeout limit of one request, after which it is retried
 */
public record AwsEndpointSettings(
    String region,
    URI endpoint,
    String accessKeyId,
    String secretAccessKey,
    Duration requestTimeout) {

  /** Applies these settings to an SDK client builder. */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    builder.region(Region.of(region == null || region.isBlank() ? "us-east-1" : region));
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    builder.credentialsProvider(credentials());
    builder.overrideConfiguration(
        ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallAttemptTimeout(requestTimeout)
            .apiCallTimeout(requestTimeout)
            .build());
    return builder;
  }

  /** The HTTP client: the JDK's URL connection, light and with no extra threads. */
  public UrlConnectionHttpClient.Builder httpClient() {
    return UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofMillis(Math.min(5000, requestTimeout.toMillis())))
        .socketTimeout(requestTimeout);
  }

  private AwsCredentialsProvider credentials() {
    if (accessKeyId != null && !accessKeyId.isBlank()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
