package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LambdaEventTest {

  private static LambdaEvent of(String json) {
    return LambdaEvent.of(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRestApiEventGivesTheTopLevelMethodPathAndResource() {
    LambdaEvent event =
        of(
            "{\"resource\":\"/orders/{id}\",\"path\":\"/orders/42\",\"httpMethod\":\"POST\","
                + "\"requestContext\":{\"path\":\"/prod/orders/42\",\"httpMethod\":\"GET\"},"
                + "\"body\":\"{\\\"a\\\":\\\"\\\\u00e9\\\"}\",\"isBase64Encoded\":false}");
    assertThat(event.method).isEqualTo("POST");
    assertThat(event.path).isEqualTo("/orders/42");
    assertThat(event.route).isEqualTo("/orders/{id}");
    assertThat(event.messages).isZero();
  }

  @Test
  void anHttpApiEventGivesItsRouteKeyAndRawPath() {
    LambdaEvent event =
        of(
            "{\"version\":\"2.0\",\"routeKey\":\"GET /items/{id}\",\"rawPath\":\"/items/7\","
                + "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/items/7\"}}}");
    assertThat(event.method).isEqualTo("GET");
    assertThat(event.path).isEqualTo("/items/7");
    assertThat(event.route).isEqualTo("/items/{id}");
    LambdaEvent url =
        of(
            "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"/x\","
                + "\"requestContext\":{\"http\":{\"method\":\"PUT\"}}}");
    assertThat(url.method).isEqualTo("PUT");
    assertThat(url.route).as("a function URL has no route").isNull();
  }

  @Test
  void anSqsEventGivesItsQueueUrlAndBatchSize() {
    LambdaEvent event =
        of(
            "{\"Records\":[{\"messageId\":\"1\",\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:111122223333:orders\"},"
                + "{\"messageId\":\"2\",\"eventSource\":\"aws:sqs\"}]}");
    assertThat(event.queueUrl).isEqualTo("https://sqs.eu-west-1.amazonaws.com/111122223333/orders");
    assertThat(event.messages).isEqualTo(2);
    assertThat(event.method).isNull();
  }

  @Test
  void anythingElseIsAnEventOfNoKnownShape() {
    for (String other :
        new String[] {
          "\"hello\"",
          "[1,2]",
          "{\"Records\":[{\"eventSource\":\"aws:sns\"}]}",
          "{\"httpMethod\":",
          "{\"a\":tru}",
          "not json",
          ""
        }) {
      LambdaEvent event = of(other);
      assertThat(event.method).as(other).isNull();
      assertThat(event.messages).as(other).isZero();
    }
    assertThat(LambdaEvent.of(null).method).isNull();
  }

  @Test
  void theStatusOfAProxyResponseIsRead() {
    assertThat(
            LambdaEvent.statusCode(
                "{\"statusCode\":404,\"body\":\"no\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(404);
    assertThat(LambdaEvent.statusCode("\"ok\"".getBytes(StandardCharsets.UTF_8))).isZero();
  }
}
