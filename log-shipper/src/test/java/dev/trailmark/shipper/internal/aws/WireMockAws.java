package dev.trailmark.shipper.internal.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A WireMock stand-in for AWS JSON APIs where the fault must be scripted (throttling, 5xx, partial
 * failures).
 */
public final class WireMockAws implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public final WireMockServer server;

  public WireMockAws() {
    server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
  }

  public URI endpoint() {
    return URI.create(server.baseUrl());
  }

  public AwsEndpointSettings clients(Duration requestTimeout) {
    return new AwsEndpointSettings(
        "us-east-1", endpoint(), "trailmark", "trailmark", requestTimeout);
  }

  public static MappingBuilder target(String target) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  public static ResponseDefinitionBuilder json(int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody(body);
  }

  public static ResponseDefinitionBuilder awsError(int status, String type, String message) {
    return json(status, "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
  }

  /** Answers {@code target} with each response in turn, then with the last one forever. */
  public void sequence(String target, ResponseDefinitionBuilder... responses) {
    String scenario = target + "-" + System.nanoTime();
    for (int i = 0; i < responses.length; i++) {
      String state = i == 0 ? Scenario.STARTED : "s" + i;
      com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder m =
          target(target).inScenario(scenario).whenScenarioStateIs(state).willReturn(responses[i]);
      if (i + 1 < responses.length) {
        m.willSetStateTo("s" + (i + 1));
      }
      server.stubFor(m);
    }
  }

  public void ok(String target, String body) {
    server.stubFor(target(target).willReturn(json(200, body)));
  }

  public List<JsonNode> bodies(String target) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest r :
        server.findAll(
            postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)))) {
      out.add(JSON.readTree(r.getBodyAsString()));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop();
  }
}
