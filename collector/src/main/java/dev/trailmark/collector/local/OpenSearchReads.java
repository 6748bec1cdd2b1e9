package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.opensearch.SearchAnswers;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/** The read side of the local CloudWatch Logs: log events searched in OpenSearch. */
final class OpenSearchReads {

  /** OpenSearch's default {@code index.max_result_window}: offsets past it cannot be paged to. */
  static final int MAX_WINDOW = 10_000;

  record Page(List<ObjectNode> hits, long total) {}

  private final OpenSearchClient client;

  OpenSearchReads(OpenSearchClient client) {
    this.client = client;
  }

  Page events(
      String indexPattern,
      String group,
      List<String> streams,
      String streamPrefix,
      Long start,
      Long end,
      int offset,
      int size,
      boolean newestFirst)
      throws IOException, AwsException {
    if (offset >= MAX_WINDOW) {
      return new Page(List.of(), 0);
    }
    ObjectNode query = Json.object();
    query.put("from", offset).put("size", Math.min(size, MAX_WINDOW - offset));
    query.put("track_total_hits", true);
    ArrayNode sort = query.putArray("sort");
    sort.addObject().putObject("@timestamp").put("order", newestFirst ? "desc" : "asc");
    ArrayNode filter = query.putObject("query").putObject("bool").putArray("filter");
    filter.addObject().putObject("term").put("attributes.aws.cloudwatch.log_group", group);
    if (streams != null) {
      ArrayNode terms =
          filter.addObject().putObject("terms").putArray("attributes.aws.cloudwatch.log_stream");
      streams.forEach(terms::add);
    }
    if (streamPrefix != null) {
      filter
          .addObject()
          .putObject("prefix")
          .put("attributes.aws.cloudwatch.log_stream", streamPrefix);
    }
    if (start != null || end != null) {
      ObjectNode range = filter.addObject().putObject("range").putObject("@timestamp");
      range.put("format", "epoch_millis");
      if (start != null) {
        range.put("gte", start);
      }
      if (end != null) {
        range.put("lt", end);
      }
    }
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("POST")
                    .endpoint("/" + indexPattern + "/_search")
                    .query(
                        java.util.Map.of("ignore_unavailable", "true", "allow_no_indices", "true"))
                    .body(Body.from(Json.MAPPER.writeValueAsBytes(query), "application/json"))
                    .build())) {
      byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
      if (response.getStatus() >= 300) {
        throw new IOException("OpenSearch search answered " + response.getStatus());
      }
      JsonNode result = Json.MAPPER.readTree(bytes);
      String incomplete = SearchAnswers.incompleteness(result);
      if (incomplete != null) {
        // Part of the events would be missing and the offsets of the paging tokens would shift:
        // a retryable refusal (the SDKs and the CLI retry it) instead of a page with holes.
        throw new AwsException(
            503,
            "ServiceUnavailableException",
            "OpenSearch answered the read of "
                + indexPattern
                + " in part: "
                + incomplete
                + "; retry later");
      }
      List<ObjectNode> hits = new ArrayList<>();
      for (JsonNode hit : result.path("hits").path("hits")) {
        hits.add((ObjectNode) hit);
      }
      return new Page(hits, result.path("hits").path("total").path("value").asLong());
    }
  }

  static long timestamp(ObjectNode source) {
    try {
      return Instant.parse(source.path("@timestamp").asText()).toEpochMilli();
    } catch (RuntimeException e) {
      return source.path("@timestamp").asLong();
    }
  }

  /**
   * The event's message as sent: the {@code body} of a plain-text event, or the JSON document
   * without the attributes the collector added.
   */
  static String message(ObjectNode source) {
    if (source.path("trailmark").has("rejected") && source.path("body").isTextual()) {
      // OpenSearch refused the document in its own form; its text form holds the document as it
      // was.
      String original = source.get("body").asText();
      try {
        JsonNode parsed = dev.trailmark.common.json.Json.MAPPER.readTree(original);
        if (parsed instanceof ObjectNode && !parsed.path("trailmark").has("rejected")) {
          return message((ObjectNode) parsed);
        }
      } catch (java.io.IOException e) {
        // not JSON: the text is the message
      }
      return original;
    }
    ObjectNode copy = source.deepCopy();
    JsonNode attributes = copy.get("attributes");
    if (attributes instanceof ObjectNode) {
      JsonNode aws = attributes.get("aws");
      if (aws instanceof ObjectNode) {
        ((ObjectNode) aws).remove("cloudwatch");
        if (aws.isEmpty()) {
          ((ObjectNode) attributes).remove("aws");
        }
      }
      if (attributes.isEmpty()) {
        copy.remove("attributes");
      }
    }
    if (copy.size() == 2 && copy.has("@timestamp") && copy.path("body").isTextual()) {
      return copy.get("body").asText();
    }
    return copy.toString();
  }
}
