package dev.trailmark.audit.internal.remediation;

import com.amazonaws.xray.interceptors.TracingInterceptor;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigateway.ApiGatewayClient;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.config.ConfigClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS SDK v2 clients the audit handlers use, built lazily once per process with one region, one
 * credentials provider, one HTTP client and optional endpoint overrides (the local stack, or a
 * WireMock stub in tests): a per-service override wins over the common one.
 */
public final class RemediationClients implements AutoCloseable {
  private static final boolean IN_LAMBDA = System.getenv("LAMBDA_TASK_ROOT") != null;
  private final Region region;
  private final AwsCredentialsProvider credentials;
  private final URI endpoint;
  private final Map<String, URI> serviceEndpoints;
  private final SdkHttpClient http;
  private final Map<String, AutoCloseable> built = new ConcurrentHashMap<>();

  private RemediationClients(Builder b) {
    this.region = b.region;
    this.credentials = b.credentials;
    this.endpoint = b.endpoint;
    this.serviceEndpoints = Map.copyOf(b.serviceEndpoints);
    // Apache, not URLConnection: API Gateway's updates are HTTP PATCH, which URLConnection refuses.
    this.http = ApacheHttpClient.builder().build();
  }

  /** A builder with region {@code us-east-1} and the default credentials chain. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Clients configured from the environment: {@code AWS_REGION}, {@code TRAILMARK_AWS_ENDPOINT}
   * (every service) and {@code TRAILMARK_ENDPOINT_<SERVICE>} (e.g. {@code TRAILMARK_ENDPOINT_SQS}).
   */
  public static RemediationClients fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    String region = env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION"));
    if (region != null && !region.isBlank()) {
      b.region(Region.of(region));
    }
    String common = env.get("TRAILMARK_AWS_ENDPOINT");
    if (common != null && !common.isBlank()) {
      b.endpoint(URI.create(common));
    }
    for (String service :
        new String[] {
          "apigateway",
          "ec2",
          "s3",
          "s3control",
          "cloudtrail",
          "config",
          "lambda",
          "logs",
          "sns",
          "sqs",
          "firehose"
        }) {
      String value = env.get("TRAILMARK_ENDPOINT_" + service.toUpperCase(Locale.ROOT));
      if (value != null && !value.isBlank()) {
        b.serviceEndpoint(service, URI.create(value));
      }
    }
    return b.build();
  }

  /** The region every client uses. */
  public Region region() {
    return region;
  }

  ApiGatewayClient apiGateway() {
    return get("apigateway", () -> configure(ApiGatewayClient.builder(), "apigateway").build());
  }

  Ec2Client ec2() {
    return get("ec2", () -> configure(Ec2Client.builder(), "ec2").build());
  }

  S3Client s3() {
    return get(
        "s3",
        () -> {
          var b = configure(S3Client.builder(), "s3");
          if (endpointFor("s3") != null) {
            b.forcePathStyle(true);
          }
          return b.build();
        });
  }

  S3ControlClient s3Control() {
    return get(
        "s3control",
        () -> {
          var b = configure(S3ControlClient.builder(), "s3control");
          URI uri = endpointFor("s3control");
          if (uri != null) {
            // S3 Control's endpoint rules put the account id in front of the host, which a local
            // endpoint (an IP address) cannot take: send every call to the endpoint as given.
            b.endpointProvider(
                params -> CompletableFuture.completedFuture(Endpoint.builder().url(uri).build()));
          }
          return b.build();
        });
  }

  CloudTrailClient cloudTrail() {
    return get("cloudtrail", () -> configure(CloudTrailClient.builder(), "cloudtrail").build());
  }

  /** The AWS Config client (the Config rule handler reads history and puts evaluations with it). */
  public ConfigClient config() {
    return get("config", () -> configure(ConfigClient.builder(), "config").build());
  }

  LambdaClient lambda() {
    return get("lambda", () -> configure(LambdaClient.builder(), "lambda").build());
  }

  CloudWatchLogsClient logs() {
    return get("logs", () -> configure(CloudWatchLogsClient.builder(), "logs").build());
  }

  /** The SNS client for notifications. */
  public SnsClient sns() {
    return get("sns", () -> configure(SnsClient.builder(), "sns").build());
  }

  /** The SQS client for the remediation queue. */
  public SqsClient sqs() {
    return get("sqs", () -> configure(SqsClient.builder(), "sqs").build());
  }

  /** The S3 client for audit records. */
  public S3Client s3ForAudit() {
    return s3();
  }

  /** The Firehose client for audit records bound for OpenSearch. */
  public FirehoseClient firehose() {
    return get("firehose", () -> configure(FirehoseClient.builder(), "firehose").build());
  }

  @SuppressWarnings("unchecked")
  private <T extends AutoCloseable> T get(String name, Supplier<T> factory) {
    return (T) built.computeIfAbsent(name, k -> factory.get());
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String service) {
    builder.region(region).credentialsProvider(credentials).overrideConfiguration(override());
    URI uri = endpointFor(service);
    if (uri != null) {
      builder.endpointOverride(uri);
    }
    if (builder instanceof AwsSyncClientBuilder) {
      ((AwsSyncClientBuilder<?, ?>) builder).httpClient(http);
    }
    return builder;
  }

  private static ClientOverrideConfiguration override() {
    // One retry loop: the SDK's standard mode. The handlers add none of their own; SQS redelivery
    // is the outer loop.
    ClientOverrideConfiguration.Builder b =
        ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD);
    if (IN_LAMBDA) {
      // Every AWS call becomes an X-Ray subsegment of the invocation (the CLI has no trace to
      // join).
      b.addExecutionInterceptor(new TracingInterceptor());
    }
    return b.build();
  }

  private URI endpointFor(String service) {
    return serviceEndpoints.getOrDefault(service, endpoint);
  }

  @Override
  public void close() {
    for (AutoCloseable c : built.values()) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing is best effort at shutdown.
      }
    }
    http.close();
  }

  /** Builds {@link RemediationClients}. */
  public static final class Builder {
    private Region region = Region.US_EAST_1;
    private AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    private URI endpoint;
    private final Map<String, URI> serviceEndpoints = new ConcurrentHashMap<>();

    private Builder() {}

    /** The region of every client. */
    public Builder region(Region region) {
      this.region = region;
      return this;
    }

    /** The credentials of every client. */
    public Builder credentials(AwsCredentialsProvider credentials) {
      this.credentials = credentials;
      return this;
    }

    /** One endpoint for every service (a local stack or a stub). */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * An endpoint for one service: apigateway, ec2, s3, s3control, cloudtrail, config, lambda,
     * logs, sns, sqs, firehose.
     */
    public Builder serviceEndpoint(String service, URI endpoint) {
      this.serviceEndpoints.put(service, endpoint);
      return this;
    }

    /** The clients. */
    public RemediationClients build() {
      return new RemediationClients(this);
    }
  }

  /**
   * The error code AWS answered with ({@code NoSuchBucket}, ...), or "" when the exception carries
   * none.
   */
  static String errorCode(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? ""
        : e.awsErrorDetails().errorCode();
  }

  /**
   * What {@code call} returns, or {@code null} when AWS answers with {@code absentCode}: the
   * services that have no exception class for "there is none" (S3, EC2) say it with an error code.
   * Any other error is thrown.
   */
  static <T> T unlessAbsent(String absentCode, Supplier<T> call) {
    try {
      return call.get();
    } catch (AwsServiceException e) {
      if (absentCode.equals(errorCode(e))) {
        return null;
      }
      throw e;
    }
  }
}
