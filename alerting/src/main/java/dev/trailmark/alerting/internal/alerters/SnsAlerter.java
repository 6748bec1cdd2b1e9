package dev.trailmark.alerting.internal.alerters;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.internal.Notices;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.sns.SnsMessages;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Publishes a notice to an SNS topic (AWS SDK v2, default credentials chain): a readable body for
 * email and SMS subscribers and the notice as JSON for SQS, Lambda and HTTP subscribers (message
 * structure {@code json}); {@code severity}, {@code rule} and {@code state} are message attributes
 * so subscriptions can filter.
 */
public final class SnsAlerter implements Alerter, AutoCloseable {

  private final SnsClient sns;
  private final String topicArn;

  /**
   * A publisher to {@code topicArn} in {@code region}; {@code endpoint} overrides the SNS endpoint
   * (null: AWS).
   */
  public SnsAlerter(String topicArn, String region, URI endpoint) {
    var b =
        SnsClient.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    this.sns = b.build();
    this.topicArn = topicArn;
  }

  @Override
  public String name() {
    return "sns";
  }

  @Override
  public void send(ObjectNode notice) {
    SnsMessages.publish(
        sns,
        topicArn,
        subject(notice),
        Notices.title(notice) + "\n\n" + Notices.body(notice),
        Json.write(notice),
        Map.of(
            "severity", notice.path("severity").asText(),
            "rule", notice.path("rule").path("name").asText(),
            "state", notice.path("state").asText()));
  }

  /** At most 100 printable ASCII characters, as SNS requires. */
  static String subject(ObjectNode notice) {
    return SnsMessages.subject(Notices.title(notice));
  }

  @Override
  public void close() {
    sns.close();
  }
}
