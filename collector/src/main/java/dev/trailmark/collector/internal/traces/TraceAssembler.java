package dev.trailmark.collector.internal.traces;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns span documents into index operations: spans under their span id (so a later, better version
 * replaces an earlier one), service names of X-Ray subsegments filled in from their parents, and
 * the service map edges of {@code otel-v1-apm-service-map} (client span of service A whose child is
 * a server span of service B). A client span of a database or an AWS service is also an edge, to a
 * node named as X-Ray names it (the database, {@code SQS}...), and a server span under such a span
 * (a message's consumer) is an edge from that node, so a queue shows as the hop between producer
 * and consumer, as in X-Ray's service map.
 *
 * <p>Spans of one trace arrive in any order (children end, and are sent, before parents), so recent
 * spans are remembered in bounded LRU maps; past the bounds the oldest are forgotten and a late
 * child keeps {@code serviceName: "unknown"}.
 *
 * <p>Each span document is a version of its span ({@link DocumentBatch#addVersion}): the bulk
 * requests that carry the first and the rewritten one may be in flight together, or retried, and
 * the rewritten one must still win.
 */
public final class TraceAssembler {

  /**
   * What is remembered of a span; {@code remote} is the node a database or AWS client span calls
   * (null for others).
   */
  private record Info(String service, String kind, String name, String traceId, String remote) {}

  /**
   * Children remembered per unknown parent; past it a late child keeps {@code serviceName:
   * "unknown"}.
   */
  static final int MAX_PENDING_PER_PARENT = 1_000;

  /**
   * Children remembered in all (a span document is a few KB, so this caps the waiting room near 30
   * MB).
   */
  static final int MAX_PENDING_CHILDREN = 10_000;

  private final int maxEntries;
  private final Map<String, Info> spans;
  private final Map<String, Info> serverByParent;
  private final Map<String, List<ObjectNode>> pendingByParent;
  private final Map<String, String> traceGroups;
  private int pendingChildren;

  /** The version of the last span document; see {@link #nextVersion}. */
  private long lastVersion;

  /**
   * @param maxEntries bound of each memory map (spans, pending children, trace groups)
   */
  public TraceAssembler(int maxEntries) {
    this.maxEntries = maxEntries;
    this.spans = lru();
    this.serverByParent = lru();
    this.pendingByParent =
        new LinkedHashMap<>(256, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, List<ObjectNode>> eldest) {
            boolean evict = size() > maxEntries;
            if (evict) {
              pendingChildren -= eldest.getValue().size();
            }
            return evict;
          }
        };
    this.traceGroups = lru();
  }

  private <V> Map<String, V> lru() {
    return new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /**
   * Adds the index operations for {@code spanDocs} (and whatever they resolve) to {@code batch}.
   */
  public synchronized void add(List<ObjectNode> spanDocs, String prefix, DocumentBatch batch) {
    for (ObjectNode span : spanDocs) {
      String parent = span.path("parentSpanId").asText("");
      if (parent.isEmpty()) {
        traceGroups.put(span.path("traceId").asText(), span.path("name").asText());
      }
      if (span.path("serviceName").isNull() || span.path("serviceName").isMissingNode()) {
        Info p = parent.isEmpty() ? null : spans.get(parent);
        if (p == null) {
          List<ObjectNode> waiting =
              pendingByParent.computeIfAbsent(parent, k -> new ArrayList<>());
          if (waiting.size() < MAX_PENDING_PER_PARENT) {
            waiting.add(span);
            pendingChildren++;
          }
          // Past the total, the least recently touched parents' children are forgotten (they stay
          // "unknown").
          for (var it = pendingByParent.entrySet().iterator();
              pendingChildren > MAX_PENDING_CHILDREN && it.hasNext(); ) {
            pendingChildren -= it.next().getValue().size();
            it.remove();
          }
          span.put("serviceName", "unknown");
          emitSpan(span, prefix, batch);
          continue;
        }
        setService(span, p.service());
      }
      accept(span, prefix, batch);
    }
  }

  private void accept(ObjectNode span, String prefix, DocumentBatch batch) {
    String traceGroup = traceGroups.get(span.path("traceId").asText());
    if (traceGroup != null && !span.has("traceGroup")) {
      span.put("traceGroup", traceGroup);
    }
    emitSpan(span, prefix, batch);
    String id = span.path("spanId").asText();
    Info info =
        new Info(
            span.path("serviceName").asText(),
            span.path("kind").asText(),
            span.path("name").asText(),
            span.path("traceId").asText(),
            remoteNode(span));
    spans.put(id, info);
    edges(span, info, prefix, batch);
    List<ObjectNode> children = pendingByParent.remove(id);
    if (children != null) {
      pendingChildren -= children.size();
      for (ObjectNode child : children) {
        setService(child, info.service());
        accept(child, prefix, batch);
      }
    }
  }

  private void edges(ObjectNode span, Info info, String prefix, DocumentBatch batch) {
    String parent = span.path("parentSpanId").asText("");
    if ("SPAN_KIND_SERVER".equals(info.kind())) {
      emitEdge(info.service(), "SPAN_KIND_SERVER", null, info, prefix, batch);
      Info p = parent.isEmpty() ? null : spans.get(parent);
      if (p != null && "SPAN_KIND_CLIENT".equals(p.kind())) {
        emitEdge(source(p), "SPAN_KIND_CLIENT", info, info, prefix, batch);
      } else if (!parent.isEmpty()) {
        serverByParent.put(parent, info);
      }
    } else if ("SPAN_KIND_CLIENT".equals(info.kind())) {
      Info server = serverByParent.remove(span.path("spanId").asText());
      if (server != null) {
        emitEdge(source(info), "SPAN_KIND_CLIENT", server, server, prefix, batch);
      }
      if (info.remote() != null) {
        Info node =
            new Info(
                info.remote(), "SPAN_KIND_CLIENT", remoteOperation(span), info.traceId(), null);
        emitEdge(info.service(), "SPAN_KIND_CLIENT", node, node, prefix, batch);
      }
    }
  }

  /**
   * Where an edge to the server span under {@code client} starts: the queue (or other AWS node) the
   * client called, else the client's service.
   */
  private static String source(Info client) {
    return client.remote() != null ? client.remote() : client.service();
  }

  /**
   * The node a database or AWS client span calls, or null: X-Ray's name for it (the subsegment's,
   * kept as {@code peer.service}), else the database's name (an OTLP span), else the span's name.
   */
  private static String remoteNode(ObjectNode span) {
    if (!"SPAN_KIND_CLIENT".equals(span.path("kind").asText())
        || !(span.hasNonNull("span.attributes.db@system")
            || span.hasNonNull("span.attributes.aws@operation"))) {
      return null;
    }
    for (String field : new String[] {"span.attributes.peer@service", "span.attributes.db@name"}) {
      String name = span.path(field).asText("");
      if (!name.isEmpty()) {
        return name;
      }
    }
    String name = span.path("name").asText("");
    return name.isEmpty() ? null : name;
  }

  /**
   * The operation on a remote node: the AWS operation, or the statement's verb ({@code SELECT}),
   * else the database system: a small set, so edges stay few.
   */
  private static String remoteOperation(ObjectNode span) {
    String aws = span.path("span.attributes.aws@operation").asText("");
    if (!aws.isEmpty()) {
      return aws;
    }
    String statement = span.path("span.attributes.db@statement").asText("").strip();
    int end = 0;
    while (end < statement.length() && Character.isLetter(statement.charAt(end))) {
      end++;
    }
    return end > 0
        ? statement.substring(0, end).toUpperCase(java.util.Locale.ROOT)
        : span.path("span.attributes.db@system").asText("");
  }

  private void emitEdge(
      String service,
      String kind,
      Info destination,
      Info target,
      String prefix,
      DocumentBatch batch) {
    ObjectNode edge = Json.object();
    edge.put("serviceName", service).put("kind", kind);
    if (destination != null) {
      edge.putObject("destination")
          .put("domain", destination.service())
          .put("resource", destination.name());
      edge.putNull("target");
    } else {
      edge.putNull("destination");
      edge.putObject("target").put("domain", target.service()).put("resource", target.name());
    }
    String group = traceGroups.get(target.traceId());
    if (group != null) {
      edge.put("traceGroupName", group);
    } else {
      edge.putNull("traceGroupName");
    }
    String hash = sha1(edge.toString());
    edge.put("hashId", hash);
    batch.add(prefix + "otel-v1-apm-service-map", hash, edge);
  }

  /**
   * Higher for every span document, also across restarts (microseconds of the wall clock), so that
   * a version logged before a restart and replayed after it never beats a later one.
   */
  private long nextVersion() {
    lastVersion = Math.max(lastVersion + 1, System.currentTimeMillis() * 1000);
    return lastVersion;
  }

  private void emitSpan(ObjectNode span, String prefix, DocumentBatch batch) {
    long start;
    try {
      start = Instant.parse(span.path("startTime").asText()).toEpochMilli();
    } catch (RuntimeException e) {
      start = System.currentTimeMillis();
    }
    batch.addVersion(
        prefix + "otel-v1-apm-span-" + IndexNames.day(start),
        span.path("spanId").asText(),
        nextVersion(),
        span);
  }

  private static void setService(ObjectNode span, String service) {
    span.put("serviceName", service);
    span.put("resource.attributes.service@name", service);
  }

  private static String sha1(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : d) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
