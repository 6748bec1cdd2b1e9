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
 * a server span of service B).
 *
 * <p>Spans of one trace arrive in any order (children end, and are sent, before parents), so recent
 * spans are remembered in bounded LRU maps; past the bounds the oldest are forgotten and a late
 * child keeps {@code serviceName: "unknown"}.
 */
public final class TraceAssembler {

  /** What is remembered of a span. */
  private record Info(String service, String kind, String name, String traceId) {}

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
            span.path("traceId").asText());
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
        emitEdge(p.service(), "SPAN_KIND_CLIENT", info, info, prefix, batch);
      } else if (!parent.isEmpty()) {
        serverByParent.put(parent, info);
      }
    } else if ("SPAN_KIND_CLIENT".equals(info.kind())) {
      Info server = serverByParent.remove(span.path("spanId").asText());
      if (server != null) {
        emitEdge(info.service(), "SPAN_KIND_CLIENT", server, server, prefix, batch);
      }
    }
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

  private static void emitSpan(ObjectNode span, String prefix, DocumentBatch batch) {
    long start;
    try {
      start = Instant.parse(span.path("startTime").asText()).toEpochMilli();
    } catch (RuntimeException e) {
      start = System.currentTimeMillis();
    }
    batch.add(
        prefix + "otel-v1-apm-span-" + IndexNames.day(start), span.path("spanId").asText(), span);
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
