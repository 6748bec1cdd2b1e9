package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedOutputStream;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.otlp.OtlpDocuments;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.sink.SinkBusyException;
import dev.trailmark.collector.internal.traces.TraceAssembler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OTLP/HTTP receiver ({@code /v1/traces}, {@code /v1/logs}, {@code /v1/metrics}; protobuf or JSON,
 * optionally gzip): the same documents as the AWS-shaped endpoints, so any OpenTelemetry SDK or
 * agent can send here.
 */
final class OtlpApi {

  /** An OTLP answer: status, content type and body. */
  record Answer(int status, String contentType, byte[] body) {}

  private final OpenSearchSink sink;
  private final Stats stats;
  private final TraceAssembler assembler;

  OtlpApi(OpenSearchSink sink, Stats stats, TraceAssembler assembler) {
    this.sink = sink;
    this.stats = stats;
    this.assembler = assembler;
  }

  static boolean handles(String path) {
    return "/v1/traces".equals(path) || "/v1/logs".equals(path) || "/v1/metrics".equals(path);
  }

  Answer handle(String path, String contentType, byte[] body) throws IOException {
    boolean json =
        contentType != null
            && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json");
    if (!json
        && (contentType == null
            || !contentType
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith("application/x-protobuf"))) {
      stats.rejected("otlp.unsupportedMediaType", 1);
      return error(
          415, json, "OTLP/HTTP needs Content-Type application/x-protobuf or application/json");
    }
    DocumentBatch batch = new DocumentBatch();
    String api;
    try {
      switch (path) {
        case "/v1/traces":
          {
            List<ObjectNode> spans =
                OtlpDocuments.spans(
                    OtlpDocuments.parse(body, json, ExportTraceServiceRequest.newBuilder())
                        .build());
            assembler.add(spans, sink.indexPrefix(), batch);
            api = "otlp.traces";
            break;
          }
        case "/v1/logs":
          for (OtlpDocuments.TimedDocument d :
              OtlpDocuments.logs(
                  OtlpDocuments.parse(body, json, ExportLogsServiceRequest.newBuilder()).build())) {
            batch.add(
                sink.indexPrefix() + "logs-otel-" + IndexNames.day(d.epochMillis()), d.document());
          }
          api = "otlp.logs";
          break;
        default:
          for (OtlpDocuments.TimedDocument d :
              OtlpDocuments.metrics(
                  OtlpDocuments.parse(body, json, ExportMetricsServiceRequest.newBuilder())
                      .build())) {
            batch.add(
                sink.indexPrefix() + "metrics-" + IndexNames.day(d.epochMillis()), d.document());
          }
          api = "otlp.metrics";
      }
    } catch (IllegalArgumentException e) {
      stats.rejected("otlp.malformed", 1);
      return error(400, json, e.getMessage());
    }
    try {
      sink.write(batch);
    } catch (SinkBusyException e) {
      // 503 and 429 are the statuses OTLP exporters retry.
      stats.rejected(
          e.reason() == SinkBusyException.Reason.UNAVAILABLE
              ? "otlp.unavailable"
              : "otlp.throttled",
          1);
      return error(
          e.reason() == SinkBusyException.Reason.UNAVAILABLE ? 503 : 429, json, e.getMessage());
    }
    stats.accepted(api, batch.size());
    // An empty Export*ServiceResponse: zero bytes in protobuf, {} in JSON.
    return json
        ? new Answer(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
        : new Answer(200, "application/x-protobuf", new byte[0]);
  }

  /**
   * A {@code google.rpc.Status} (code 3 INVALID_ARGUMENT or 14 UNAVAILABLE) in the request's
   * encoding.
   */
  private static Answer error(int status, boolean json, String message) throws IOException {
    int code = status == 400 || status == 415 ? 3 : 14;
    if (json) {
      String body =
          dev.trailmark.common.json.Json.MAPPER.writeValueAsString(
              dev.trailmark.common.json.Json.object().put("code", code).put("message", message));
      return new Answer(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeInt32(1, code);
    coded.writeString(2, message == null ? "" : message);
    coded.flush();
    return new Answer(status, "application/x-protobuf", out.toByteArray());
  }
}
