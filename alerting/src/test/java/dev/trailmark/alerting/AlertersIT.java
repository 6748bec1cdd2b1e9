package dev.trailmark.alerting;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The alerters: the webhook against a local JDK HTTP server that refuses the first attempts, a
 * Slack-compatible payload, SNS through the real AWS SDK against a wire-level stand-in, and a
 * notice that never gets through, which is recorded as failed in the alerts index (never dropped).
 */
@ExtendWith(OpenSearchExtension.class)
class AlertersIT {
  private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:trailmark-alerts";
  private static OpenSearchInstance os;
  private static WireMockServer sns;

  @BeforeAll
  static void init(OpenSearchInstance instance) {
    os = instance;
    System.setProperty("aws.accessKeyId", "trailmark");
    System.setProperty("aws.secretAccessKey", "trailmark");
    sns = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    sns.start();
  }

  @AfterAll
  static void stop() {
    sns.stop();
  }

  private static final String ANY =
      "type: any\nrealert: {minutes: 0}\nbuffer_time: {minutes: 0}\nquery_key: svc\n";

  @Test
  void webhookRetriesWithBackoffUntilTheReceiverAccepts() throws Exception {
    try (Fixture f = new Fixture(os, "retry")) {
      f.rule("retry", ANY);
      f.status = n -> n <= 2 ? 503 : 200;
      f.docs("a", 1, 10, 1, Map.of("body", "disk full"));
      f.cycleAt(61);
      assertThat(f.calls.get()).isEqualTo(3);
      assertThat(f.received).hasSize(1);
      JsonNode posted = f.received.get(0);
      assertThat(posted.path("rule").path("name").asText()).isEqualTo("retry");
      assertThat(posted.path("message").asText()).isEqualTo("disk full");
      JsonNode delivery = f.alertDocs("retry").get(0).path("delivery").path(0);
      assertThat(delivery.path("alerter").asText()).isEqualTo("post");
      assertThat(delivery.path("status").asText()).isEqualTo("sent");
      assertThat(delivery.path("attempts").asLong()).isEqualTo(3);
    }
  }

  @Test
  void aNoticeThatNeverGetsThroughIsRecordedAsFailed() throws Exception {
    try (Fixture f = new Fixture(os, "never")) {
      f.rule("never", ANY);
      f.status = n -> 500;
      f.docs("a", 1, 10, 1, Map.of());
      f.docs("b", 1, 20, 1, Map.of());
      f.cycleAt(61);
      assertThat(f.calls.get()).isEqualTo(8); // 4 attempts for each of the two notices
      List<JsonNode> docs = f.alertDocs("never");
      assertThat(docs).hasSize(2);
      for (JsonNode d : docs) {
        JsonNode delivery = d.path("delivery").path(0);
        assertThat(delivery.path("status").asText()).isEqualTo("failed");
        assertThat(delivery.path("attempts").asLong()).isEqualTo(4);
        assertThat(delivery.path("error").asText()).contains("answered 500");
      }
      // The runner goes on: the next match is delivered once the receiver is back.
      f.status = n -> 200;
      f.docs("c", 1, 70, 1, Map.of());
      f.cycleAt(121);
      assertThat(f.keysAndStates()).containsExactly("c/firing");
    }
  }

  @Test
  void slackWebhookGetsASlackPayload() throws Exception {
    try (Fixture f = new Fixture(os, "slack")) {
      f.rule(
          "slacky",
          ANY
              + "severity: critical\nalert: [slack]\nslack_webhook_url: "
              + f.webhook()
              + "\nslack_username_override: alerts-bot\n");
      f.docs("a", 1, 10, 1, Map.of("body", "payment failed"));
      f.cycleAt(61);
      assertThat(f.received).hasSize(1);
      JsonNode p = f.received.get(0);
      assertThat(p.path("text").asText()).isEqualTo("[FIRING critical] slacky: a");
      assertThat(p.path("username").asText()).isEqualTo("alerts-bot");
      assertThat(p.path("attachments").path(0).path("color").asText()).isEqualTo("danger");
      assertThat(p.path("attachments").path(0).path("text").asText()).startsWith("payment failed");
      assertThat(f.alertDocs("slacky").get(0).path("delivery").path(0).path("alerter").asText())
          .isEqualTo("slack");
    }
  }

  @Test
  void snsPublishesThroughTheRealSdk() throws Exception {
    sns.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=Publish"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/xml")
                    .withBody(
                        "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
                            + "<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>"
                            + "<ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId>"
                            + "</ResponseMetadata></PublishResponse>")));
    try (Fixture f = new Fixture(os, "sns")) {
      f.rule("to-sns", ANY + "severity: high\nalert: [sns]\nsns_topic_arn: " + TOPIC + "\n");
      f.docs("a", 1, 10, 1, Map.of("body", "queue stuck"));
      f.clock.set(Fixture.T0.plusSeconds(61));
      try (AlertRunner r =
          AlertRunner.builder()
              .openSearch(os.baseUri())
              .indexPrefix(os.indexPrefix())
              .builtInRules(false)
              .rulesDirectory(f.rules)
              .stdout(false, null)
              .clock(f.clock)
              .snsEndpoint(URI.create("http://127.0.0.1:" + sns.port()))
              .delivery(2, Duration.ofMillis(20))
              .build()) {
        r.runOnce();
      }
      List<LoggedRequest> requests =
          sns.findAll(
              postRequestedFor(urlEqualTo("/"))
                  .withHeader(
                      "Authorization",
                      matching("AWS4-HMAC-SHA256 Credential=trailmark/\\d{8}/us-east-1/sns/.*")));
      assertThat(requests).hasSize(1);
      String form = URLDecoder.decode(requests.get(0).getBodyAsString(), StandardCharsets.UTF_8);
      assertThat(form)
          .contains("TopicArn=" + TOPIC)
          .contains("MessageStructure=json")
          .contains("Subject=[FIRING high] to-sns: a")
          .contains("queue stuck")
          .contains("MessageAttributes.entry.1.Name=")
          .contains("StringValue=high");
      JsonNode delivery = f.alertDocs("to-sns").get(0).path("delivery").path(0);
      assertThat(delivery.path("alerter").asText()).isEqualTo("sns");
      assertThat(delivery.path("status").asText()).isEqualTo("sent");
    }
  }
}
