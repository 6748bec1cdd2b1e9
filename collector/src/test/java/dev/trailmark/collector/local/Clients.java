package dev.trailmark.collector.local;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/** Real AWS SDK clients pointed at a local collector the way README tells users to. */
final class Clients {

  private Clients() {}

  static StaticCredentialsProvider credentials(String secret) {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(LocalCollector.DEFAULT_ACCESS_KEY_ID, secret));
  }

  static CloudWatchLogsClient logs(URI endpoint) {
    return logs(
        endpoint, LocalCollector.DEFAULT_SECRET_ACCESS_KEY, Region.US_EAST_1, RetryMode.STANDARD);
  }

  static CloudWatchLogsClient logs(
      URI endpoint, String secret, Region region, RetryMode retryMode) {
    return CloudWatchLogsClient.builder()
        .endpointOverride(endpoint)
        .region(region)
        .credentialsProvider(credentials(secret))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().retryStrategy(retryMode).build())
        .build();
  }
}
