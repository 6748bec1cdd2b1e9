package dev.trailmark.collector.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.CloudWatchLogsEvent;
import com.amazonaws.xray.entities.Subsegment;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.CloudWatchLogsPayload;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.BulkWriter;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.IndexTemplates;
import dev.trailmark.collector.internal.sink.OpenSearchTransports;
import dev.trailmark.common.xray.Subsegments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * AWS Lambda handler for a CloudWatch Logs subscription filter: decodes the base64 + gzip payload
 * and indexes each event of a {@code DATA_MESSAGE} as its log document ({@code CONTROL_MESSAGE}s
 * are skipped), mapped exactly as the local collector maps PutLogEvents.
 *
 * <p>Each document's id is the CloudWatch event id, so when some documents still fail after the
 * bulk retries the handler throws, Lambda retries the invocation, and the documents already written
 * are overwritten rather than duplicated. Environment: {@code OPENSEARCH_ENDPOINT} (SigV4-signed
 * when it is Amazon OpenSearch Service), {@code INDEX_PREFIX} (optional). Each bulk write is an
 * X-Ray subsegment (see {@link dev.trailmark.common.xray.Subsegments}).
 */
public final class CloudWatchLogsSubscriptionHandler
    implements RequestHandler<CloudWatchLogsEvent, String> {

  private final OpenSearchClient client;
  private final String indexPrefix;
  private final BulkWriter writer;
  private volatile boolean templatesInstalled;

  /** Configured from the environment, as Lambda creates it. */
  public CloudWatchLogsSubscriptionHandler() {
    this(
        URI.create(require("OPENSEARCH_ENDPOINT")),
        System.getenv().getOrDefault("INDEX_PREFIX", ""));
  }

  /** Writing to {@code openSearch} with {@code indexPrefix}. */
  public CloudWatchLogsSubscriptionHandler(URI openSearch, String indexPrefix) {
    this.client = new OpenSearchClient(OpenSearchTransports.create(openSearch));
    this.indexPrefix = indexPrefix;
    this.writer =
        new BulkWriter(
            client,
            3,
            200,
            2_000,
            4L * 1024 * 1024,
            indexPrefix + dev.trailmark.collector.internal.sink.OpenSearchSink.DEAD_LETTER_INDEX);
  }

  /**
   * Indexes one subscription delivery; returns a one-line summary.
   *
   * @throws IllegalArgumentException for a payload that is not base64 + gzip + JSON (retrying
   *     cannot help)
   * @throws UncheckedIOException when OpenSearch is unreachable or documents still fail after
   *     retries (Lambda retries the invocation)
   */
  @Override
  public String handleRequest(CloudWatchLogsEvent event, Context context) {
    if (event == null || event.getAwsLogs() == null || event.getAwsLogs().getData() == null) {
      throw new IllegalArgumentException("event has no awslogs.data");
    }
    byte[] gzipped;
    try {
      gzipped = Base64.getDecoder().decode(event.getAwsLogs().getData());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("awslogs.data is not valid base64", e);
    }
    CloudWatchLogsPayload payload = CloudWatchLogsPayload.parse(gzipped);
    if (!payload.isData()) {
      return "skipped " + payload.messageType();
    }
    DocumentBatch batch = new DocumentBatch();
    List<ObjectNode> docs = payload.documents();
    for (int i = 0; i < docs.size(); i++) {
      CloudWatchLogsPayload.Event e = payload.events().get(i);
      String id = e.id().isEmpty() ? null : e.id();
      String index = IndexNames.logs(indexPrefix, payload.logGroup(), e.timestamp());
      if (id == null) {
        batch.add(index, docs.get(i));
      } else {
        batch.add(index, id, docs.get(i));
      }
    }
    // One subsegment per delivery: the bulk write (and the index templates on the first one),
    // annotated with the
    // log group and what became of its events.
    Subsegment trace = Subsegments.begin("OpenSearch bulk");
    trace.setNamespace("remote");
    trace.putAnnotation("resource", payload.logGroup());
    trace.putAnnotation("documents", docs.size());
    try {
      if (!templatesInstalled) {
        try {
          IndexTemplates.install(client, indexPrefix);
        } catch (IndexTemplates.RejectedException e) {
          log(
              context,
              e.getMessage() + "; indexing goes on with the mappings OpenSearch already has");
        }
        templatesInstalled = true;
      }
      BulkWriter.Result result = writer.write(batch.toBulkBody(), () -> true);
      if (result.rejected() > 0) {
        // Refused in their own form (mapping conflicts): kept as text or dead-lettered; retrying
        // cannot change it.
        log(
            context,
            result.rejected()
                + " of "
                + docs.size()
                + " documents refused by OpenSearch in their own form ("
                + result.firstRejection()
                + "): "
                + result.storedAsText()
                + " stored as text with the reason, "
                + result.deadLettered()
                + " dead-lettered, "
                + result.setAside().size()
                + " not stored anywhere");
        result.setAside().forEach(line -> log(context, "not stored: " + line));
      }
      trace.putAnnotation("indexed", result.indexed());
      trace.putAnnotation("rejected", result.rejected());
      trace.putAnnotation("outcome", result.rejected() > 0 ? "partly-rejected" : "indexed");
      return "indexed "
          + result.indexed()
          + " of "
          + docs.size()
          + " events from "
          + payload.logGroup();
    } catch (IOException e) {
      Subsegments.fail(trace, e, "failed");
      throw new UncheckedIOException(
          "indexing "
              + docs.size()
              + " events from "
              + payload.logGroup()
              + " failed; Lambda will retry",
          e);
    } catch (InterruptedException e) {
      Subsegments.fail(trace, e, "interrupted");
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "failed");
      throw e;
    } finally {
      Subsegments.end(trace);
    }
  }

  private static void log(Context context, String message) {
    if (context != null && context.getLogger() != null) {
      context.getLogger().log(message);
    } else {
      System.err.println(message);
    }
  }

  static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("environment variable " + name + " is required");
    }
    return value;
  }
}
