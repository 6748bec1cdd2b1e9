package dev.trailmark.collector.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's one HTTP port: AWS JSON APIs routed by {@code X-Amz-Target}, and the status
 * endpoint.
 *
 * <p>Every failure is answered in AWS's error shape and never stops the server.
 */
final class HttpFront implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(HttpFront.class);
  static final String AMZ_JSON_11 = "application/x-amz-json-1.1";
  private static final long DISCARD_LIMIT = 64L * 1024 * 1024;

  private final int maxRequestBytes;
  private final SigV4Verifier verifier;
  private final CloudWatchLogsApi logs;
  private final FirehoseApi firehose;
  private final XRayApi xray;
  private final CloudWatchMetricsApi metrics;
  private final OtlpApi otlp;
  private final Stats stats;
  private final OpenSearchSink sink;

  /**
   * Requests processed at once (the rest wait after reading their body); status requests skip the
   * line.
   */
  private final java.util.concurrent.Semaphore processing;

  /** Bound of the request bodies held in memory at once, by all connections together. */
  private final long maxBufferedBytes;

  private final java.util.concurrent.atomic.AtomicLong bufferedBytes =
      new java.util.concurrent.atomic.AtomicLong();

  HttpFront(
      int maxRequestBytes,
      int processingThreads,
      SigV4Verifier verifier,
      CloudWatchLogsApi logs,
      FirehoseApi firehose,
      XRayApi xray,
      CloudWatchMetricsApi metrics,
      OtlpApi otlp,
      Stats stats,
      OpenSearchSink sink) {
    this.otlp = otlp;
    this.xray = xray;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
    this.verifier = verifier;
    this.logs = logs;
    this.firehose = firehose;
    this.stats = stats;
    this.sink = sink;
    this.processing = new java.util.concurrent.Semaphore(processingThreads);
    this.maxBufferedBytes = (long) processingThreads * maxRequestBytes;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    long reserved = 0;
    boolean permit = false;
    try (exchange) {
      stats.request();
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if ("GET".equals(method) && "/_trailmark/status".equals(path)) {
        RequestGuard.processing();
        respond(
            exchange,
            200,
            "application/json",
            requestId,
            Json.MAPPER.writeValueAsBytes(stats.toJson(sink)));
        return;
      }
      boolean query =
          CloudWatchMetricsApi.isQuery(exchange.getRequestHeaders().getFirst("Content-Type"));
      boolean cloudWatchJson =
          CloudWatchJson.handles(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
      try {
        if (!"POST".equals(method)) {
          throw new AwsException(
              405, "UnknownOperationException", method + " " + path + " is not supported");
        }
        reserved = reserve(exchange);
        byte[] body = readBody(exchange);
        RequestGuard.processing();
        processing.acquireUninterruptibly();
        permit = true;
        Headers headers = exchange.getRequestHeaders();
        if (OtlpApi.handles(path)) {
          // OTLP exporters do not sign requests: OTLP is served without SigV4, like the X-Ray
          // daemon port.
          OtlpApi.Answer answer =
              otlp.handle(path, headers.getFirst("Content-Type"), gunzipIfNeeded(headers, body));
          respond(exchange, answer.status(), answer.contentType(), requestId, answer.body());
          return;
        }
        String target = headers.getFirst("X-Amz-Target");
        if (cloudWatchJson) {
          if (verifier != null) {
            verifier.verify(method, exchange.getRequestURI(), headers, body);
          }
          metrics.handle(
              CloudWatchJson.toQueryParameters(target, gunzipIfNeeded(headers, body)), requestId);
          respond(exchange, 200, CloudWatchJson.CONTENT_TYPE, requestId, new byte[] {'{', '}'});
          return;
        }
        if (query && target == null) {
          if (verifier != null) {
            verifier.verify(method, exchange.getRequestURI(), headers, body);
          }
          String xml =
              metrics.handle(
                  CloudWatchMetricsApi.parseForm(gunzipIfNeeded(headers, body)), requestId);
          respond(
              exchange,
              200,
              "text/xml",
              requestId,
              xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          return;
        }
        if (target == null && !XRayApi.PATH.equals(path)) {
          throw new AwsException(
              400,
              "UnknownOperationException",
              "Missing X-Amz-Target header: the collector cannot tell which AWS operation is meant");
        }
        if (verifier != null) {
          verifier.verify(method, exchange.getRequestURI(), headers, body);
        }
        JsonNode request = parseJson(body);
        ObjectNode response;
        if (target == null) {
          respond(
              exchange,
              200,
              "application/json",
              requestId,
              Json.MAPPER.writeValueAsBytes(xray.putTraceSegments(request)));
          return;
        } else if (target.startsWith(CloudWatchLogsApi.TARGET_PREFIX)) {
          response =
              logs.handle(target.substring(CloudWatchLogsApi.TARGET_PREFIX.length()), request);
        } else if (target.startsWith(FirehoseApi.TARGET_PREFIX)) {
          response = firehose.handle(target.substring(FirehoseApi.TARGET_PREFIX.length()), request);
        } else {
          throw new AwsException(400, "UnknownOperationException", "Unknown operation " + target);
        }
        respond(exchange, 200, AMZ_JSON_11, requestId, Json.MAPPER.writeValueAsBytes(response));
      } catch (AwsException e) {
        stats.rejected(e.type(), 1);
        if (cloudWatchJson) {
          exchange
              .getResponseHeaders()
              .set(
                  "x-amzn-query-error",
                  e.type() + ";" + (e.status() >= 500 ? "Receiver" : "Sender"));
          respond(
              exchange,
              e.status(),
              CloudWatchJson.CONTENT_TYPE,
              requestId,
              CloudWatchJson.error(e));
        } else if (query) {
          respond(
              exchange,
              e.status(),
              "text/xml",
              requestId,
              CloudWatchMetricsApi.errorXml(e, requestId)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else {
          respondError(exchange, requestId, e);
        }
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      // The client may be gone; the server keeps serving either way.
      log.warn(
          "request {} failed: {}", requestId, e.toString(), e instanceof IOException ? null : e);
      stats.rejected("InternalFailure", 1);
      try {
        respondError(
            exchange,
            requestId,
            new AwsException(
                500,
                "InternalFailure",
                "The request processing has failed because of an unknown error (request "
                    + requestId
                    + ")"));
      } catch (IOException | RuntimeException ignored) {
        // Response already started or connection closed: nothing more to tell the client.
      }
    } finally {
      if (permit) {
        processing.release();
      }
      bufferedBytes.addAndGet(-reserved);
    }
  }

  /**
   * Reserves room for this request's body in the shared bound ({@code processing threads ×
   * maxRequestBytes}); past it the client is throttled (the SDKs retry) instead of the collector
   * running out of memory.
   */
  private long reserve(HttpExchange exchange) throws AwsException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    long wanted = maxRequestBytes;
    if (length != null) {
      try {
        wanted = Math.min(maxRequestBytes, Math.max(0, Long.parseLong(length.trim())));
      } catch (NumberFormatException e) {
        throw AwsException.serialization("Malformed Content-Length");
      }
    }
    if (bufferedBytes.addAndGet(wanted) > maxBufferedBytes && wanted > 0) {
      bufferedBytes.addAndGet(-wanted);
      throw new AwsException(
          400,
          "ThrottlingException",
          "Rate exceeded: too many large requests are being received at once; retry later");
    }
    return wanted;
  }

  private byte[] readBody(HttpExchange exchange) throws IOException, AwsException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    long declared = -1;
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw AwsException.serialization("Malformed Content-Length");
      }
    }
    InputStream in = exchange.getRequestBody();
    byte[] buffer = new byte[16384];
    if (declared > maxRequestBytes) {
      discard(in, buffer);
      throw tooLarge();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared < 0 ? 8192 : (int) declared);
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
      if (out.size() > maxRequestBytes) {
        discard(in, buffer);
        throw tooLarge();
      }
    }
    return out.toByteArray();
  }

  /**
   * Reads and drops the rest of an oversized body (up to a bound) so the client receives the 413
   * instead of a reset connection; memory stays at one buffer.
   */
  private static void discard(InputStream in, byte[] buffer) throws IOException {
    long dropped = 0;
    int n;
    while (dropped < DISCARD_LIMIT && (n = in.read(buffer)) >= 0) {
      dropped += n;
    }
  }

  /**
   * The SDK gzips large PutMetricData bodies ({@code Content-Encoding: gzip}); the signature covers
   * the gzip.
   */
  private byte[] gunzipIfNeeded(Headers headers, byte[] body) throws AwsException {
    String encoding = headers.getFirst("Content-Encoding");
    if (encoding == null || !encoding.toLowerCase(java.util.Locale.ROOT).contains("gzip")) {
      return body;
    }
    try (InputStream in =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
      byte[] out = in.readNBytes(maxRequestBytes + 1);
      if (out.length > maxRequestBytes) {
        throw tooLarge();
      }
      return out;
    } catch (IOException e) {
      throw new AwsException(
          400, "MalformedInput", "Content-Encoding gzip, but the body is not valid gzip");
    }
  }

  private AwsException tooLarge() {
    return new AwsException(
        413,
        "RequestEntityTooLargeException",
        "Request body exceeds the collector's limit of " + maxRequestBytes + " bytes");
  }

  private static JsonNode parseJson(byte[] body) throws AwsException {
    if (body.length == 0) {
      return Json.object();
    }
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw AwsException.serialization("The request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw AwsException.serialization("Malformed JSON request body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw AwsException.serialization("Unreadable request body");
    }
  }

  static void respondError(HttpExchange exchange, String requestId, AwsException e)
      throws IOException {
    ObjectNode body = Json.object().put("__type", e.type()).put("message", e.getMessage());
    exchange.getResponseHeaders().set("x-amzn-ErrorType", e.type());
    respond(exchange, e.status(), AMZ_JSON_11, requestId, Json.MAPPER.writeValueAsBytes(body));
  }

  static void respond(
      HttpExchange exchange, int status, String contentType, String requestId, byte[] body)
      throws IOException {
    RequestGuard.respondingNow();
    Headers h = exchange.getResponseHeaders();
    h.set("Content-Type", contentType);
    h.set("x-amzn-RequestId", requestId);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
