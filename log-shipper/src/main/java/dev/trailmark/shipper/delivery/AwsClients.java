package dev.trailmark.shipper.delivery;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Settings shared by the AWS adapters: region, endpoint override, credentials and timeouts.
 *
 * <p>The SDK's own retries are switched off: the delivery engine is the one retry loop.
 *
 * @param region AWS region, such as {@code us-east-1}
 * @param endpoint endpoint override (a local collector), or null for AWS
 * @param accessKeyId static credentials, or null for the SDK's default chain
 * @param secretAccessKey static credentials, or null
 * @param requestTimeout limit of one request, after which it is retried
 */
public record AwsClients(String region, URI endpoint, String accessKeyId, String secretAccessKey,
    Duration requestTimeout) {

  /** Applies these settings to an SDK client builder. */
  public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
    builder.region(Region.of(region == null || region.isBlank() ? "us-east-1" : region));
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    builder.credentialsProvider(credentials());
    builder.overrideConfiguration(ClientOverrideConfiguration.builder()
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
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private static final java.util.Set<String> AUTH_FAILURES = java.util.Set.of("InvalidSignatureException",
      "UnrecognizedClientException", "IncompleteSignatureException", "MissingAuthenticationTokenException",
      "SignatureDoesNotMatch", "InvalidClientTokenId", "AccessDeniedException");

  /** Classifies a failed SDK call: throttling, 5xx, timeouts and I/O errors are worth retrying. */
  public static DeliveryException classify(String what, RuntimeException e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      boolean retryable = status >= 500 || status == 429 || s.isThrottlingException()
          || "ThrottlingException".equals(code) || "ServiceUnavailableException".equals(code)
          || "LimitExceededException".equals(code) || "RequestTimeout".equals(code)
          || "ExpiredTokenException".equals(code) || status == 403 || status == 401
          // wrong or stale credentials: AWS's JSON APIs (CloudWatch Logs, Firehose) answer these with 400, not
          // 403; the events stay until the credentials are fixed
          || AUTH_FAILURES.contains(code)
          // a stream or group that does not exist yet may be created by its owner: keep the events
          || "ResourceNotFoundException".equals(code);
      return new DeliveryException(what + ": " + (code != null ? code : "HTTP " + status) + " "
          + s.getMessage(), retryable, e);
    }
    if (e instanceof SdkClientException) {
      return new DeliveryException(what + ": " + e.getMessage(), true, e);
    }
    return new DeliveryException(what + ": " + e, true, e);
  }
}
