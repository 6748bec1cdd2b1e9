package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * An SQS consumer as applications write them, asking for no system attribute: a background thread
 * polls {@code app.sqs.queue} (when set) and, for each message in a for-each loop, logs, calls its
 * own {@code /ack} endpoint and deletes the message, printing {@code PROCESSED body=...
 * header=<AWSTraceHeader as the application sees it> ack=<X-Amzn-Trace-Id /ack received>}. {@code
 * /poll?queue=<url>} does the same once, inside a request. With {@code app.sqs.async} the poller
 * uses the asynchronous client instead, processing each answer in a callback of its future.
 */
public final class SqsConsumerApp {

  private static final Logger log = LoggerFactory.getLogger(SqsConsumerApp.class);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static int port;

  public static void main(String[] args) throws Exception {
    SqsClient sqs =
        SqsClient.builder()
            .endpointOverride(URI.create(System.getProperty("app.sqs.endpoint")))
            .region(Region.US_EAST_1)
            .build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/ack",
        exchange ->
            answer(
                exchange,
                String.valueOf(exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id"))));
    server.createContext(
        "/poll",
        exchange -> {
          String queue = exchange.getRequestURI().getQuery().substring("queue=".length());
          int processed = 0;
          for (int i = 0; i < 10 && processed == 0; i++) {
            processed = receiveAndProcess(sqs, queue);
          }
          answer(exchange, "processed=" + processed);
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    port = server.getAddress().getPort();
    String queue = System.getProperty("app.sqs.queue");
    SqsAsyncClient async =
        Boolean.getBoolean("app.sqs.async")
            ? SqsAsyncClient.builder()
                .endpointOverride(URI.create(System.getProperty("app.sqs.endpoint")))
                .region(Region.US_EAST_1)
                .build()
            : null;
    if (queue != null) {
      Thread poller =
          new Thread(
              () -> {
                while (true) {
                  try {
                    if (async != null) {
                      receiveAndProcess(async, queue).join();
                      continue;
                    }
                    receiveAndProcess(sqs, queue);
                  } catch (RuntimeException e) {
                    log.error("poll failed", e);
                  }
                }
              },
              "poller");
      poller.setDaemon(true);
      poller.start();
    }
    System.out.println("READY " + port);
  }

  /** The asynchronous client's receive: the messages are processed in a callback of its future. */
  private static CompletableFuture<Integer> receiveAndProcess(SqsAsyncClient sqs, String queue) {
    return sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1))
        .thenApply(
            response -> {
              int processed = 0;
              for (Message message : response.messages()) {
                process(
                    message,
                    () ->
                        sqs.deleteMessage(
                                b -> b.queueUrl(queue).receiptHandle(message.receiptHandle()))
                            .join());
                processed++;
              }
              return processed;
            });
  }

  private static int receiveAndProcess(SqsClient sqs, String queue) {
    ReceiveMessageResponse response =
        sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1));
    int processed = 0;
    for (Message message : response.messages()) {
      process(
          message,
          () -> sqs.deleteMessage(b -> b.queueUrl(queue).receiptHandle(message.receiptHandle())));
      processed++;
    }
    return processed;
  }

  /** Logs, calls /ack, deletes (by {@code delete}) and prints one message. */
  private static void process(Message message, Runnable delete) {
    log.info("processing {}", message.body());
    String ack;
    try {
      ack =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ack")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    } catch (IOException | InterruptedException e) {
      ack = "failed " + e;
    }
    delete.run();
    System.out.println(
        "PROCESSED body="
            + message.body()
            + " header="
            + message.attributesAsStrings().get("AWSTraceHeader")
            + " ack="
            + ack);
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
