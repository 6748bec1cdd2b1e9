package dev.trailmark.audit.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.trailmark.audit.internal.remediation.RemediationClients;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A WireMock server on an ephemeral port standing in for the AWS control-plane APIs, with helpers
 * for the three wire protocols the SDK speaks: JSON 1.1 ({@code X-Amz-Target}), query (form body
 * {@code Action=...}) and REST (method and path).
 */
public final class AwsStub implements AutoCloseable {
  public final WireMockServer server;

  public AwsStub() {
    server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** Real SDK clients pointed at this stub, with the local stack's credentials. */
  public RemediationClients.Builder clients() {
    return RemediationClients.builder()
        .region(Region.US_EAST_1)
        .credentials(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("trailmark", "trailmark")))
        .endpoint(endpoint());
  }

  /** Answers a JSON 1.1 operation ({@code X-Amz-Target} ends with the operation). */
  public void json(String target, String responseJson) {
    server.stubFor(
        jsonCall(target)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(responseJson)));
  }

  public MappingBuilder jsonCall(String target) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  public RequestPatternBuilder jsonRequest(String target) {
    return postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  /** Answers a query-protocol action (EC2, SNS) with an XML body. */
  public void query(String action, String responseXml) {
    server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=" + action + "&"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/xml;charset=UTF-8")
                    .withBody(responseXml)));
  }

  public RequestPatternBuilder queryRequest(String action) {
    return postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=" + action + "&"));
  }

  public List<LoggedRequest> requests(RequestPatternBuilder pattern) {
    return server.findAll(pattern);
  }

  @Override
  public void close() {
    server.stop();
  }
}
