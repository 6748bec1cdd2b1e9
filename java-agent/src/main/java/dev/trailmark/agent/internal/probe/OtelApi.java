package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.trace.ManualData;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.SpanContext;
import dev.trailmark.agent.internal.trace.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One application's OpenTelemetry API (whatever 1.x it bundles), seen from the agent: its classes,
 * found by name in its class loader, and the methods of them the bridge calls, looked up once. Only
 * what every 1.x release has is required; the agent's own copy of the API is shaded and never meets
 * the application's.
 */
final class OtelApi {

  /**
   * The name of a class of the application's OpenTelemetry API. Built at run time on purpose: the
   * shade plugin rewrites every string constant that starts with the API's package (the agent
   * shades its own copy), which would point the bridge at the agent's copy.
   */
  static String name(String rest) {
    return new StringBuilder(64).append("io").append(".opentelemetry.").append(rest).toString();
  }

  /** Per class of the application's {@code io.opentelemetry.context.Context}: its API. */
  private static final ClassValue<OtelApi> BY_CONTEXT_CLASS =
      new ClassValue<>() {
        @Override
        protected OtelApi computeValue(Class<?> contextClass) {
          try {
            return new OtelApi(contextClass.getClassLoader());
          } catch (ReflectiveOperationException | LinkageError e) {
            return null; // a version the bridge does not know: left alone
          }
        }
      };

  final ClassLoader loader;
  final Class<?> contextClass;
  final Class<?> spanClass;
  final Class<?> scopeClass;
  private final Method contextRoot;
  private final Method contextCurrent;
  private final Method contextWith;
  private final Method spanFromContext;
  private final Method spanContextCreate;
  private final Method spanContextCreateRemote;
  private final Object flagsSampled;
  private final Object flagsDefault;
  private final Object stateDefault;
  private final Method attributesForEach;
  private final Method attributeKeyName;
  final Object propagators;
  private final Class<?>[] openTelemetryInterface;
  private final Class<?>[] tracerProviderInterface;
  private final Class<?>[] tracerInterface;
  private final Class<?>[] tracerBuilderInterface; // null before 1.4
  private final Class<?>[] spanBuilderInterface;
  private volatile Object tracerProvider;
  private volatile Object tracerObject;

  /** The agent's tracer, set when the agent starts (before any woven method can run). */
  static volatile Tracer agentTracer;

  private OtelApi(ClassLoader loader) throws ReflectiveOperationException {
    this.loader = loader;
    contextClass = type("context.Context");
    scopeClass = type("context.Scope");
    spanClass = type("api.trace.Span");
    Class<?> spanContext = type("api.trace.SpanContext");
    Class<?> traceFlags = type("api.trace.TraceFlags");
    Class<?> traceState = type("api.trace.TraceState");
    contextRoot = contextClass.getMethod("root");
    contextCurrent = contextClass.getMethod("current");
    contextWith = contextClass.getMethod("with", type("context.ImplicitContextKeyed"));
    spanFromContext = spanClass.getMethod("fromContext", contextClass);
    spanContextCreate =
        spanContext.getMethod("create", String.class, String.class, traceFlags, traceState);
    spanContextCreateRemote =
        spanContext.getMethod(
            "createFromRemoteParent", String.class, String.class, traceFlags, traceState);
    flagsSampled = traceFlags.getMethod("getSampled").invoke(null);
    flagsDefault = traceFlags.getMethod("getDefault").invoke(null);
    stateDefault = traceState.getMethod("getDefault").invoke(null);
    Class<?> attributes = type("api.common.Attributes");
    attributesForEach = attributes.getMethod("forEach", BiConsumer.class);
    attributeKeyName = type("api.common.AttributeKey").getMethod("getKey");
    Class<?> textMap = type("context.propagation.TextMapPropagator");
    Object array = java.lang.reflect.Array.newInstance(textMap, 2);
    java.lang.reflect.Array.set(
        array,
        0,
        type("api.trace.propagation.W3CTraceContextPropagator")
            .getMethod("getInstance")
            .invoke(null));
    java.lang.reflect.Array.set(
        array,
        1,
        type("api.baggage.propagation.W3CBaggagePropagator").getMethod("getInstance").invoke(null));
    Object composite = textMap.getMethod("composite", array.getClass()).invoke(null, array);
    propagators =
        type("context.propagation.ContextPropagators")
            .getMethod("create", textMap)
            .invoke(null, composite);
    openTelemetryInterface = new Class<?>[] {type("api.OpenTelemetry")};
    tracerProviderInterface = new Class<?>[] {type("api.trace.TracerProvider")};
    tracerInterface = new Class<?>[] {type("api.trace.Tracer")};
    spanBuilderInterface = new Class<?>[] {type("api.trace.SpanBuilder")};
    Class<?> tracerBuilder;
    try {
      tracerBuilder = type("api.trace.TracerBuilder");
    } catch (ClassNotFoundException e) {
      tracerBuilder = null;
    }
    tracerBuilderInterface = tracerBuilder == null ? null : new Class<?>[] {tracerBuilder};
  }

  /**
   * The API of the application whose {@code Context} class loader is {@code loader}'s, or null when
   * it lacks what the bridge needs.
   */
  static OtelApi of(Class<?> anyApiClass) {
    return BY_CLASS.get(anyApiClass);
  }

  /**
   * Per class the woven methods meet (the storage, the global's class): its API, so that {@code
   * Context.current()} looks nothing up by name.
   */
  private static final ClassValue<OtelApi> BY_CLASS =
      new ClassValue<>() {
        @Override
        protected OtelApi computeValue(Class<?> type) {
          try {
            return BY_CONTEXT_CLASS.get(
                Class.forName(name("context.Context"), false, type.getClassLoader()));
          } catch (ClassNotFoundException | LinkageError e) {
            return null;
          }
        }
      };

  private Class<?> type(String rest) throws ClassNotFoundException {
    return Class.forName(name(rest), false, loader);
  }

  // ---- the application's objects ----

  /**
   * The application's {@code OpenTelemetry}, bridged: tracers and propagators of the agent's trace,
   * anything else (meters, logs) from {@code original}.
   */
  Object openTelemetry(Object original) {
    if (Proxy.isProxyClass(original.getClass())
        && Proxy.getInvocationHandler(original) instanceof Bridged) {
      return original; // get() calling getOrNoop(): bridged once
    }
    Object[] last = lastBridged;
    if (last != null && last[0] == original) {
      return last[1];
    }
    Object bridged = bridge(original);
    lastBridged = new Object[] {original, bridged};
    return bridged;
  }

  /** Marks the bridged {@code OpenTelemetry}'s handler. */
  private abstract static class Bridged implements InvocationHandler {}

  private volatile Object[] lastBridged; // the application's global and its bridge

  private Object bridge(Object original) {
    return proxy(
        openTelemetryInterface,
        new Bridged() {
          @Override
          public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
              case "getTracerProvider":
                return tracerProvider();
              case "getTracer":
                tracerProvider();
                return tracerObject;
              case "tracerBuilder":
                tracerProvider();
                return tracerBuilder(tracerObject);
              case "getPropagators":
                return propagators;
              case "toString":
                return "TrailmarkOpenTelemetry";
              case "hashCode":
              case "equals":
                return Reflect.proxyDefault(proxy, method, args);
              default:
                return Reflect.invoke(method, original, args);
            }
          }
        });
  }

  private Object tracerProvider() {
    Object provider = tracerProvider;
    if (provider == null) {
      Object tracer =
          proxy(
              tracerInterface,
              new InvocationHandler() {
                @Override
                public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                  if ("spanBuilder".equals(method.getName())) {
                    return spanBuilder((String) args[0]);
                  }
                  return Reflect.proxyDefault(proxy, method, args);
                }
              });
      provider =
          proxy(
              tracerProviderInterface,
              new InvocationHandler() {
                @Override
                public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                  switch (method.getName()) {
                    case "get":
                      return tracer;
                    case "tracerBuilder":
                      return tracerBuilder(tracer);
                    default:
                      return Reflect.proxyDefault(proxy, method, args);
                  }
                }
              });
      tracerObject = tracer;
      tracerProvider = provider; // a benign race: any of them does
    }
    return provider;
  }

  /** {@code TracerBuilder} (1.4+): whatever it is told, it builds the one bridged tracer. */
  private Object tracerBuilder(Object tracerObject) {
    return proxy(
        tracerBuilderInterface,
        new InvocationHandler() {
          @Override
          public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if ("build".equals(method.getName())) {
              return tracerObject;
            }
            if (method.getReturnType() == method.getDeclaringClass()) {
              return proxy; // setSchemaUrl, setInstrumentationVersion...
            }
            return Reflect.proxyDefault(proxy, method, args);
          }
        });
  }

  private Object spanBuilder(String spanName) {
    return proxy(spanBuilderInterface, new OtelSpans.Builder(this, spanName));
  }

  /** The application's {@code Span} for one of the agent's spans. */
  Object span(Span span) {
    return proxy(new Class<?>[] {spanClass}, new OtelSpans.Handle(this, span));
  }

  Object proxy(Class<?>[] interfaces, InvocationHandler handler) {
    return Proxy.newProxyInstance(loader, interfaces, handler);
  }

  /** The application's {@code SpanContext} of one of the agent's span contexts. */
  Object spanContext(SpanContext context, boolean remote) {
    try {
      return (remote ? spanContextCreateRemote : spanContextCreate)
          .invoke(
              null,
              context.traceId(),
              context.spanId(),
              context.isSampled() ? flagsSampled : flagsDefault,
              stateDefault);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  Object root() {
    return call(contextRoot, null);
  }

  /** {@code Context.current()}, through the application's own (woven) storage. */
  Object currentContext() {
    return call(contextCurrent, null);
  }

  /** {@code context.with(span)}. */
  Object with(Object context, Object span) {
    return call(contextWith, context, span);
  }

  /** {@code Span.fromContext(context)}: the span in it, or the invalid span. */
  Object spanOf(Object context) {
    return call(spanFromContext, null, context);
  }

  /**
   * The agent's span behind an application's span: the agent's own when the bridge made it, a
   * stand-in for a valid span it did not make ({@code Span.wrap} of an extracted context), null for
   * the invalid span.
   */
  Span agentSpan(Object appSpan) {
    if (appSpan == null) {
      return null;
    }
    if (Proxy.isProxyClass(appSpan.getClass())
        && Proxy.getInvocationHandler(appSpan) instanceof OtelSpans.Handle) {
      return ((OtelSpans.Handle) Proxy.getInvocationHandler(appSpan)).span;
    }
    SpanContext context = agentContext(Reflect.call(appSpan, "getSpanContext"));
    return context == null ? null : ManualData.standIn(context);
  }

  /** The agent's form of an application's {@code SpanContext}, or null for an invalid one. */
  static SpanContext agentContext(Object appContext) {
    if (appContext == null || !(Boolean) Reflect.call(appContext, "isValid")) {
      return null;
    }
    return ManualData.context(
        (String) Reflect.call(appContext, "getTraceId"),
        (String) Reflect.call(appContext, "getSpanId"),
        (Boolean) Reflect.call(appContext, "isSampled"),
        (Boolean) Reflect.call(appContext, "isRemote"));
  }

  /** The application's {@code Attributes} as the agent's. */
  Attributes attributes(Object appAttributes) {
    AttributesBuilder builder = Attributes.builder();
    if (appAttributes == null) {
      return builder.build();
    }
    call(
        attributesForEach,
        appAttributes,
        new BiConsumer<Object, Object>() {
          @Override
          public void accept(Object key, Object value) {
            put(builder, keyName(key), value);
          }
        });
    return builder.build();
  }

  String keyName(Object appAttributeKey) {
    return (String) call(attributeKeyName, appAttributeKey);
  }

  /**
   * Puts one attribute of the application's (its value a String, Long, Double, Boolean or List).
   */
  static void put(AttributesBuilder builder, String key, Object value) {
    AttributeKey<Object> agentKey = key(key, value);
    if (agentKey != null) {
      builder.put(agentKey, normalized(value));
    }
  }

  /** The agent's key for an attribute of the application's, or null for a value of another type. */
  @SuppressWarnings("unchecked")
  static <T> AttributeKey<T> key(String key, Object value) {
    if (key == null || value == null) {
      return null;
    }
    Object key1;
    if (value instanceof String) {
      key1 = AttributeKey.stringKey(key);
    } else if (value instanceof Boolean) {
      key1 = AttributeKey.booleanKey(key);
    } else if (value instanceof Long || value instanceof Integer) {
      key1 = AttributeKey.longKey(key);
    } else if (value instanceof Double || value instanceof Float) {
      key1 = AttributeKey.doubleKey(key);
    } else if (value instanceof List && !((List<?>) value).isEmpty()) {
      Object first = ((List<?>) value).get(0);
      key1 =
          first instanceof Boolean
              ? AttributeKey.booleanArrayKey(key)
              : first instanceof Long
                  ? AttributeKey.longArrayKey(key)
                  : first instanceof Double
                      ? AttributeKey.doubleArrayKey(key)
                      : AttributeKey.stringArrayKey(key);
    } else {
      return null;
    }
    return (AttributeKey<T>) key1;
  }

  /** An int as a long and a float as a double, as the API's own setters widen them. */
  static Object normalized(Object value) {
    if (value instanceof Integer) {
      return ((Integer) value).longValue();
    }
    if (value instanceof Float) {
      return ((Float) value).doubleValue();
    }
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>(((List<?>) value).size());
      for (Object item : (List<?>) value) {
        copy.add(item instanceof List ? String.valueOf(item) : normalized(item));
      }
      return copy;
    }
    return value;
  }

  private static Object call(Method method, Object target, Object... args) {
    try {
      return method.invoke(target, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }
}
