package dev.trailmark.collector.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.mapping.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code _bulk} bodies to OpenSearch and retries only the items that failed with a retryable status
 * (429, 5xx); items OpenSearch rejects for good (a mapping conflict, 400) are reported, not retried.
 *
 * <p>This is the collector's one retry loop for OpenSearch writes: the local server's write-ahead log shipper and
 * the Lambda handlers both use it.
 */
public final class BulkWriter {

  private static final Logger log = LoggerFactory.getLogger(BulkWriter.class);

  /** Outcome of one {@link #write} call. */
  public static final class Result {
    private final int indexed;
    private final int rejected;
    private final int retried;
    private final String firstRejection;

    Result(int indexed, int rejected, int retried, String firstRejection) {
      this.indexed = indexed;
      this.rejected = rejected;
      this.retried = retried;
      this.firstRejection = firstRejection;
    }

    /** Documents OpenSearch accepted. */
    public int indexed() {
      return indexed;
    }

    /** Documents OpenSearch refused for good (bad mapping etc.). */
    public int rejected() {
      return rejected;
    }

    /** Item retries performed. */
    public int retried() {
      return retried;
    }

    /** The reason of the first rejection, or null. */
    public String firstRejection() {
      return firstRejection;
    }
  }

  /** Thrown when items still fail with a retryable status after every allowed attempt. */
  public static final class RetryableFailureException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int failedItems;

    RetryableFailureException(int failedItems, String reason) {
      super(failedItems + " documents still failing: " + reason);
      this.failedItems = failedItems;
    }

    /** How many documents were not written. */
    public int failedItems() {
      return failedItems;
    }
  }

  private final OpenSearchGenericClient client;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;

  /**
   * @param maxAttempts attempts per item for retryable item failures (including the first); {@code 0} means
   *     until {@code keepTrying} says stop
   */
  public BulkWriter(OpenSearchClient client, int maxAttempts, long initialBackoffMillis, long maxBackoffMillis) {
    this.client = client.generic();
    this.maxAttempts = maxAttempts;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
  }

  /**
   * Writes a {@code _bulk} body of index actions each followed by its source line.
   *
   * @throws IOException when OpenSearch cannot be reached or answers the request itself with an error
   *     (nothing of this body is known to be written; callers retry the whole body, which is idempotent because
   *     every action carries its {@code _id})
   */
  public Result write(byte[] body, BooleanSupplier keepTrying) throws IOException, InterruptedException {
    if (body.length == 0) {
      return new Result(0, 0, 0, null); // OpenSearch answers an empty _bulk with 400: nothing to send
    }
    int indexed = 0;
    int rejected = 0;
    int retried = 0;
    String firstRejection = null;
    byte[] pending = body;
    long backoff = initialBackoffMillis;
    for (int attempt = 1; ; attempt++) {
      JsonNode response = post(pending);
      JsonNode results = response.path("items");
      if (!response.path("errors").asBoolean(true)) {
        // The common case: nothing failed, no need to find item boundaries.
        return new Result(indexed + results.size(), rejected, retried, firstRejection);
      }
      List<int[]> items = itemOffsets(pending);
      ByteArrayOutputStream retry = new ByteArrayOutputStream();
      String retryReason = null;
      int retryCount = 0;
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = results.path(i);
        JsonNode op = item.isObject() && item.size() > 0 ? item.elements().next() : item;
        int status = op.path("status").asInt(500);
        if (status < 300) {
          indexed++;
        } else if (status == 429 || status >= 500) {
          int[] span = items.get(i);
          retry.write(pending, span[0], span[1] - span[0]);
          retryCount++;
          retryReason = op.path("error").path("type").asText("status " + status);
        } else {
          rejected++;
          if (firstRejection == null) {
            firstRejection = op.path("error").path("type").asText() + ": " + op.path("error").path("reason").asText();
            log.warn("OpenSearch rejected a document for good: {}", firstRejection);
          }
        }
      }
      if (retryCount == 0) {
        return new Result(indexed, rejected, retried, firstRejection);
      }
      retried += retryCount;
      if ((maxAttempts > 0 && attempt >= maxAttempts) || !keepTrying.getAsBoolean()) {
        throw new RetryableFailureException(retryCount, retryReason);
      }
      Thread.sleep(backoff);
      backoff = Math.min(maxBackoffMillis, backoff * 2);
      pending = retry.toByteArray();
    }
  }

  private JsonNode post(byte[] body) throws IOException {
    try (Response response = client.execute(Requests.builder()
        .method("POST")
        .endpoint("/_bulk")
        // Only what the retry loop reads: a 10,000-item response shrinks from ~1 MB to ~200 KB.
        .query(java.util.Map.of("filter_path", "errors,items.*.status,items.*.error"))
        .body(Body.from(body, "application/x-ndjson"))
        .build())) {
      byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
      if (response.getStatus() >= 300) {
        throw new IOException("OpenSearch _bulk answered " + response.getStatus() + ": "
            + new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.UTF_8));
      }
      return Json.MAPPER.readTree(bytes);
    }
  }

  /** Start and end offsets of each action+source pair (two lines per item). */
  static List<int[]> itemOffsets(byte[] body) {
    List<int[]> items = new ArrayList<>();
    int start = 0;
    int lines = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\n') {
        lines++;
        if (lines % 2 == 0) {
          items.add(new int[] {start, i + 1});
          start = i + 1;
        }
      }
    }
    return items;
  }
}
