package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Metric;

/**
 * The {@code cloudwatch} metrics exporter in a pod with an IAM role for its service account (EKS):
 * no keys anywhere, only {@code AWS_ROLE_ARN} and {@code AWS_WEB_IDENTITY_TOKEN_FILE}; the agent's
 * credentials chain exchanges the token at STS ({@code AssumeRoleWithWebIdentity}, moto_server on
 * loopback) and publishes to CloudWatch (the same moto) with the role's temporary credentials.
 */
class WebIdentityMetricsIT {

  @TempDir Path dir;

  @Test
  void metricsArePublishedWithTheServiceAccountsRole() throws Exception {
    Path token = dir.resolve("token");
    // What the kubelet projects into the pod: a signed JWT (moto reads but does not verify it).
    Files.writeString(
        token,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6b3JkZXJzOm9yZGVycyJ9.c2ln");
    try (MotoServer moto = MotoServer.start();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
                .property("app.name", "pod-role")
                .env("OTEL_SERVICE_NAME", "pod-role")
                .env("OTEL_TRACES_EXPORTER", "none")
                .env("TRAILMARK_METRICS_EXPORTER", "cloudwatch")
                .env("TRAILMARK_METRICS_ENDPOINT", moto.endpoint().toString())
                .env("TRAILMARK_METRICS_STEP_MILLIS", "1000")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/orders-pod")
                .env("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString())
                .env("AWS_ROLE_SESSION_NAME", "orders-pod")
                // EKS sets no STS endpoint; the SDK's own per-service endpoint variable points
                // it at moto here.
                .env("AWS_ENDPOINT_URL_STS", moto.endpoint().toString())
                // No profile of this machine's user may answer first, nor an instance metadata
                // service: without the web identity there would be no credentials at all.
                .env("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString())
                .env("AWS_CONFIG_FILE", dir.resolve("no-config").toString())
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .start(dir, "pod-role");
        CloudWatchClient cloudwatch =
            CloudWatchClient.builder()
                .endpointOverride(moto.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build()) {
      int port = app.awaitPort();
      assertThat(JettyIT.get(port, "/hop").statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                List<Metric> metrics =
                    cloudwatch
                        .listMetrics(
                            b -> b.namespace("Trailmark").metricName("http.server.requests.count"))
                        .metrics();
                assertThat(
                        metrics.stream()
                            .flatMap(m -> m.dimensions().stream())
                            .map(d -> d.name() + "=" + d.value())
                            .collect(Collectors.toList()))
                    .as(app.output())
                    .contains("route=/hop", "service=pod-role");
              });
      assertThat(app.output()).doesNotContain("[trailmark-agent]");
    }
  }
}
