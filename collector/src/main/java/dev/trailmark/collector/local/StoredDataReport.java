package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.mapping.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Summarises what the collector stored besides logs: spans per service, service map edges, metric series. Used by
 * {@code ./trailmark demo} after the run: {@code java ... dev.trailmark.collector.local.StoredDataReport
 * [--opensearch URL] [--index-prefix P]}.
 */
public final class StoredDataReport {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI openSearch;
  private final String prefix;

  /** A report over the indices under {@code prefix} in {@code openSearch}. */
  public StoredDataReport(URI openSearch, String prefix) {
    this.openSearch = openSearch;
    this.prefix = prefix;
  }

  /** Prints the report. */
  public static void main(String[] args) throws Exception {
    URI os = URI.create("http://127.0.0.1:9200");
    String prefix = "";
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--opensearch")) {
        os = URI.create(args[i + 1]);
      } else if (args[i].equals("--index-prefix")) {
        prefix = args[i + 1];
      }
    }
    System.out.print(new StoredDataReport(os, prefix).render());
  }

  /** The report text: a few lines, one fact each. */
  public String render() throws IOException, InterruptedException {
    StringBuilder out = new StringBuilder();
    JsonNode spans = search(prefix + "otel-v1-apm-span-*", "{\"size\":0,\"track_total_hits\":true,"
        + "\"aggs\":{\"services\":{\"terms\":{\"field\":\"serviceName\",\"size\":20}},"
        + "\"traces\":{\"cardinality\":{\"field\":\"traceId\"}}}}");
    out.append(String.format(Locale.ROOT, "spans: %d in %d traces", total(spans),
        spans.path("aggregations").path("traces").path("value").asLong()));
    appendBuckets(out, spans.path("aggregations").path("services").path("buckets"));
    out.append('\n');

    JsonNode edges = search(prefix + "otel-v1-apm-service-map", "{\"size\":200,\"query\":{\"term\":"
        + "{\"kind\":\"SPAN_KIND_CLIENT\"}}}");
    TreeSet<String> lines = new TreeSet<>();
    for (JsonNode h : edges.path("hits").path("hits")) {
      JsonNode s = h.path("_source");
      lines.add(s.path("serviceName").asText() + " -> " + s.path("destination").path("domain").asText() + " ("
          + s.path("destination").path("resource").asText() + ")");
    }
    out.append("service map edges: ").append(lines.size()).append('\n');
    lines.forEach(l -> out.append("  ").append(l).append('\n'));

    JsonNode metrics = search(prefix + "metrics-*", "{\"size\":0,\"track_total_hits\":true,\"aggs\":{\"series\":"
        + "{\"multi_terms\":{\"terms\":[{\"field\":\"namespace\"},{\"field\":\"name\"}],\"size\":30}}}}");
    JsonNode series = metrics.path("aggregations").path("series").path("buckets");
    out.append(String.format(Locale.ROOT, "metric documents: %d, series (namespace/name): %d%n", total(metrics),
        series.size()));
    for (JsonNode b : series) {
      out.append("  ").append(b.path("key").get(0).asText()).append('/').append(b.path("key").get(1).asText())
          .append(": ").append(b.path("doc_count").asLong()).append('\n');
    }
    return out.toString();
  }

  private static void appendBuckets(StringBuilder out, JsonNode buckets) {
    String sep = " (";
    for (JsonNode b : buckets) {
      out.append(sep).append(b.path("key").asText()).append(' ').append(b.path("doc_count").asLong());
      sep = ", ";
    }
    if (!" (".equals(sep)) {
      out.append(')');
    }
  }

  private static long total(JsonNode result) {
    return result.path("hits").path("total").path("value").asLong();
  }

  private JsonNode search(String index, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(openSearch.resolve("/" + index
            + "/_search?ignore_unavailable=true&allow_no_indices=true"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IOException("search of " + index + " answered " + response.statusCode() + ": " + response.body());
    }
    return Json.MAPPER.readTree(response.body());
  }
}
