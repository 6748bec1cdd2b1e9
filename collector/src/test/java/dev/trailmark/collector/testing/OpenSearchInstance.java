package dev.trailmark.collector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenSearch node a test class uses, with its own index prefix and a few plain HTTP helpers so
 * that a test reads what a user would read from the REST API.
 */
public final class OpenSearchInstance {
  private static final Pattern COUNT = Pattern.compile("\"count\"\\s*:\\s*(\\d+)");

  private final URI baseUri;
  private final String indexPrefix;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  OpenSearchInstance(URI baseUri, String indexPrefix) {
    this.baseUri = baseUri;
    this.indexPrefix = indexPrefix;
  }

  /** The REST endpoint, for example {@code http://127.0.0.1:9200}. */
  public URI baseUri() {
    return baseUri;
  }

  /**
   * Lower-case prefix unique to the test class, ending in '-'; every index the test makes starts
   * with it.
   */
  public String indexPrefix() {
    return indexPrefix;
  }

  /** GET a path and return the body; fails the test on a status of 400 or more. */
  public String get(String path) {
    return send("GET", path, null);
  }

  /** POST a JSON body. */
  public String post(String path, String json) {
    return send("POST", path, json);
  }

  /** PUT a JSON body. */
  public String put(String path, String json) {
    return send("PUT", path, json);
  }

  /**
   * DELETE a path. A wildcard over indices ({@code /prefix*}) is resolved to the index names first:
   * a node the launcher started refuses wildcard deletions ({@code
   * action.destructive_requires_name}).
   */
  public String delete(String path) {
    int query = path.indexOf('?');
    String target = query < 0 ? path.substring(1) : path.substring(1, query);
    if (!path.startsWith("/_") && target.contains("*")) {
      java.util.List<String> names = new java.util.ArrayList<>();
      for (String line :
          send("GET", "/_cat/indices/" + target + "?h=index&expand_wildcards=all", null)
              .split("\n")) {
        if (!line.isBlank()) {
          names.add(line.trim());
        }
      }
      StringBuilder answers = new StringBuilder();
      for (int i = 0; i < names.size(); i += 50) {
        answers.append(
            send(
                "DELETE",
                "/"
                    + String.join(",", names.subList(i, Math.min(names.size(), i + 50)))
                    + "?ignore_unavailable=true",
                null));
      }
      return answers.toString();
    }
    return send("DELETE", path, null);
  }

  /** DELETE a path; a 404 (nothing matched) is not an error. */
  public void deleteIfExists(String path) {
    exchange("DELETE", path, null, 404);
  }

  /**
   * Makes everything indexed so far into the matching indices searchable. Waits first until their
   * shards are allocated: an index the collector has just created answers searches with 503 until
   * then.
   */
  public void refresh(String indexPattern) {
    awaitPrimaries(indexPattern);
    send(
        "POST",
        "/" + indexPattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true",
        null);
  }

  /** Number of documents in the matching indices (0 when none exist), after a refresh. */
  public long count(String indexPattern) {
    refresh(indexPattern);
    String body =
        send(
            "GET",
            "/" + indexPattern + "/_count?ignore_unavailable=true&allow_no_indices=true",
            null);
    Matcher m = COUNT.matcher(body);
    if (!m.find()) {
      throw new AssertionError("no count in OpenSearch's answer: " + body);
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * Sends a request and returns the body; a status of 400 or more fails with the body in the
   * message.
   */
  public String send(String method, String path, String json) {
    return exchange(method, path, json, -1);
  }

  private String exchange(String method, String path, String json, int acceptedError) {
    HttpResponse<String> response = call(method, path, json);
    // An index created after the last wait (between a test's refresh and its search) answers a
    // search with 503 until its primary shard is started: wait for it and ask again.
    for (int retry = 0; retry < 5 && response.statusCode() == 503 && readsIndices(path); retry++) {
      awaitPrimaries(path.substring(1, path.indexOf("/_", 1)));
      response = call(method, path, json);
    }
    if (response.statusCode() >= 400 && response.statusCode() != acceptedError) {
      throw new AssertionError(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /**
   * Waits until the primary shards of the matching indices are started. Yellow alone is not enough:
   * OpenSearch reports a new index yellow while its primary is still initializing.
   */
  private void awaitPrimaries(String indexPattern) {
    send(
        "GET",
        "/_cluster/health/"
            + indexPattern
            + "?wait_for_status=yellow&wait_for_no_initializing_shards=true&timeout=30s",
        null);
  }

  private static boolean readsIndices(String path) {
    int action = path.indexOf("/_", 1);
    return !path.startsWith("/_")
        && action > 0
        && (path.startsWith("/_search", action) || path.startsWith("/_count", action));
  }

  private HttpResponse<String> call(String method, String path, String json) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUri.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header(
                "Content-Type",
                path.contains("_bulk") ? "application/x-ndjson" : "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
