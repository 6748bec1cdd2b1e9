package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small service the integration tests run in a forked JVM with the agent attached: {@code /hop}
 * logs, does work on a pool and on CompletableFuture, calls the next service (if any) with the
 * configured client, and answers with the trace headers it received, one {@code key=value} per
 * line, followed by the next service's answer.
 */
public final class ServiceApp {

  private static final Logger log = LoggerFactory.getLogger(ServiceApp.class);

  public static void main(String[] args) throws Exception {
    String name = System.getProperty("app.name", "app");
    String next = System.getProperty("app.next", "");
    String client = System.getProperty("app.client", "jdk");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    HttpClient http = HttpClient.newHttpClient();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hop",
        exchange -> {
          try {
            handle(exchange, name, next, client, pool, http);
          } catch (Exception e) {
            log.error("hop failed", e);
            exchange.sendResponseHeaders(500, -1);
          } finally {
            exchange.close();
          }
        });
    server.createContext(
        "/fail",
        exchange -> {
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    if (System.getProperty("app.sqs.queue") != null) {
      // Outside any request: this message must carry no trace.
      sqsClient()
          .sendMessage(b -> b.queueUrl(System.getProperty("app.sqs.queue")).messageBody("startup"));
    }
    server.start();
    log.info("started {}", name);
    System.out.println("READY " + server.getAddress().getPort());
  }

  private static void handle(
      HttpExchange exchange,
      String name,
      String next,
      String client,
      ExecutorService pool,
      HttpClient http)
      throws Exception {
    log.info("{} handling {}", name, exchange.getRequestURI());
    pool.submit(() -> log.info("{} pool work", name)).get();
    CompletableFuture.runAsync(() -> log.info("{} async work", name)).get();
    StringBuilder body = new StringBuilder();
    body.append("service=").append(name).append('\n');
    body.append("xray=")
        .append(exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id"))
        .append('\n');
    body.append("traceparent=")
        .append(exchange.getRequestHeaders().getFirst("traceparent"))
        .append('\n');
    body.append("tracestate=")
        .append(exchange.getRequestHeaders().getFirst("tracestate"))
        .append('\n');
    if (!next.isEmpty()) {
      for (String each : client.split(",")) {
        body.append(call(next, each, http));
      }
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static software.amazon.awssdk.services.sqs.SqsClient sqs;

  /**
   * One SendMessage and one SendMessageBatch of two entries, the second carrying its own
   * AWSTraceHeader.
   */
  private static synchronized software.amazon.awssdk.services.sqs.SqsClient sqsClient() {
    if (sqs == null) {
      sqs =
          software.amazon.awssdk.services.sqs.SqsClient.builder()
              .endpointOverride(URI.create(System.getProperty("app.sqs.endpoint")))
              .region(software.amazon.awssdk.regions.Region.US_EAST_1)
              .build();
    }
    return sqs;
  }

  private static String sendToSqs() {
    software.amazon.awssdk.services.sqs.SqsClient sqs = sqsClient();
    String queue = System.getProperty("app.sqs.queue");
    sqs.sendMessage(b -> b.queueUrl(queue).messageBody("single"));
    sqs.sendMessageBatch(
        b ->
            b.queueUrl(queue)
                .entries(
                    e -> e.id("1").messageBody("batch-1"),
                    e ->
                        e.id("2")
                            .messageBody("batch-2")
                            .messageSystemAttributesWithStrings(
                                java.util.Map.of(
                                    "AWSTraceHeader",
                                    software.amazon.awssdk.services.sqs.model
                                        .MessageSystemAttributeValue.builder()
                                        .dataType("String")
                                        .stringValue(
                                            "Root=1-00000000-000000000000000000000001;Sampled=0")
                                        .build()))));
    return "sqs=sent\n";
  }

  private static okhttp3.OkHttpClient okhttp;

  /** One client, built as applications build it (a builder with an interceptor of their own). */
  private static synchronized okhttp3.OkHttpClient okhttp() {
    if (okhttp == null) {
      okhttp =
          new okhttp3.OkHttpClient.Builder()
              .addInterceptor(
                  chain -> chain.proceed(chain.request().newBuilder().header("X-App", "1").build()))
              .build();
    }
    return okhttp;
  }

  private static String call(String next, String client, HttpClient http) throws Exception {
    switch (client) {
      case "jdk":
        return http.send(
                HttpRequest.newBuilder(URI.create(next)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
      case "jdk-async":
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(next)).build(),
                HttpResponse.BodyHandlers.ofString())
            .get()
            .body();
      case "urlconnection":
        HttpURLConnection connection = (HttpURLConnection) new URL(next).openConnection();
        try (InputStream in = connection.getInputStream()) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      case "apache4":
        try (org.apache.http.impl.client.CloseableHttpClient c =
                org.apache.http.impl.client.HttpClients.createDefault();
            org.apache.http.client.methods.CloseableHttpResponse r =
                c.execute(new org.apache.http.client.methods.HttpGet(next))) {
          return org.apache.http.util.EntityUtils.toString(r.getEntity());
        }
      case "apache5":
        try (org.apache.hc.client5.http.impl.classic.CloseableHttpClient c =
            org.apache.hc.client5.http.impl.classic.HttpClients.createDefault()) {
          return c.execute(
              new org.apache.hc.client5.http.classic.methods.HttpGet(next),
              r -> org.apache.hc.core5.http.io.entity.EntityUtils.toString(r.getEntity()));
        }
      case "okhttp":
        try (okhttp3.Response r =
            okhttp().newCall(new okhttp3.Request.Builder().url(next).build()).execute()) {
          return r.body().string();
        }
      case "okhttp-async":
        CompletableFuture<String> answer = new CompletableFuture<>();
        okhttp()
            .newCall(new okhttp3.Request.Builder().url(next).build())
            .enqueue(
                new okhttp3.Callback() {
                  @Override
                  public void onFailure(okhttp3.Call call, IOException e) {
                    answer.completeExceptionally(e);
                  }

                  @Override
                  public void onResponse(okhttp3.Call call, okhttp3.Response response)
                      throws IOException {
                    try (response) {
                      answer.complete(response.body().string());
                    }
                  }
                });
        return answer.get();
      case "sqs":
        return sendToSqs();
      default:
        throw new IOException("unknown client " + client);
    }
  }
}
