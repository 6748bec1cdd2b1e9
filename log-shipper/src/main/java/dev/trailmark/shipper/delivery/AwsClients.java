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
public record AwsClients(
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

  /**
   * Classifies a failed SDK call. Only a verdict on the events themselves is permanent (they are
   * malformed, too big, out of order): sending them again can never succeed. Everything a person or
   * time can fix keeps the events and is retried: credentials, signatures and clock skew,
   * permissions, a missing or misnamed group or stream, throttling, 5xx, timeouts, I/O errors and
   * any error code this method does not know.
   */
  public static DeliveryException classify(String what, RuntimeException e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      boolean permanent = isVerdictOnEvents(status, code, s.getMessage());
      String detail = what + ": " + (code != null ? code : "HTTP " + status) + " " + s.getMessage();
      if (!permanent
          && status >= 400
          && status < 500
          && !s.isThrottlingException()
          && status != 429
          && !"ResourceNotFoundException".equals(code)) {
        detail +=
            " (the events are kept and retried: fix the credentials, permissions, clock or configuration)";
      }
      return new DeliveryException(detail, !permanent, e);
    }
    if (e instanceof SdkClientException) {
      return new DeliveryException(what + ": " + e.getMessage(), true, e);
    }
    return new DeliveryException(what + ": " + e, true, e);
  }

  /**
   * The error codes with which CloudWatch Logs and Firehose refuse the events of a request
   * themselves. An {@code InvalidParameterException} about the group or stream <em>name</em> is a
   * configuration error, not a verdict on the events, and is retried.
   */
  static boolean isVerdictOnEvents(int status, String code, String message) {
    if (status == 413) {
      return true;
    }
    if (code == null || status >= 500) {
      return false;
    }
    switch (code) {
      case "InvalidParameterException":
      case "InvalidArgumentException":
      case "ValidationException":
        String m = message == null ? "" : message;
        return !(m.contains("logGroupName")
            || m.contains("logStreamName")
            || m.contains("DeliveryStreamName")
            || m.contains("deliveryStreamName")
            || m.contains("log group name")
            || m.contains("log stream name"));
      case "SerializationException":
      case "RequestEntityTooLargeException":
      case "DataAlreadyAcceptedException":
        return true;
      default:
        return false;
    }
  }
}
