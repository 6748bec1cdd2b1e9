package dev.trailmark.agent.testapp;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Lambda handlers as applications write them, run by the AWS Lambda runtime interface client in a
 * forked JVM: one of each kind the agent must follow.
 */
public final class LambdaHandlers {

  private LambdaHandlers() {}

  /** A REST API's proxy integration: {@code /orders/missing} is a 404, any other path a 200. */
  public static final class ApiGateway
      implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    @Override
    public APIGatewayProxyResponseEvent handleRequest(
        APIGatewayProxyRequestEvent request, Context context) {
      boolean missing = request.getPath().endsWith("/missing");
      return new APIGatewayProxyResponseEvent()
          .withStatusCode(missing ? 404 : 200)
          .withBody(missing ? "no such order" : "order " + request.getPathParameters().get("id"));
    }
  }

  /** Answers its input in upper case; the input {@code boom} makes it throw. */
  public static final class Stream implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context)
        throws IOException {
      String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
      if (text.contains("boom")) {
        throw new IllegalStateException("boom requested");
      }
      output.write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * An SQS-triggered function: calls {@code APP_ECHO_URL} once per message, answering the {@code
   * X-Amzn-Trace-Id} headers the echo saw.
   */
  public static final class Sqs implements RequestHandler<SQSEvent, String> {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Override
    public String handleRequest(SQSEvent event, Context context) {
      StringBuilder seen = new StringBuilder();
      for (SQSEvent.SQSMessage message : event.getRecords()) {
        try {
          seen.append(
                  HTTP.send(
                          HttpRequest.newBuilder(
                                  URI.create(
                                      System.getenv("APP_ECHO_URL") + message.getMessageId()))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .append('|');
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return seen.toString();
    }
  }
}
