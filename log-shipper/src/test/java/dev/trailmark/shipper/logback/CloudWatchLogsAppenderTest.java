package dev.trailmark.shipper.logback;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol the real SDK speaks for the appender, checked against a WireMock CloudWatch
 * Logs.
 */
class CloudWatchLogsAppenderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private WireMockServer wm;
  private final LoggerContext context = new LoggerContext();

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    for (String op : List.of("CreateLogGroup", "CreateLogStream", "PutLogEvents")) {
      wm.stubFor(
          post(urlEqualTo("/"))
              .withHeader("X-Amz-Target", equalTo("Logs_20140328." + op))
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withHeader("Content-Type", "application/x-amz-json-1.1")
                      .withBody("{}")));
    }
  }

  @AfterEach
  void stop() {
    context.stop();
    wm.stop();
  }

  private CloudWatchLogsAppender appender() {
    CloudWatchLogsAppender a = new CloudWatchLogsAppender();
    a.setContext(context);
    a.setName("cwl");
    a.setLogGroupName("/trailmark/test");
    a.setLogStreamName("{host}-fixed");
    a.setEndpoint(wm.baseUrl());
    a.setRegion("us-east-1");
    a.setAccessKeyId("trailmark");
    a.setSecretAccessKey("trailmark");
    a.setRegisterShutdownHook(false);
    a.start();
    assertThat(a.isStarted()).isTrue();
    return a;
  }

  private List<JsonNode> putBodies() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest r :
        wm.findAll(
            postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("Logs_20140328.PutLogEvents")))) {
      out.add(JSON.readTree(r.getBodyAsString()));
    }
    return out;
  }

  @Test
  void createsGroupAndStreamThenSendsEveryEventAsJsonOnStop() throws Exception {
    CloudWatchLogsAppender a = appender();
    Logger log = context.getLogger("com.example.Web");
    log.addAppender(a);
    for (int i = 0; i < 25; i++) {
      log.info("request {}", i);
    }
    a.stop();

    wm.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("Logs_20140328.CreateLogGroup")));
    wm.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("Logs_20140328.CreateLogStream")));
    List<JsonNode> puts = putBodies();
    List<String> bodies = new ArrayList<>();
    for (JsonNode put : puts) {
      assertThat(put.get("logGroupName").asText()).isEqualTo("/trailmark/test");
      assertThat(put.get("logStreamName").asText()).endsWith("-fixed");
      long last = 0;
      for (JsonNode e : put.get("logEvents")) {
        assertThat(e.get("timestamp").asLong()).isGreaterThanOrEqualTo(last);
        last = e.get("timestamp").asLong();
        JsonNode doc = JSON.readTree(e.get("message").asText());
        bodies.add(doc.get("body").asText());
        assertThat(doc.at("/severity/text").asText()).isEqualTo("INFO");
      }
    }
    assertThat(bodies).hasSize(25).contains("request 0", "request 24");
    assertThat(a.getStats().sent()).isEqualTo(25);
    assertThat(a.getStats().dropped()).isZero();
  }
}
