package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.trace.ManualData;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.SpanContext;
import dev.trailmark.agent.internal.trace.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.LinkData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application's {@code SpanBuilder} and {@code Span}, answered by the agent: proxies of the
 * application's own interfaces, so that whatever 1.x it bundles, its spans are the agent's.
 */
final class OtelSpans {

  private OtelSpans() {}

  /** Epoch nanoseconds of a timestamp the application gave as a long and a unit, or an Instant. */
  private static long epochNanos(Object[] args) {
    for (int i = 0; args != null && i < args.length; i++) {
      if (args[i] instanceof TimeUnit && i > 0 && args[i - 1] instanceof Long) {
        return ((TimeUnit) args[i]).toNanos((Long) args[i - 1]);
      }
      if (args[i] instanceof Instant) {
        Instant at = (Instant) args[i];
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
      }
    }
    return -1;
  }

  private static long now() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** The argument that is the application's {@code Attributes}, or null. */
  private static Object attributesArgument(Object[] args, int from) {
    for (int i = from; args != null && i < args.length; i++) {
      Object a = args[i];
      if (a != null
          && !(a instanceof String
              || a instanceof Number
              || a instanceof TimeUnit
              || a instanceof Instant
              || a instanceof Throwable)) {
        return a;
      }
    }
    return null;
  }

  /**
   * Records {@code error} as the SDK's {@code recordException} does: an {@code exception} event
   * with its type, message and stack trace, plus {@code extra}.
   */
  static void exception(ManualData manual, Throwable error, Attributes extra) {
    StringWriter trace = new StringWriter();
    error.printStackTrace(new PrintWriter(trace));
    AttributesBuilder b = Attributes.builder();
    b.put("exception.type", error.getClass().getName());
    if (error.getMessage() != null) {
      b.put("exception.message", error.getMessage());
    }
    b.put("exception.stacktrace", trace.toString());
    b.putAll(extra);
    manual.event("exception", b.build(), now());
  }

  /** {@code SpanBuilder}: collects what the application says, then starts an agent span. */
  static final class Builder implements InvocationHandler {
    private final OtelApi api;
    private final String name;
    private Object parent; // the application's Context, or null for the current one
    private boolean noParent;
    private SpanKind kind = SpanKind.INTERNAL;
    private final List<Object[]> attributes = new ArrayList<>(); // key name, value
    private final List<LinkData> links = new ArrayList<>(0);

    Builder(OtelApi api, String name) {
      this.api = api;
      this.name = name;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "setParent":
          parent = args[0];
          noParent = false;
          return proxy;
        case "setNoParent":
          noParent = true;
          parent = null;
          return proxy;
        case "addLink":
          links.add(link(api, args));
          return proxy;
        case "setAttribute":
          attributes.add(
              new Object[] {args[0] instanceof String ? args[0] : api.keyName(args[0]), args[1]});
          return proxy;
        case "setAllAttributes":
          api.attributes(args[0])
              .forEach((key, value) -> attributes.add(new Object[] {key.getKey(), value}));
          return proxy;
        case "setSpanKind":
          kind = args[0] == null ? SpanKind.INTERNAL : SpanKind.valueOf(((Enum<?>) args[0]).name());
          return proxy;
        case "startSpan":
          return start();
        default:
          if (method.getReturnType() == method.getDeclaringClass() && !method.isDefault()) {
            return proxy; // setStartTimestamp and what later versions add: not kept
          }
          return Reflect.proxyDefault(proxy, method, args);
      }
    }

    private Object start() {
      Span local = null;
      SpanContext remote = null;
      Object context = noParent ? null : parent != null ? parent : api.currentContext();
      if (context != null) {
        Span p = api.agentSpan(api.spanOf(context));
        if (p != null && p.context().isRemote()) {
          remote = p.context();
        } else {
          local = p;
        }
      }
      ManualData manual = new ManualData(true, name);
      manual.kind(kind);
      for (Object[] a : attributes) {
        AttributeKey<Object> key = OtelApi.key((String) a[0], a[1]);
        if (key != null) {
          manual.attribute(key, OtelApi.normalized(a[1]));
        }
      }
      for (LinkData link : links) {
        manual.link(link);
      }
      return api.span(OtelApi.agentTracer.startManual(remote, local, manual));
    }
  }

  private static LinkData link(OtelApi api, Object[] args) {
    SpanContext target = OtelApi.agentContext(args[0]);
    io.opentelemetry.api.trace.SpanContext linked =
        target == null
            ? io.opentelemetry.api.trace.SpanContext.getInvalid()
            : io.opentelemetry.api.trace.SpanContext.create(
                target.traceId(),
                target.spanId(),
                target.isSampled()
                    ? io.opentelemetry.api.trace.TraceFlags.getSampled()
                    : io.opentelemetry.api.trace.TraceFlags.getDefault(),
                io.opentelemetry.api.trace.TraceState.getDefault());
    return args.length > 1 && args[1] != null
        ? LinkData.create(linked, api.attributes(args[1]))
        : LinkData.create(linked);
  }

  /**
   * {@code Span}: one of the agent's spans, either one the application opened (it may end it) or
   * one of the agent's own ({@code Span.current()} in a request: it may add to it, not end it).
   */
  static final class Handle implements InvocationHandler {
    private final OtelApi api;
    final Span span;
    private volatile Object appContext;

    Handle(OtelApi api, Span span) {
      this.api = api;
      this.span = span;
    }

    private ManualData manual() {
      ManualData m = span.manual();
      return m != null && m.opened() ? m : span.manualOrCreate();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "getSpanContext":
          Object context = appContext;
          if (context == null) {
            context = api.spanContext(span.context(), false);
            appContext = context;
          }
          return context;
        case "isRecording":
          ManualData own = span.manual();
          return span.context().isSampled() && !span.hasEnded() && !(own != null && own.ended());
        case "setAttribute":
          if (args.length == 2) {
            String key = args[0] instanceof String ? (String) args[0] : api.keyName(args[0]);
            AttributeKey<Object> agentKey = OtelApi.key(key, args[1]);
            if (agentKey != null) {
              manual().attribute(agentKey, OtelApi.normalized(args[1]));
            } else if (args[1] == null && key != null) {
              manual().attribute(AttributeKey.stringKey(key), null);
            }
            return proxy;
          }
          return Reflect.proxyDefault(proxy, method, args);
        case "setAllAttributes":
          ManualData m = manual();
          api.attributes(args[0]).forEach((key, value) -> putAttribute(m, key, value));
          return proxy;
        case "addEvent":
          long at = epochNanos(args);
          Object attrs = attributesArgument(args, 1);
          manual()
              .event(
                  (String) args[0],
                  attrs == null ? Attributes.empty() : api.attributes(attrs),
                  at < 0 ? now() : at);
          return proxy;
        case "recordException":
          recordException((Throwable) args[0], args.length > 1 ? args[1] : null);
          return proxy;
        case "setStatus":
          manual()
              .status(
                  StatusCode.valueOf(((Enum<?>) args[0]).name()),
                  args.length > 1 ? (String) args[1] : null);
          return proxy;
        case "updateName":
          manual().name((String) args[0]);
          return proxy;
        case "addLink":
          manual().link(link(api, args));
          return proxy;
        case "end":
          end(epochNanos(args));
          return null;
        case "equals":
          return args[0] != null
              && Proxy.isProxyClass(args[0].getClass())
              && Proxy.getInvocationHandler(args[0]) instanceof Handle
              && ((Handle) Proxy.getInvocationHandler(args[0])).span == span;
        case "hashCode":
          return System.identityHashCode(span);
        case "toString":
          return "TrailmarkSpan{" + span.context().traceId() + "/" + span.context().spanId() + "}";
        default:
          if (!method.isDefault() && method.getReturnType() == method.getDeclaringClass()) {
            return proxy; // a setter later versions add: not kept
          }
          return Reflect.proxyDefault(proxy, method, args);
      }
    }

    @SuppressWarnings("unchecked")
    private static void putAttribute(ManualData m, AttributeKey<?> key, Object value) {
      m.attribute((AttributeKey<Object>) key, value);
    }

    private void recordException(Throwable error, Object extra) {
      if (error != null) {
        exception(manual(), error, extra == null ? Attributes.empty() : api.attributes(extra));
      }
    }

    private void end(long epochNanos) {
      ManualData m = span.manual();
      if (m == null || !m.opened() || !m.end()) {
        return; // the agent's own span ends with its request; a second end() is ignored
      }
      Tracer tracer = OtelApi.agentTracer;
      if (epochNanos < 0) {
        tracer.end(span);
      } else {
        tracer.endAt(span, epochNanos);
      }
    }
  }
}
