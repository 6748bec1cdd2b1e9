package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.OpenSearchTransports;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.opensearch.SearchAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.OpenSearchTransport;

/**
 * The runner's OpenSearch: searches over the rules' indices, the alerts index and its template, and
 * the status index that holds each rule's state and the silences. Counts every request it sends
 * (the benchmark reports it).
 */
public final class Store implements AutoCloseable {
  /** The status index name without prefix (the runner's own; not for other rooms to read). */
  public static final String STATUS = "trailmark-alert-status";

  private final OpenSearchTransport transport;
  private final OpenSearchClient client;
  private final String prefix;
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean prepared;

  /**
   * A store talking to {@code endpoint} (SigV4 for Amazon OpenSearch Service) with every index
   * under {@code prefix}.
   */
  public Store(URI endpoint, String prefix) {
    this.transport = OpenSearchTransports.create(endpoint);
    this.client = new OpenSearchClient(transport);
    this.prefix = prefix == null ? "" : prefix;
  }

  /** The index prefix. */
  public String prefix() {
    return prefix;
  }

  /** Requests sent so far. */
  public long requests() {
    return requests.get();
  }

  /** {@code <prefix>alerts-<yyyy.MM.dd>} of a notice made at {@code epochMillis}. */
  public String alertsIndex(long epochMillis) {
    return prefix + "alerts-" + IndexNames.day(epochMillis);
  }

  /** The status index. */
  public String statusIndex() {
    return prefix + STATUS;
  }

  /** Installs the alerts index template and creates the status index, once per store. */
  public void prepare() throws IOException {
    if (prepared) {
      return;
    }
    ObjectNode template =
        (ObjectNode)
            Json.MAPPER.readTree(resource("alerts-template.json").replace("${prefix}", prefix));
    template.put("priority", 100 + prefix.length());
    template.putObject("_meta").put("managed_by", "trailmark-alerting");
    JsonNode r = send("PUT", "/_index_template/" + prefix + "trailmark-alerts", template, Map.of());
    if (r.has("error")) {
      throw new IOException("installing the alerts index template failed: " + r.get("error"));
    }
    JsonNode created =
        send(
            "PUT",
            "/" + statusIndex(),
            Json.MAPPER.readTree(resource("status-index.json")),
            Map.of());
    if (created.has("error")
        && !created
            .path("error")
            .path("type")
            .asText()
            .equals("resource_already_exists_exception")) {
      throw new IOException("creating " + statusIndex() + " failed: " + created.get("error"));
    }
    prepared = true;
  }

  private static String resource(String name) {
    try (InputStream in = Store.class.getResourceAsStream("/dev/trailmark/alerting/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A search over a pattern (missing indices are no error); throws when OpenSearch refuses the
   * query, or answers it from only some of the shards: a window judged on part of its documents
   * would miss an alert (or raise a false flatline), so the rule fails this cycle and the next one
   * evaluates the same window again.
   */
  public JsonNode search(String indexPattern, ObjectNode body) throws IOException {
    JsonNode r =
        send(
            "POST",
            "/" + indexPattern + "/_search",
            body,
            Map.of("ignore_unavailable", "true", "allow_no_indices", "true"));
    if (r.has("error")) {
      throw new IOException("search of " + indexPattern + " refused: " + reason(r));
    }
    String incomplete = SearchAnswers.incompleteness(r);
    if (incomplete != null) {
      throw new IOException("search of " + indexPattern + " answered in part: " + incomplete);
    }
    return r;
  }

  /** Every status document of one {@code type} ({@code rule} or {@code silence}), by id. */
  public Map<String, ObjectNode> statusDocs(String type) throws IOException {
    ObjectNode q = Json.object();
    q.put("size", 10_000);
    q.putObject("query").putObject("term").put("type", type);
    JsonNode r = search(statusIndex(), q);
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    for (JsonNode hit : r.path("hits").path("hits")) {
      out.put(hit.path("_id").asText(), (ObjectNode) hit.path("_source"));
    }
    return out;
  }

  /**
   * The status documents with these ids (missing ones absent), read by id: real-time, no refresh
   * needed.
   */
  public Map<String, ObjectNode> statusByIds(List<String> ids) throws IOException {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    ObjectNode body = Json.object();
    ids.forEach(body.putArray("ids")::add);
    JsonNode r = send("POST", "/" + statusIndex() + "/_mget", body, Map.of());
    if (r.has("error")) {
      throw new IOException("reading rule state failed: " + reason(r));
    }
    for (JsonNode d : r.path("docs")) {
      if (d.path("found").asBoolean(false)) {
        out.put(d.path("_id").asText(), (ObjectNode) d.path("_source"));
      }
    }
    return out;
  }

  /**
   * Writes documents ({index, id, doc}) in one {@code _bulk}, made searchable before it returns.
   */
  public void bulk(List<Object[]> docs) throws IOException {
    bulk(docs, true);
  }

  /**
   * Writes documents ({index, id, doc}) in one {@code _bulk}; {@code refresh} waits until they are
   * searchable (the rule states need not be: they are read back by id, which is real-time).
   */
  public void bulk(List<Object[]> docs, boolean refresh) throws IOException {
    if (docs.isEmpty()) {
      return;
    }
    StringBuilder nd = new StringBuilder();
    for (Object[] d : docs) {
      ObjectNode action = Json.object();
      action.putObject("index").put("_index", (String) d[0]).put("_id", (String) d[1]);
      nd.append(Json.MAPPER.writeValueAsString(action)).append('\n');
      nd.append(Json.MAPPER.writeValueAsString(d[2])).append('\n');
    }
    requests.incrementAndGet();
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("POST")
                    .endpoint("/_bulk")
                    .query(refresh ? Map.of("refresh", "true") : Map.of())
                    .body(
                        Body.from(
                            nd.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson"))
                    .build())) {
      JsonNode r =
          Json.MAPPER.readTree(
              response.getBody().map(Body::bodyAsBytes).orElse(new byte[] {'{', '}'}));
      if (response.getStatus() >= 300 || r.path("errors").asBoolean(false)) {
        throw new IOException(
            "writing alerts and rule state failed: " + response.getStatus() + " " + firstError(r));
      }
    }
  }

  /** Deletes one status document (a silence lifted early); absent is fine. */
  public void deleteStatus(String id) throws IOException {
    send(
        "DELETE",
        "/" + statusIndex() + "/_doc/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8),
        null,
        Map.of("refresh", "true"));
  }

  private JsonNode send(String method, String path, JsonNode body, Map<String, String> query)
      throws IOException {
    requests.incrementAndGet();
    var b = Requests.builder().method(method).endpoint(path).query(query);
    if (body != null) {
      b.body(Body.from(Json.MAPPER.writeValueAsBytes(body), "application/json"));
    }
    try (Response response = client.generic().execute(b.build())) {
      byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
      JsonNode r = bytes.length == 0 ? Json.object() : Json.MAPPER.readTree(bytes);
      if (response.getStatus() >= 500) {
        throw new IOException(
            method + " " + path + " answered " + response.getStatus() + ": " + reason(r));
      }
      return r;
    }
  }

  private static String reason(JsonNode r) {
    JsonNode root = r.path("error").path("root_cause").path(0);
    String text = root.isMissingNode() ? r.path("error").toString() : root.path("reason").asText();
    return text.length() > 500 ? text.substring(0, 500) : text;
  }

  private static String firstError(JsonNode r) {
    for (JsonNode item : r.path("items")) {
      JsonNode e = item.path("index").path("error");
      if (!e.isMissingNode()) {
        return e.toString();
      }
    }
    return r.path("error").toString();
  }

  @Override
  public void close() throws IOException {
    transport.close();
  }
}
