package dev.trailmark.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Drives checkout requests at the demo frontend and counts the answers by status. */
public final class LoadDriver {

  private LoadDriver() {}

  /** The sku of request {@code i}: one in ten ends in 7, which inventory reports out of stock. */
  public static String sku(int i) {
    return "sku-" + (i % 10);
  }

  /**
   * Sends {@code requests} checkouts, {@code concurrency} at a time, each tagged {@code token-i} so
   * that its log lines can be found again. Returns the count of answers per HTTP status.
   */
  public static Map<Integer, Integer> run(URI frontend, String token, int requests, int concurrency)
      throws Exception {
    return run(frontend, token, requests, concurrency, LoadDriver::sku);
  }

  /**
   * As {@link #run(URI, String, int, int)}, with the sku of each request chosen by {@code skuOf}.
   */
  public static Map<Integer, Integer> run(
      URI frontend,
      String token,
      int requests,
      int concurrency,
      java.util.function.IntFunction<String> skuOf)
      throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        URI uri =
            frontend.resolve("/checkout?sku=" + skuOf.apply(i) + "&request=" + token + "-" + i);
        answers.add(
            pool.submit(
                () ->
                    client
                        .send(
                            HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
      }
      Map<Integer, Integer> byStatus = new TreeMap<>();
      for (Future<Integer> answer : answers) {
        byStatus.merge(answer.get(), 1, Integer::sum);
      }
      return byStatus;
    } finally {
      pool.shutdownNow();
    }
  }
}
