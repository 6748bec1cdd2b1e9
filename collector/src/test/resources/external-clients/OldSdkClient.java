import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.util.VersionInfo;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * A user's program built on an older AWS SDK for Java v2, run by the collector's OldJavaSdkIT in its own JVM with
 * only that SDK's jars on the class path: {@code java -cp 'target/old-aws-sdk/*' OldSdkClient.java ENDPOINT MARKER}.
 * Prints one {@code key=value} line per answer.
 */
public class OldSdkClient {

  static final Set<String> SIGNED_HEADERS = new TreeSet<>();

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    String marker = args[1];
    System.out.println("sdkVersion=" + VersionInfo.SDK_VERSION);

    try (CloudWatchLogsClient logs = CloudWatchLogsClient.builder().endpointOverride(endpoint)
        .region(Region.US_EAST_1).credentialsProvider(credentials("trailmark", "trailmark"))
        .httpClient(UrlConnectionHttpClient.create()).overrideConfiguration(recording()).build()) {
      String group = "/old-sdk/" + marker;
      logs.createLogGroup(r -> r.logGroupName(group));
      logs.createLogStream(r -> r.logGroupName(group).logStreamName("s1"));
      long now = System.currentTimeMillis();
      logs.putLogEvents(r -> r.logGroupName(group).logStreamName("s1").logEvents(
          InputLogEvent.builder().timestamp(now).message("old-sdk " + marker + " first").build(),
          InputLogEvent.builder().timestamp(now + 1).message("old-sdk " + marker + " second").build()));
      List<OutputLogEvent> events = List.of();
      // Like CloudWatch Logs, the collector makes events readable shortly after it acknowledges them.
      for (long deadline = System.currentTimeMillis() + 60_000; events.size() < 2 && System.currentTimeMillis() < deadline; ) {
        events = logs.getLogEvents(r -> r.logGroupName(group).logStreamName("s1").startFromHead(true)).events();
        if (events.size() < 2) {
          Thread.sleep(500);
        }
      }
      System.out.println("get=" + events.stream().map(OutputLogEvent::message).toList());
      System.out.println("filter=" + logs.filterLogEvents(r -> r.logGroupName(group).filterPattern("second")).events()
          .stream().map(e -> e.message()).toList());
    }

    try (FirehoseClient firehose = FirehoseClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials("trailmark", "trailmark")).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(recording()).build()) {
      System.out.println("streams=" + firehose.listDeliveryStreams().deliveryStreamNames());
      firehose.putRecord(r -> r.deliveryStreamName("trailmark-access-logs").record(record(marker, 1)));
      System.out.println("batchFailed=" + firehose.putRecordBatch(r -> r.deliveryStreamName("trailmark-access-logs")
          .records(record(marker, 2), record(marker, 3))).failedPutCount());
    }

    try (CloudWatchClient cloudwatch = CloudWatchClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(credentials("trailmark", "trailmark")).httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(recording()).build()) {
      cloudwatch.putMetricData(r -> r.namespace("OldSdk/" + marker).metricData(MetricDatum.builder()
          .metricName("latency").value(12.5).unit(StandardUnit.MILLISECONDS).timestamp(Instant.now())
          .dimensions(Dimension.builder().name("service").value("checkout").build()).build()));
      System.out.println("metric=ok");
    }

    try (CloudWatchLogsClient wrong = CloudWatchLogsClient.builder().endpointOverride(endpoint)
        .region(Region.US_EAST_1).credentialsProvider(credentials("trailmark", "not-the-secret"))
        .httpClient(UrlConnectionHttpClient.create()).build()) {
      wrong.describeLogGroups();
      System.out.println("wrongSecret=accepted");
    } catch (AwsServiceException e) {
      System.out.println("wrongSecret=" + e.awsErrorDetails().errorCode() + " " + e.statusCode());
    }
    System.out.println("signedHeaders=" + String.join("|", SIGNED_HEADERS));
  }

  static StaticCredentialsProvider credentials(String key, String secret) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret));
  }

  static Record record(String marker, int n) {
    return Record.builder().data(SdkBytes.fromUtf8String(
        "{\"client\":\"old-sdk\",\"marker\":\"" + marker + "\",\"n\":" + n + "}\n")).build();
  }

  /** Notes the SignedHeaders of every request sent, to show which headers this SDK release signs. */
  static ClientOverrideConfiguration recording() {
    return ClientOverrideConfiguration.builder().addExecutionInterceptor(new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String authorization = context.httpRequest().firstMatchingHeader("Authorization").orElse("");
        int at = authorization.indexOf("SignedHeaders=");
        if (at >= 0) {
          int end = authorization.indexOf(',', at);
          SIGNED_HEADERS.add(authorization.substring(at + 14, end < 0 ? authorization.length() : end));
        }
      }
    }).build();
  }
}
