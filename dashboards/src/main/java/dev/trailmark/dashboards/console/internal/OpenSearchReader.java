package dev.trailmark.dashboards.console.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.OpenSearchTransports;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.opensearch.SearchAnswers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.OpenSearchTransport;

/**
 * Sends the console's searches to OpenSearch through the collector's transport, each bounded in
 * time: a search that outlasts the query timeout answers 504, a refused or cut connection 503, with
 * a message the page shows.
 */
final class OpenSearchReader implements AutoCloseable {

  /**
   * Searches in flight at once; more answer 503 at once instead of queueing behind a slow cluster.
   */
  private static final int MAX_IN_FLIGHT = 16;

  private final URI uri;
  private final OpenSearchTransport transport;
  private final OpenSearchClient client;
  private final Duration timeout;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

  /**
   * Why a search of the request this thread serves came back incomplete (the first reason), or
   * null; see {@link #takeIncomplete}.
   */
  private final ThreadLocal<String> incomplete = new ThreadLocal<>();

  OpenSearchReader(URI uri, Duration timeout) {
    this.uri = uri;
    this.transport = OpenSearchTransports.create(uri);
    this.client = new OpenSearchClient(transport);
    this.timeout = timeout;
  }

  URI uri() {
    return uri;
  }

  /** {@code POST /<indices>/_search} with missing indices ignored (an empty stack has none yet). */
  JsonNode search(String indices, ObjectNode body) throws ApiException {
    body.put("timeout", timeout.toMillis() + "ms");
    JsonNode answer =
        call(
            "POST",
            "/" + indices + "/_search",
            Map.of("ignore_unavailable", "true", "allow_no_indices", "true"),
            body);
    if (incomplete.get() == null) {
      incomplete.set(SearchAnswers.incompleteness(answer));
    }
    return answer;
  }

  /**
   * Why the searches made on this thread since the last call came back incomplete (the first
   * reason), or null when every one was whole; clears it.
   */
  String takeIncomplete() {
    String reason = incomplete.get();
    incomplete.remove();
    return reason;
  }

  /** {@code GET /} — the cluster's name and version, to tell the page OpenSearch answers. */
  JsonNode info() throws ApiException {
    return call("GET", "/", Map.of(), null);
  }

  private JsonNode call(String method, String path, Map<String, String> query, ObjectNode body)
      throws ApiException {
    if (!inFlight.tryAcquire()) {
      throw new ApiException(
          503, "too many OpenSearch searches in flight (" + MAX_IN_FLIGHT + "); try again");
    }
    // The transport's own I/O thread completes the future: no extra thread hop per search, and the
    // wait is bounded.
    CompletableFuture<Response> f = null;
    try {
      var request = Requests.builder().method(method).endpoint(path).query(query);
      if (body != null) {
        request = request.body(Body.from(Json.MAPPER.writeValueAsBytes(body), "application/json"));
      }
      f = client.generic().executeAsync(request.build());
      try (Response response = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return read(response);
      }
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new ApiException(
          504, "OpenSearch at " + uri + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    } catch (ExecutionException e) {
      throw new ApiException(
          503, "OpenSearch at " + uri + " is unreachable: " + describe(e.getCause()), e.getCause());
    } catch (IOException e) {
      throw new ApiException(503, "OpenSearch at " + uri + " is unreachable: " + describe(e), e);
    } finally {
      inFlight.release();
    }
  }

  private static JsonNode read(Response response) throws IOException, ApiException {
    byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
    JsonNode json = bytes.length == 0 ? Json.object() : Json.MAPPER.readTree(bytes);
    if (response.getStatus() >= 300) {
      String reason =
          json.path("error")
              .path("root_cause")
              .path(0)
              .path("reason")
              .asText(json.path("error").path("reason").asText(json.path("error").asText("")));
      int status = response.getStatus() == 400 ? 400 : 502;
      throw new ApiException(
          status,
          "OpenSearch answered " + response.getStatus() + (reason.isEmpty() ? "" : ": " + reason));
    }
    return json;
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof ConnectException) {
      return "connection refused";
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      // closing: nothing left to tell
    }
  }
}
