package dev.trailmark.dashboards.savedobjects.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which base path an endpoint gets before anything is sent. */
class DashboardsClientTest {

  @Test
  void amazonOpenSearchServiceEndpointsGetTheDashboardsPath() {
    assertThat(base("https://search-logs-abc123.eu-west-1.es.amazonaws.com"))
        .isEqualTo("/_dashboards");
    assertThat(base("https://search-logs-abc123.cn-north-1.es.amazonaws.com.cn"))
        .isEqualTo("/_dashboards");
    assertThat(base("https://vpc-logs-abc.us-east-1.es.amazonaws.com:443/"))
        .isEqualTo("/_dashboards");
    assertThat(base("https://logs-abc.aos.us-east-1.on.aws")).isEqualTo("/_dashboards");
    assertThat(base("http://127.0.0.1:5601")).isEmpty();
    assertThat(base("https://dashboards.example.com/")).isEmpty();
    assertThat(base("https://example.com/opensearch/dashboards"))
        .isEqualTo("/opensearch/dashboards");
    assertThat(
            DashboardsClient.builder()
                .url(URI.create("https://x.eu-west-1.es.amazonaws.com"))
                .basePath("")
                .build()
                .basePath())
        .as("--base-path wins")
        .isEmpty();
  }

  @Test
  void theMultipartBodyHasOneFilePartNamedAsTheImportRequires() {
    byte[] body =
        DashboardsClient.multipart(
            "B", "{\"a\":1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(
            "--B\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"trailmark-saved-objects.ndjson\"\r\n"
                + "Content-Type: application/ndjson\r\n\r\n{\"a\":1}\n\r\n--B--\r\n");
  }

  @Test
  void twoKindsOfAuthenticationAreRefused() {
    assertThatThrownBy(
            () ->
                DashboardsClient.builder()
                    .url(URI.create("http://h"))
                    .basicAuth("u", "p")
                    .sigV4("eu-west-1", () -> null)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void missingAwsCredentialsAreAClearErrorBeforeAnythingIsSent() {
    DashboardsClient client =
        DashboardsClient.builder()
            .url(URI.create("http://127.0.0.1:9"))
            .sigV4(
                "eu-west-1",
                () -> {
                  throw software.amazon.awssdk.core.exception.SdkClientException.create(
                      "Unable to load credentials");
                })
            .build();
    assertThatThrownBy(
            () -> client.importObjects("{}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isInstanceOf(DashboardsClient.DashboardsException.class)
        .hasMessageContaining("--sigv4 found no AWS credentials")
        .hasMessageContaining("Unable to load credentials");
  }

  private static String base(String url) {
    return DashboardsClient.builder().url(URI.create(url)).build().basePath();
  }
}
