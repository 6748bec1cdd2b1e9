package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client and server spans for grpc-java (any transport built on grpc-core: Netty, shaded or not,
 * OkHttp, servlet). A client call ({@code ClientCallImpl.start}) is a client span carrying the
 * trace in its metadata ({@code x-amzn-trace-id}, {@code traceparent}, {@code tracestate}), ended
 * when the call closes; a call arriving at a server ({@code streamCreated}) is a server span
 * continuing the trace its metadata carries, current while the application's listener runs (the
 * unary handler, a streaming handler's {@code onNext}...), ended when the server closes or cancels
 * the stream. Both are named {@code package.Service/Method} with {@code rpc.system} {@code grpc},
 * {@code rpc.service}, {@code rpc.method} and {@code rpc.grpc.status_code}; the route of a server
 * span is {@code /package.Service/Method}, its URL the HTTP/2 path gRPC sends.
 */
public final class GrpcProbe extends Probe {

  private static final int CLIENT_START = 0;
  private static final int CLIENT_CLOSE = 1;
  private static final int SERVER_STREAM = 2;
  private static final int SERVER_LISTENER = 3;
  private static final int SERVER_CLOSE = 4;
  private static final int SERVER_CANCEL = 5;
  private static final int SERVER_CLOSED = 6;

  private static final String CLIENT_CALL = "io.grpc.internal.ClientCallImpl";
  private static final String LISTENER = "io.grpc.internal.ServerCallImpl$ServerStreamListenerImpl";
  private static final String STREAM = "io.grpc.internal.AbstractServerStream";

  /** Open client calls and server streams, to their span's scope. */
  private final Map<Object, Object> calls = new ConcurrentHashMap<>();

  /** Per grpc-api class loader: the metadata keys of the trace headers. */
  private static final ClassValue<Keys> KEYS =
      new ClassValue<>() {
        @Override
        protected Keys computeValue(Class<?> metadata) {
          return new Keys(metadata);
        }
      };

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public List<Rule> rules(int hook) {
    String status = "Lio/grpc/Status;";
    String metadata = "Lio/grpc/Metadata;";
    return List.of(
        Rule.wrap(
            name(),
            CLIENT_CALL,
            "start",
            "(Lio/grpc/ClientCall$Listener;" + metadata + ")V",
            hook + CLIENT_START),
        Rule.wrap(
            name(),
            CLIENT_CALL,
            "closeObserver",
            "(Lio/grpc/ClientCall$Listener;" + status + metadata + ")V",
            hook + CLIENT_CLOSE),
        Rule.wrap(
            name(),
            "io.grpc.internal.ServerImpl$ServerTransportListenerImpl",
            "streamCreated",
            "(Lio/grpc/internal/ServerStream;Ljava/lang/String;" + metadata + ")V",
            hook + SERVER_STREAM),
        Rule.wrap(
            name(),
            LISTENER,
            "messagesAvailable",
            "(Lio/grpc/internal/StreamListener$MessageProducer;)V",
            hook + SERVER_LISTENER),
        Rule.wrap(name(), LISTENER, "halfClosed", "()V", hook + SERVER_LISTENER),
        Rule.wrap(name(), LISTENER, "onReady", "()V", hook + SERVER_LISTENER),
        Rule.wrap(name(), LISTENER, "closed", "(" + status + ")V", hook + SERVER_CLOSED),
        Rule.wrap(name(), STREAM, "close", "(" + status + metadata + ")V", hook + SERVER_CLOSE),
        Rule.wrap(name(), STREAM, "cancel", "(" + status + ")V", hook + SERVER_CANCEL));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    switch (tag) {
      case CLIENT_START:
        clientStart(hooks, self, args[1]);
        return null;
      case CLIENT_CLOSE:
        end(hooks, calls.remove(self), args[1], self);
        return null;
      case SERVER_STREAM:
        serverStart(hooks, args[0], (String) args[1], args[2]);
        return null;
      case SERVER_LISTENER:
        Object scope = calls.get(field(field(self, "call"), "stream"));
        return scope == null ? null : hooks.attach(hooks.spanOf(scope));
      case SERVER_CLOSE:
      case SERVER_CANCEL:
        end(hooks, calls.remove(self), args[0], null);
        return null;
      case SERVER_CLOSED:
        // The stream ended without a close or cancel the agent saw (the client went away).
        end(hooks, calls.remove(field(field(self, "call"), "stream")), args[0], null);
        return null;
      default:
        return null;
    }
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    hooks.detach(scope); // only SERVER_LISTENER returns a scope: the span it made current
    return result;
  }

  private void clientStart(HooksImpl hooks, Object call, Object metadata) {
    Keys keys = KEYS.get(metadata.getClass());
    if (Reflect.call(metadata, "containsKey", keys.xray) == Boolean.TRUE
        || Reflect.call(metadata, "containsKey", keys.traceparent) == Boolean.TRUE) {
      return; // propagated by the application (or an interceptor of its own) already
    }
    Object method = field(call, "method");
    Object scope = hooks.clientStartDetached(call, "POST", null);
    if (scope == null) {
      return; // outside any trace
    }
    hooks.grpc(
        scope,
        (String) Reflect.call(method, "getServiceName"),
        (String) Reflect.call(method, "getBareMethodName"));
    String[] headers = hooks.clientHeaders(scope);
    for (int i = 0; i < headers.length; i += 2) {
      Reflect.call(metadata, "put", keys.of(headers[i]), headers[i + 1]);
    }
    calls.put(call, scope);
  }

  private void serverStart(HooksImpl hooks, Object stream, String fullMethod, Object metadata) {
    Keys keys = KEYS.get(metadata.getClass());
    String authority = (String) Reflect.call(stream, "getAuthority");
    Object scope =
        hooks.serverStart(
            stream,
            "POST",
            "http://" + authority + "/" + fullMethod,
            "/" + fullMethod,
            (String) Reflect.call(metadata, "get", keys.xray),
            (String) Reflect.call(metadata, "get", keys.traceparent),
            (String) Reflect.call(metadata, "get", keys.tracestate));
    if (scope == null) {
      return;
    }
    hooks.detach(scope); // the transport thread goes on; the listener's calls make it current
    int slash = fullMethod.lastIndexOf('/');
    hooks.grpc(
        scope,
        slash < 0 ? fullMethod : fullMethod.substring(0, slash),
        fullMethod.substring(slash + 1));
    calls.put(stream, scope);
  }

  /** Ends a span with the call's {@code io.grpc.Status}; a client span learns its peer here. */
  private static void end(HooksImpl hooks, Object scope, Object status, Object clientCall) {
    if (scope == null) {
      return;
    }
    Throwable cause = null;
    int code = 2; // UNKNOWN, when the status cannot be read
    try {
      cause = (Throwable) Reflect.call(status, "getCause");
      code = (Integer) Reflect.call(Reflect.call(status, "getCode"), "value");
      if (clientCall != null) {
        Object method = field(clientCall, "method");
        hooks.setHttp(
            scope,
            "POST",
            "http://" + peer(clientCall) + "/" + Reflect.call(method, "getFullMethodName"));
      }
    } finally {
      hooks.grpcEnd(scope, code, cause);
    }
  }

  /** The address the call went to ({@code host:port}), from its transport's attributes. */
  private static String peer(Object clientCall) {
    try {
      Object attributes = Reflect.call(clientCall, "getAttributes");
      Class<?> grpc = Class.forName("io.grpc.Grpc", false, clientCall.getClass().getClassLoader());
      Object address =
          Reflect.call(attributes, "get", grpc.getField("TRANSPORT_ATTR_REMOTE_ADDR").get(null));
      if (address instanceof java.net.InetSocketAddress) {
        java.net.InetSocketAddress inet = (java.net.InetSocketAddress) address;
        return inet.getHostString() + ":" + inet.getPort();
      }
    } catch (ReflectiveOperationException | RuntimeException unknown) {
      // no transport (the call failed before one was chosen)
    }
    return "unknown";
  }

  private static final ClassValue<Map<String, Field>> FIELDS =
      new ClassValue<>() {
        @Override
        protected Map<String, Field> computeValue(Class<?> type) {
          return new ConcurrentHashMap<>();
        }
      };

  /** A private field of a grpc-core class (its classes sit in unnamed modules, open to us). */
  static Object field(Object target, String name) {
    Map<String, Field> fields = FIELDS.get(target.getClass());
    Field field = fields.get(name);
    try {
      if (field == null) {
        field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        fields.put(name, field);
      }
      return field.get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no field " + name + " on " + target.getClass().getName(), e);
    }
  }

  /** The trace headers as {@code Metadata.Key}s of one grpc-api. */
  static final class Keys {
    private final Method keyOf;
    private final Object marshaller;
    final Object xray;
    final Object traceparent;
    final Object tracestate;

    Keys(Class<?> metadata) {
      try {
        ClassLoader loader = metadata.getClassLoader();
        Class<?> key = Class.forName("io.grpc.Metadata$Key", false, loader);
        Class<?> ascii = Class.forName("io.grpc.Metadata$AsciiMarshaller", false, loader);
        this.keyOf = key.getMethod("of", String.class, ascii);
        this.marshaller = metadata.getField("ASCII_STRING_MARSHALLER").get(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("grpc-api not supported: " + e, e);
      }
      this.xray = of("x-amzn-trace-id");
      this.traceparent = of("traceparent");
      this.tracestate = of("tracestate");
    }

    Object of(String header) {
      try {
        return keyOf.invoke(null, header, marshaller);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
