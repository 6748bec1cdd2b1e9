package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;

/**
 * Requests must be SigV4-signed with the local stack's credentials, for its region, within 15
 * minutes.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class SigV4IT {

  @TempDir static Path openState;
  static LocalCollector collector;
  static OpenSearchInstance os;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) throws Exception {
    os = instance;
    collector = localCollector;
  }

  @Test
  void theDefaultCredentialsAreAccepted() {
    try (CloudWatchLogsClient logs = Clients.logs(collector.httpEndpoint())) {
      assertThat(logs.describeLogGroups().logGroups()).isNotNull();
    }
  }

  @Test
  void aWrongSecretIsRefused() {
    try (CloudWatchLogsClient logs =
        Clients.logs(
            collector.httpEndpoint(), "not-the-secret", Region.US_EAST_1, RetryMode.STANDARD)) {
      assertThatThrownBy(logs::describeLogGroups)
          .isInstanceOfSatisfying(
              CloudWatchLogsException.class,
              e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                // CloudWatch Logs (AWS JSON 1.1) answers a bad signature with 400, not 403.
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.getMessage()).contains("signature we calculated does not match");
              });
    }
  }

  @Test
  void aWrongRegionIsRefused() {
    try (CloudWatchLogsClient logs =
        Clients.logs(
            collector.httpEndpoint(),
            LocalCollector.DEFAULT_SECRET_ACCESS_KEY,
            Region.EU_WEST_1,
            RetryMode.STANDARD)) {
      assertThatThrownBy(logs::describeLogGroups)
          .isInstanceOfSatisfying(
              CloudWatchLogsException.class,
              e -> {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                assertThat(e.getMessage())
                    .contains("Credential should be scoped to a valid region, not 'eu-west-1'");
              });
    }
  }

  @Test
  void anUnsignedRequestIsRefused() throws Exception {
    HttpResponse<String> response =
        http.send(unsigned().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(Json.MAPPER.readTree(response.body()).path("__type").asText())
        .isEqualTo("MissingAuthenticationTokenException");
  }

  @Test
  void anUnknownAccessKeyIsRefused() throws Exception {
    HttpResponse<String> response = signedAt(Instant.now(), "someone-else", "trailmark", "{}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(response.body()).path("__type").asText())
        .isEqualTo("UnrecognizedClientException");
  }

  @Test
  void aSignatureOlderOrNewerThanFifteenMinutesIsRefused() throws Exception {
    HttpResponse<String> old =
        signedAt(Instant.now().minus(Duration.ofMinutes(16)), "trailmark", "trailmark", "{}");
    assertThat(old.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(old.body());
    assertThat(error.path("__type").asText()).isEqualTo("InvalidSignatureException");
    assertThat(error.path("message").asText()).startsWith("Signature expired:");
    HttpResponse<String> future =
        signedAt(Instant.now().plus(Duration.ofMinutes(16)), "trailmark", "trailmark", "{}");
    assertThat(Json.MAPPER.readTree(future.body()).path("message").asText())
        .startsWith("Signature not yet current:");
    // Within the window and correctly signed: accepted.
    HttpResponse<String> recent =
        signedAt(Instant.now().minus(Duration.ofMinutes(14)), "trailmark", "trailmark", "{}");
    assertThat(recent.statusCode()).as(recent.body()).isEqualTo(200);
  }

  @Test
  void aBodyChangedAfterSigningIsRefused() throws Exception {
    SdkHttpRequest signed = sign(Instant.now(), "trailmark", "trailmark", "{}");
    HttpRequest.Builder tampered =
        HttpRequest.newBuilder(signed.getUri())
            .POST(HttpRequest.BodyPublishers.ofString("{\"logGroupNamePrefix\":\"x\"}"));
    signed
        .headers()
        .forEach(
            (k, v) -> {
              if (!k.equalsIgnoreCase("host")) {
                tampered.header(k, v.get(0));
              }
            });
    HttpResponse<String> response =
        http.send(tampered.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(Json.MAPPER.readTree(response.body()).path("__type").asText())
        .isEqualTo("InvalidSignatureException");
  }

  @Test
  void noAuthIsTheOnlyWayToAcceptUnsignedRequests() throws Exception {
    try (LocalCollector open =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(openState)
            .authentication(false)
            .build()
            .start()) {
      HttpResponse<String> response =
          http.send(
              unsigned().uri(open.httpEndpoint().resolve("/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
  }

  private static HttpRequest.Builder unsigned() {
    return HttpRequest.newBuilder(collector.httpEndpoint().resolve("/"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
  }

  private static SdkHttpRequest sign(Instant at, String key, String secret, String body) {
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(collector.httpEndpoint().resolve("/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(request)
                        .payload(ContentStreamProvider.fromString(body, StandardCharsets.UTF_8))
                        .identity(AwsCredentialsIdentity.create(key, secret))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "logs")
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
    return signed.request();
  }

  private static HttpResponse<String> signedAt(Instant at, String key, String secret, String body)
      throws Exception {
    SdkHttpRequest signed = sign(at, key, secret, body);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(signed.getUri())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    signed
        .headers()
        .forEach(
            (k, v) -> {
              if (!k.equalsIgnoreCase("host")) {
                request.header(k, v.get(0));
              }
            });
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
