package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An application that uses the OpenTelemetry API itself, only what API 1.10 already has (it runs
 * with 1.10 and with the current 1.x). {@code serve}: {@code /work} adds to the current span, opens
 * a span of its own with attributes, an event, an error status and an exception, calls {@code
 * /downstream} over HttpURLConnection and two {@code @WithSpan} methods inside it, puts baggage,
 * and answers with what the API shows ({@code key=value} lines). {@code conformance [sdk]}: prints
 * what the API does with spans, scopes and baggage, one line per check, with the real SDK installed
 * when {@code sdk} is given. {@code noop}: what the API answers when nobody installed anything.
 */
public final class OtelApiApp {

  /** Reads headers from a map: the carrier of these tests. */
  public static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "serve":
        serve();
        break;
      case "conformance":
        if (args.length > 1 && "sdk".equals(args[1])) {
          GlobalOpenTelemetry.set(sdk());
        }
        conformance();
        break;
      case "noop":
        Span span = GlobalOpenTelemetry.getTracer("app").spanBuilder("noop").startSpan();
        System.out.println(
            "NOOP valid="
                + span.getSpanContext().isValid()
                + " current="
                + Span.current().getSpanContext().isValid()
                + " global="
                + GlobalOpenTelemetry.get().getClass().getName());
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  private static void serve() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int port[] = new int[1];
    server.createContext(
        "/work",
        exchange -> {
          String body;
          try {
            body = work(port[0]);
          } catch (Exception e) {
            body = "failed: " + e;
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.createContext(
        "/downstream",
        exchange -> {
          byte[] bytes = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    port[0] = server.getAddress().getPort();
    System.out.println("READY " + port[0]);
  }

  private static String work(int port) throws Exception {
    Map<String, String> out = new TreeMap<>();
    Span server = Span.current();
    out.put("server.trace", server.getSpanContext().getTraceId());
    out.put("server.span", server.getSpanContext().getSpanId());
    server.setAttribute("app.user", "alice");
    Tracer tracer = GlobalOpenTelemetry.getTracer("orders-app", "1.0");
    Span span =
        tracer
            .spanBuilder("compute-prices")
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute("app.items", 3L)
            .setAttribute(AttributeKey.stringKey("app.currency"), "EUR")
            .startSpan();
    out.put("app.trace", span.getSpanContext().getTraceId());
    out.put("app.span", span.getSpanContext().getSpanId());
    Baggage baggage = Baggage.current().toBuilder().put("tenant", "t-42").build();
    try (Scope scope = span.makeCurrent();
        Scope withBaggage = baggage.makeCurrent()) {
      out.put("inside.current", Span.current().getSpanContext().getSpanId());
      span.addEvent("cache.miss", Attributes.of(AttributeKey.stringKey("cache.key"), "prices"));
      Map<String, String> headers = new TreeMap<>();
      GlobalOpenTelemetry.getPropagators()
          .getTextMapPropagator()
          .inject(Context.current(), headers, (carrier, key, value) -> carrier.put(key, value));
      out.put("inject.traceparent", headers.get("traceparent"));
      out.put("inject.baggage", headers.get("baggage"));
      HttpURLConnection connection =
          (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/downstream").openConnection();
      try (InputStream in = connection.getInputStream()) {
        out.put("downstream", new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      out.put("lookup.current", lookup("sku-7"));
      try {
        failing();
      } catch (IllegalArgumentException expected) {
        out.put("failing", expected.getMessage());
      }
      // A pool task sees the submitter's span and baggage, as with the OpenTelemetry agent.
      out.put("pool", POOL.submit(OtelApiApp::poolTask).get());
      out.put(
          "async.baggage",
          CompletableFuture.supplyAsync(() -> Baggage.current().getEntryValue("tenant")).get());
      Span child = tracer.spanBuilder("child").startSpan();
      out.put("child.baggage", Baggage.current().getEntryValue("tenant"));
      child.end();
      span.recordException(new IllegalStateException("price list stale"));
      span.setStatus(StatusCode.ERROR, "stale prices");
    } finally {
      span.end();
    }
    out.put("after.current", Span.current().getSpanContext().getSpanId());
    out.put("after.baggage", String.valueOf(Baggage.current().getEntryValue("tenant")));
    out.put(
        "pool.after.baggage",
        String.valueOf(POOL.submit(() -> Baggage.current().getEntryValue("tenant")).get()));
    StringBuilder body = new StringBuilder();
    out.forEach((k, v) -> body.append(k).append('=').append(v).append('\n'));
    return body.toString();
  }

  /** One thread, so that a task after the baggage's scope runs where the task inside it ran. */
  private static final ExecutorService POOL = Executors.newSingleThreadExecutor();

  /**
   * The baggage a pool task inherits, the same with a baggage scope of its own, the same after that
   * scope, and its current span.
   */
  private static String poolTask() {
    String inherited = Baggage.current().getEntryValue("tenant");
    String nested;
    try (Scope region = Baggage.current().toBuilder().put("region", "eu").build().makeCurrent()) {
      nested =
          Baggage.current().getEntryValue("tenant")
              + "/"
              + Baggage.current().getEntryValue("region");
    }
    return inherited
        + ","
        + nested
        + ","
        + Baggage.current().getEntryValue("tenant")
        + ","
        + Span.current().getSpanContext().getSpanId();
  }

  /** A span of its own through the annotation, with its argument as an attribute. */
  @WithSpan("price-lookup")
  static String lookup(@SpanAttribute("app.sku") String sku) {
    return Span.current().getSpanContext().getSpanId();
  }

  /** A span named after the method, that fails. */
  @WithSpan(kind = SpanKind.CLIENT)
  static void failing() {
    throw new IllegalArgumentException("no such price");
  }

  /** An OpenTelemetry of the real SDK, with the API's W3C trace context and baggage propagators. */
  private static OpenTelemetry sdk() {
    TracerProvider provider =
        io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
            .setSampler(io.opentelemetry.sdk.trace.samplers.Sampler.alwaysOn())
            // Without a processor the SDK hands out no-op tracers.
            .addSpanProcessor(
                io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(
                    io.opentelemetry.sdk.trace.export.SpanExporter.composite()))
            .build();
    ContextPropagators propagators =
        ContextPropagators.create(
            TextMapPropagator.composite(
                W3CTraceContextPropagator.getInstance(),
                io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator.getInstance()));
    return new OpenTelemetry() {
      @Override
      public TracerProvider getTracerProvider() {
        return provider;
      }

      @Override
      public ContextPropagators getPropagators() {
        return propagators;
      }
    };
  }

  private static int check;

  private static void check(String what, Object value) {
    System.out.println("CHECK " + (++check) + " " + what + " = " + value);
  }

  /**
   * The same API calls whoever answers them; every line names what a user relies on and shows no
   * id, so that the SDK's transcript and the bridge's can be compared line by line.
   */
  private static void conformance() {
    Tracer tracer = GlobalOpenTelemetry.getTracer("conformance");
    check("no span current at start", !Span.current().getSpanContext().isValid());
    check("root context current at start", Context.current() == Context.root());
    Span parent = tracer.spanBuilder("parent").startSpan();
    check("a started span is valid", parent.getSpanContext().isValid());
    check("a started span is recording", parent.isRecording());
    check("starting a span does not make it current", !Span.current().equals(parent));
    try (Scope outer = parent.makeCurrent()) {
      check("makeCurrent makes it current", Span.current().equals(parent));
      check(
          "Context.current() holds it",
          Span.fromContext(Context.current()).getSpanContext().equals(parent.getSpanContext()));
      Span child = tracer.spanBuilder("child").startSpan();
      check(
          "a child shares its parent's trace",
          child.getSpanContext().getTraceId().equals(parent.getSpanContext().getTraceId()));
      check(
          "a child has its own id",
          !child.getSpanContext().getSpanId().equals(parent.getSpanContext().getSpanId()));
      try (Scope inner = child.makeCurrent()) {
        check("the inner scope's span is current", Span.current().equals(child));
      }
      check("closing the inner scope restores the outer span", Span.current().equals(parent));
      child.end();
      check("an ended span no longer records", !child.isRecording());
      try (Scope root = Context.root().makeCurrent()) {
        check("the root context has no span", !Span.current().getSpanContext().isValid());
        Span orphan = tracer.spanBuilder("orphan").startSpan();
        check(
            "a span under the root context starts a new trace",
            !orphan.getSpanContext().getTraceId().equals(parent.getSpanContext().getTraceId()));
        orphan.end();
      }
      check("closing the root scope restores the span", Span.current().equals(parent));
      Span detached = tracer.spanBuilder("no-parent").setNoParent().startSpan();
      check(
          "setNoParent starts a new trace",
          !detached.getSpanContext().getTraceId().equals(parent.getSpanContext().getTraceId()));
      detached.end();
      Span explicit =
          tracer.spanBuilder("explicit").setParent(Context.root().with(child)).startSpan();
      check(
          "setParent takes the given context's span",
          explicit.getSpanContext().getTraceId().equals(child.getSpanContext().getTraceId()));
      explicit.end();
    }
    check("closing the outer scope leaves no span", !Span.current().getSpanContext().isValid());
    parent.end();

    SpanContext remote =
        SpanContext.createFromRemoteParent(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    try (Scope wrapped = Span.wrap(remote).makeCurrent()) {
      check("a wrapped remote span is current", Span.current().getSpanContext().equals(remote));
      Span under = tracer.spanBuilder("under-remote").startSpan();
      check(
          "a span under a remote parent continues its trace",
          under.getSpanContext().getTraceId().equals(remote.getTraceId()));
      check("a span made here is not remote", !under.getSpanContext().isRemote());
      under.end();
    }

    Map<String, String> incoming = new TreeMap<>();
    incoming.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    incoming.put("baggage", "tenant=t-1");
    Context extracted =
        GlobalOpenTelemetry.getPropagators()
            .getTextMapPropagator()
            .extract(Context.current(), incoming, MAP_GETTER);
    check(
        "extract gives the caller's span context",
        Span.fromContext(extracted).getSpanContext().getSpanId().equals("00f067aa0ba902b7"));
    check(
        "extract gives the caller's baggage",
        Baggage.fromContext(extracted).getEntryValue("tenant"));
    try (Scope in = extracted.makeCurrent()) {
      Span handler = tracer.spanBuilder("handler").setSpanKind(SpanKind.SERVER).startSpan();
      try (Scope handling = handler.makeCurrent()) {
        check(
            "a span under the extracted context continues the caller's trace",
            Span.current().getSpanContext().getTraceId().equals(remote.getTraceId()));
        check("baggage stays current inside a span", Baggage.current().getEntryValue("tenant"));
        Map<String, String> outgoing = new TreeMap<>();
        GlobalOpenTelemetry.getPropagators()
            .getTextMapPropagator()
            .inject(Context.current(), outgoing, (carrier, key, value) -> carrier.put(key, value));
        check(
            "inject writes the current span",
            outgoing
                .get("traceparent")
                .equals(
                    "00-"
                        + remote.getTraceId()
                        + "-"
                        + handler.getSpanContext().getSpanId()
                        + "-01"));
        check("inject writes the baggage", outgoing.get("baggage"));
      }
      handler.end();
    }
    check("baggage is gone once its scope closed", Baggage.current().isEmpty());
    Baggage baggage = Baggage.builder().put("a", "1").put("b", "2").build();
    try (Scope b = baggage.makeCurrent()) {
      check("Baggage.current() is what was made current", Baggage.current().size());
      try (Scope more = Baggage.current().toBuilder().put("c", "3").build().makeCurrent()) {
        check("nested baggage adds to it", Baggage.current().size());
      }
      check("closing nested baggage restores it", Baggage.current().size());
    }
    check("no span current at the end", !Span.current().getSpanContext().isValid());
    System.out.println("DONE");
  }
}
