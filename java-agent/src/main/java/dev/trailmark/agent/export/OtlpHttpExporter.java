package dev.trailmark.agent.export;

import dev.trailmark.agent.trace.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends sampled spans as OTLP/HTTP JSON to {@code <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces}, in batches of
 * up to {@link #MAX_BATCH} spans at least once a second, from one daemon thread started on the first
 * span. Spans wait in a queue bounded by bytes; a batch the endpoint refuses is counted and dropped.
 */
public final class OtlpHttpExporter implements Consumer<Span> {

  static final int MAX_BATCH = 512;

  private final URI tracesUri;
  private final String resourceJson;
  private final String agentVersion;
  private final BoundedQueue queue;
  private final Runnable suppressTracing;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile Thread sender;

  /**
   * @param suppressTracing run first on the sender thread, so that its own HTTP calls are not traced
   */
  public OtlpHttpExporter(String endpoint, String serviceName, Map<String, String> resource, String agentVersion,
      long queueBytes, Runnable suppressTracing) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    this.tracesUri = URI.create(base.endsWith("/v1/traces") ? base : base + "/v1/traces");
    StringBuilder sb = new StringBuilder();
    JsonWriter json = new JsonWriter(sb).beginArray();
    attribute(json, "service.name", serviceName);
    for (Map.Entry<String, String> r : resource.entrySet()) {
      if (!r.getKey().equals("service.name")) {
        attribute(json, r.getKey(), r.getValue());
      }
    }
    attribute(json, "telemetry.sdk.name", "trailmark-agent");
    attribute(json, "telemetry.sdk.language", "java");
    this.resourceJson = json.endArray().toString();
    this.agentVersion = agentVersion;
    this.queue = new BoundedQueue(queueBytes);
    this.suppressTracing = suppressTracing;
  }

  @Override
  public void accept(Span span) {
    if (!span.context().isSampled()) {
      return;
    }
    if (queue.offer(encode(span).getBytes(StandardCharsets.UTF_8)) && sender == null) {
      startSender();
    }
  }

  /** One OTLP JSON span object (ids in hex, times in Unix nanoseconds as strings, as OTLP/JSON has them). */
  static String encode(Span span) {
    StringBuilder sb = new StringBuilder(512);
    JsonWriter json = new JsonWriter(sb).beginObject();
    json.name("traceId").value(span.context().traceId());
    json.name("spanId").value(span.context().spanId());
    if (span.parentSpanId() != null) {
      json.name("parentSpanId").value(span.parentSpanId());
    }
    if (span.context().traceState() != null) {
      json.name("traceState").value(span.context().traceState());
    }
    json.name("name").value(span.name());
    json.name("kind").value(span.kind() == Span.Kind.SERVER ? 2 : 3);
    json.name("startTimeUnixNano").value(Long.toString(span.startEpochNanos()));
    json.name("endTimeUnixNano").value(Long.toString(span.endEpochNanos()));
    json.name("attributes").beginArray();
    if (span.method() != null) {
      attribute(json, "http.request.method", span.method());
    }
    if (span.url() != null) {
      attribute(json, "url.full", span.url());
    }
    if (span.route() != null) {
      attribute(json, "http.route", span.route());
    }
    if (span.status() > 0) {
      json.beginObject().name("key").value("http.response.status_code")
          .name("value").beginObject().name("intValue").value(Integer.toString(span.status())).endObject()
          .endObject();
    }
    if (span.awsService() != null) {
      attribute(json, "rpc.system", "aws-api");
      attribute(json, "rpc.service", span.awsService());
      attribute(json, "rpc.method", span.awsOperation());
    }
    if (span.error() != null) {
      attribute(json, "exception.type", span.error().getClass().getName());
    }
    json.endArray();
    // Status: error for server faults (5xx, exceptions) and for any failed client call (4xx included).
    boolean error = span.isFault() || (span.kind() == Span.Kind.CLIENT && span.isClientError());
    json.name("status").beginObject().name("code").value(error ? 2 : 0).endObject();
    return json.endObject().toString();
  }

  private static void attribute(JsonWriter json, String key, String value) {
    json.beginObject().name("key").value(key)
        .name("value").beginObject().name("stringValue").value(value).endObject().endObject();
  }

  private synchronized void startSender() {
    if (sender != null) {
      return;
    }
    Thread thread = new Thread(new Runnable() {
      @Override
      public void run() {
        suppressTracing.run();
        send();
      }
    }, "trailmark-otlp-exporter");
    thread.setDaemon(true);
    sender = thread;
    thread.start();
  }

  private void send() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String head = "{\"resourceSpans\":[{\"resource\":{\"attributes\":" + resourceJson
        + "},\"scopeSpans\":[{\"scope\":{\"name\":\"trailmark-agent\",\"version\":\"" + agentVersion
        + "\"},\"spans\":[";
    try {
      while (!Thread.currentThread().isInterrupted()) {
        byte[] first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        StringBuilder body = new StringBuilder(head).append(new String(first, StandardCharsets.UTF_8));
        int count = 1;
        for (byte[] next; count < MAX_BATCH && (next = queue.poll(0, TimeUnit.MILLISECONDS)) != null; count++) {
          body.append(',').append(new String(next, StandardCharsets.UTF_8));
        }
        body.append("]}]}]}");
        try {
          HttpResponse<Void> response = http.send(HttpRequest.newBuilder(tracesUri)
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
              HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() / 100 == 2) {
            sent.addAndGet(count);
          } else {
            failed.addAndGet(count);
          }
        } catch (java.io.IOException e) {
          failed.addAndGet(count);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public long dropped() {
    return queue.dropped();
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }
}
