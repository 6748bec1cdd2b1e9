package dev.trailmark.agent.internal.export;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;

/**
 * The OTLP/HTTP span exporter of the OpenTelemetry SDK (protobuf, over the JDK's HTTP client),
 * aimed at {@code OTEL_EXPORTER_OTLP_ENDPOINT}. A class of its own so the exporter's classes are
 * loaded only when OTLP export is configured.
 */
public final class OtlpExport {

  private OtlpExport() {}

  /** The exporter for {@code endpoint}, a base URL ({@code /v1/traces} is added unless present). */
  public static SpanExporter exporter(String endpoint) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return OtlpHttpSpanExporter.builder()
        .setEndpoint(base.endsWith("/v1/traces") ? base : base + "/v1/traces")
        .setTimeout(Duration.ofSeconds(10))
        .build();
  }
}
