package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/HTTP from the OpenTelemetry SDK's own exporters (protobuf), hand-written OTLP/JSON, and bad
 * payloads.
 */
@ExtendWith(OpenSearchExtension.class)
class OtlpIT {

  @TempDir static Path state;
  static LocalCollector collector;
  static OpenSearchInstance os;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(OpenSearchInstance instance) throws Exception {
    os = instance;
    collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(-1)
            .stateDir(state)
            .build()
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    collector.close();
  }

  static JsonNode search(String pattern, String query) throws Exception {
    os.refresh(pattern);
    return Json.MAPPER
        .readTree(
            os.post(
                "/"
                    + pattern
                    + "/_search?size=100&ignore_unavailable=true"
                    + "&allow_no_indices=true",
                "{\"query\":" + query + "}"))
        .path("hits")
        .path("hits");
  }

  static SdkTracerProvider tracer(String service) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.getDefault()
                .merge(
                    Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .addSpanProcessor(
            SimpleSpanProcessor.create(
                OtlpHttpSpanExporter.builder()
                    .setEndpoint(collector.httpEndpoint() + "/v1/traces")
                    .build()))
        .build();
  }

  @Test
  void tracesFromTheOtlpExporterBecomeSpansAndServiceMapEdges() throws Exception {
    String traceId;
    try (SdkTracerProvider web = tracer("web");
        SdkTracerProvider cart = tracer("cart")) {
      Tracer webTracer = web.get("test");
      Span server =
          webTracer
              .spanBuilder("GET /cart")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.request.method", "GET")
              .startSpan();
      traceId = server.getSpanContext().getTraceId();
      Scope scope = server.makeCurrent();
      try {
        Span client = webTracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT).startSpan();
        Span remote =
            cart.get("test")
                .spanBuilder("POST /items")
                .setSpanKind(SpanKind.SERVER)
                .setParent(Context.current().with(client))
                .startSpan();
        remote.setStatus(StatusCode.ERROR, "out of stock");
        remote.end();
        client.end();
      } finally {
        scope.close();
      }
      server.end();
      web.forceFlush().join(10, TimeUnit.SECONDS);
      cart.forceFlush().join(10, TimeUnit.SECONDS);
    }
    String pattern = os.indexPrefix() + "otel-v1-apm-span-*";
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> search(pattern, "{\"term\":{\"traceId\":\"" + traceId + "\"}}").size() == 3);
    JsonNode remote =
        search(pattern, "{\"term\":{\"name\":\"POST /items\"}}").get(0).path("_source");
    assertThat(remote.path("serviceName").asText()).isEqualTo("cart");
    assertThat(remote.path("kind").asText()).isEqualTo("SPAN_KIND_SERVER");
    assertThat(remote.path("status").path("code").asInt()).isEqualTo(2);
    assertThat(remote.path("status").path("message").asText()).isEqualTo("out of stock");
    JsonNode root = search(pattern, "{\"term\":{\"name\":\"GET /cart\"}}").get(0).path("_source");
    assertThat(root.path("traceGroup").asText()).isEqualTo("GET /cart");
    assertThat(root.path("span.attributes.http@request@method").asText()).isEqualTo("GET");
    assertThat(root.path("resource.attributes.service@name").asText()).isEqualTo("web");

    String map = os.indexPrefix() + "otel-v1-apm-service-map";
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                os.post("/" + map + "/_search?size=50", "{}")
                    .contains(
                        "\"serviceName\":\"web\",\"kind\":\"SPAN_KIND_CLIENT\",\"destination\":{\"domain\":\"cart\","
                            + "\"resource\":\"POST /items\"}"));
  }

  @Test
  void logsAndMetricsFromTheOtlpExportersBecomeDocuments() throws Exception {
    Resource resource =
        Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "billing"));
    try (SdkLoggerProvider logs =
            SdkLoggerProvider.builder()
                .setResource(resource)
                .addLogRecordProcessor(
                    SimpleLogRecordProcessor.create(
                        OtlpHttpLogRecordExporter.builder()
                            .setEndpoint(collector.httpEndpoint() + "/v1/logs")
                            .build()))
                .build();
        SdkMeterProvider meters =
            SdkMeterProvider.builder()
                .setResource(resource)
                .registerMetricReader(
                    PeriodicMetricReader.builder(
                            OtlpHttpMetricExporter.builder()
                                .setEndpoint(collector.httpEndpoint() + "/v1/metrics")
                                .build())
                        .build())
                .build()) {
      logs.get("dev.trailmark.Billing")
          .logRecordBuilder()
          .setSeverity(Severity.WARN)
          .setSeverityText("WARN")
          .setBody("invoice late")
          .setAttribute(AttributeKey.stringKey("invoice.id"), "INV-7")
          .emit();
      meters
          .get("test")
          .counterBuilder("invoices")
          .build()
          .add(3, Attributes.of(AttributeKey.stringKey("currency"), "EUR"));
      logs.forceFlush().join(10, TimeUnit.SECONDS);
      meters.forceFlush().join(10, TimeUnit.SECONDS);
    }
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(() -> search(os.indexPrefix() + "logs-otel-*", "{\"match_all\":{}}").size() == 1);
    JsonNode log =
        search(os.indexPrefix() + "logs-otel-*", "{\"match_all\":{}}").get(0).path("_source");
    assertThat(log.path("body").asText()).isEqualTo("invoice late");
    assertThat(log.path("severity").path("text").asText()).isEqualTo("WARN");
    assertThat(log.path("severity").path("number").asInt()).isEqualTo(13);
    assertThat(log.path("resource").path("service").path("name").asText()).isEqualTo("billing");
    assertThat(log.path("attributes").path("invoice").path("id").asText()).isEqualTo("INV-7");
    assertThat(log.path("instrumentationScope").path("name").asText())
        .isEqualTo("dev.trailmark.Billing");

    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                search(os.indexPrefix() + "metrics-*", "{\"term\":{\"name\":\"invoices\"}}").size()
                    >= 1);
    JsonNode metric =
        search(os.indexPrefix() + "metrics-*", "{\"term\":{\"name\":\"invoices\"}}")
            .get(0)
            .path("_source");
    assertThat(metric.path("value").asDouble()).isEqualTo(3.0);
    assertThat(metric.path("kind").asText()).isEqualTo("sum");
    assertThat(metric.path("serviceName").asText()).isEqualTo("billing");
    assertThat(metric.path("dimensions").path("currency").asText()).isEqualTo("EUR");
  }

  @Test
  void otlpJsonWithHexIdsIsAccepted() throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    String body =
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
            + "{\"stringValue\":\"json-svc\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"manual\"},\"spans\":[{"
            + "\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"op\","
            + "\"kind\":2,\"startTimeUnixNano\":\""
            + now
            + "\",\"endTimeUnixNano\":\""
            + (now + 5_000_000)
            + "\","
            + "\"attributes\":[{\"key\":\"n\",\"value\":{\"intValue\":\"7\"}}]}]}]}]}";
    HttpResponse<String> response = post("/v1/traces", "application/json", body.getBytes());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{}");
    await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                search(
                            os.indexPrefix() + "otel-v1-apm-span-*",
                            "{\"term\":{\"traceId\":\"5b8efff798038103d269b633813fc60c\"}}")
                        .size()
                    == 1);
    JsonNode span =
        search(
                os.indexPrefix() + "otel-v1-apm-span-*",
                "{\"term\":{\"spanId\":\"eee19b7ec3c1b174\"}}")
            .get(0)
            .path("_source");
    assertThat(span.path("serviceName").asText()).isEqualTo("json-svc");
    assertThat(span.path("durationInNanos").asLong()).isEqualTo(5_000_000L);
    assertThat(span.path("kind").asText()).isEqualTo("SPAN_KIND_SERVER");
  }

  @Test
  void malformedPayloadsGet400AndTheReceiverKeepsServing() throws Exception {
    assertThat(
            post("/v1/traces", "application/x-protobuf", new byte[] {0x0a, (byte) 0xff, 0x01, 0x02})
                .statusCode())
        .isEqualTo(400);
    HttpResponse<String> badJson =
        post("/v1/logs", "application/json", "{\"resourceLogs\": [".getBytes());
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(badJson.body()).path("code").asInt()).isEqualTo(3);
    String notHex =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not-hex\",\"spanId\":\"00\"}]}]}]}";
    assertThat(post("/v1/traces", "application/json", notHex.getBytes()).statusCode())
        .isEqualTo(400);
    assertThat(post("/v1/metrics", "text/plain", "x".getBytes()).statusCode()).isEqualTo(415);
    assertThat(post("/v1/metrics", "application/x-protobuf", new byte[0]).statusCode())
        .isEqualTo(200);
  }

  static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(collector.httpEndpoint().resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
