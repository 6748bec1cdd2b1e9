package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.common.json.Json;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The collector's own health counters, served at {@code GET /_trailmark/status}. */
final class Stats {

  private final long startedAt = System.currentTimeMillis();
  private final LongAdder requests = new LongAdder();
  private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();

  private volatile java.util.function.LongSupplier slowConnectionsClosed = () -> 0;

  void slowConnectionsClosed(java.util.function.LongSupplier count) {
    this.slowConnectionsClosed = count;
  }

  void request() {
    requests.increment();
  }

  /**
   * Documents accepted (durably) from one API, e.g. {@code logs}, {@code firehose}, {@code xray}.
   */
  void accepted(String api, long documents) {
    accepted.computeIfAbsent(api, k -> new LongAdder()).add(documents);
  }

  /** One refused request or item, by reason (the AWS error type or a rejected-event category). */
  void rejected(String reason, long count) {
    rejected.computeIfAbsent(reason, k -> new LongAdder()).add(count);
  }

  long acceptedTotal() {
    return accepted.values().stream().mapToLong(LongAdder::sum).sum();
  }

  ObjectNode toJson(OpenSearchSink sink) {
    ObjectNode status = Json.object();
    status.put("status", sink.available() ? "ok" : "opensearch-unavailable");
    status.put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
    status.put("requests", requests.sum());
    status.put("accepted", acceptedTotal());
    ObjectNode byApi = status.putObject("acceptedByApi");
    new TreeMap<>(accepted).forEach((k, v) -> byApi.put(k, v.sum()));
    ObjectNode byReason = status.putObject("rejectedByReason");
    new TreeMap<>(rejected).forEach((k, v) -> byReason.put(k, v.sum()));
    status.put("rejected", rejected.values().stream().mapToLong(LongAdder::sum).sum());
    status.put("indexed", sink.indexedCount());
    status.put("retried", sink.retriedCount());
    status.put("rejectedByOpenSearch", sink.rejectedByOpenSearchCount());
    status.put("storedAsText", sink.storedAsTextCount());
    status.put("deadLettered", sink.deadLetteredCount());
    status.put("deadLetterIndex", sink.deadLetterIndex());
    status.put("setAside", sink.setAsideCount());
    if (sink.setAsideCount() > 0) {
      status.put("setAsideFile", sink.setAsideFile().toString());
    }
    status.put("bulkRequests", sink.bulkRequestCount());
    status.put("slowConnectionsClosed", slowConnectionsClosed.getAsLong());
    status.put("walBytes", sink.backlogBytes());
    status.put("openSearchAvailable", sink.available());
    return status;
  }
}
