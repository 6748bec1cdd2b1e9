package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Server and client spans for Reactor Netty's HTTP server and client, and so for Spring WebFlux on
 * Reactor Netty and Spring's {@code WebClient}. A request the server reads is a server span
 * continuing the caller's trace, current while Reactor Netty hands the request (and its body) to
 * the application on the event loop, ended when the response is complete. Reactor moves work
 * between threads, so the trace is not kept in a thread alone: a client call records the span
 * current where it is subscribed in its Reactor {@code Context}, and when the request is sent on
 * whichever event loop, the client span starts under it and its headers are added; the response
 * (and the application's continuation that runs on its event loop) runs in the caller's span again.
 */
public final class ReactorNettyProbe extends Probe {

  private static final int SERVER_INBOUND = 0;
  private static final int SERVER_COMPLETE = 1;
  private static final int SERVER_ERROR = 2;
  private static final int CLIENT_SUBSCRIBE = 3;
  private static final int CLIENT_REQUEST = 4;
  private static final int CLIENT_INBOUND = 5;
  private static final int CLIENT_CLOSE = 6;

  /** The key of the caller's span in a client call's Reactor {@code Context}. */
  static final String CONTEXT_KEY = "dev.trailmark.agent.span";

  /** Netty response messages, by class: asked of every message a client call receives. */
  private static final ClassValue<Boolean> RESPONSE =
      implementing(".handler.codec.http.HttpResponse");

  /** Netty messages that end a response, by class. */
  private static final ClassValue<Boolean> LAST_CONTENT =
      implementing(".handler.codec.http.LastHttpContent");

  private static final String SERVER = "reactor.netty.http.server.HttpServerOperations";
  private static final String CLIENT = "reactor.netty.http.client.HttpClientOperations";
  private static final String INBOUND =
      "(Lio/netty/channel/ChannelHandlerContext;Ljava/lang/Object;)V";

  /**
   * Server requests being answered, and client calls whose response is awaited or read, by their
   * Reactor Netty operations; weakly, so a connection dropped before its end leaves nothing behind
   * (no span holds its operations: a span's carrier is the request's headers).
   */
  private final Map<Object, Object> servers = Collections.synchronizedMap(new WeakHashMap<>());

  private final Map<Object, ClientCall> clients = Collections.synchronizedMap(new WeakHashMap<>());

  @Override
  public String name() {
    return "reactor-netty";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(name(), SERVER, "onInboundNext", INBOUND, hook + SERVER_INBOUND),
        Rule.wrap(name(), SERVER, "onOutboundComplete", "()V", hook + SERVER_COMPLETE),
        Rule.wrap(
            name(), SERVER, "onOutboundError", "(Ljava/lang/Throwable;)V", hook + SERVER_ERROR),
        Rule.wrap(
            name(),
            "reactor.netty.http.client.HttpClientConnect$MonoHttpConnect",
            "subscribe",
            "(Lreactor/core/CoreSubscriber;)V",
            hook + CLIENT_SUBSCRIBE),
        Rule.wrap(
            name(),
            "reactor.netty.http.client.HttpClientConnect$HttpClientHandler",
            "requestWithBody",
            "(Lreactor/netty/http/client/HttpClientOperations;)Lorg/reactivestreams/Publisher;",
            hook + CLIENT_REQUEST),
        Rule.wrap(name(), CLIENT, "onInboundNext", INBOUND, hook + CLIENT_INBOUND),
        Rule.wrap(name(), CLIENT, "onInboundClose", "()V", hook + CLIENT_CLOSE));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    switch (tag) {
      case SERVER_INBOUND:
        return serverInbound(hooks, self);
      case SERVER_COMPLETE:
        serverEnd(hooks, self, null);
        return null;
      case SERVER_ERROR:
        serverEnd(hooks, self, (Throwable) args[0]);
        return null;
      case CLIENT_SUBSCRIBE:
        Object caller = hooks.currentContext();
        if (caller != null) {
          args[0] = withCaller(args[0], caller);
        }
        return null;
      case CLIENT_REQUEST:
        return args[0]; // the request is set up (method, URL, default headers) inside: see exit

      case CLIENT_INBOUND:
        return clientInbound(hooks, self, args[1]);
      case CLIENT_CLOSE:
        ClientCall call = clients.remove(self);
        if (call != null && !call.ended) {
          // The connection closed before a response came.
          hooks.clientEndDetached(call.scope, 0, new java.io.IOException("connection closed"));
        }
        return null;
      default:
        return null;
    }
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == CLIENT_REQUEST) {
      // Reactor Netty has set the request's method, URL and default headers (replacing any
      // header set before); the application's own headers and the body go out after this.
      if (thrown == null) {
        clientRequest(hooks, scope);
      }
      return result;
    }
    hooks.detach(scope); // inbound hooks return the token of the span they made current
    return result;
  }

  private Object serverInbound(HooksImpl hooks, Object operations) {
    Object scope = servers.get(operations);
    if (scope != null) {
      return hooks.attach(hooks.spanOf(scope)); // the request's body, read in its span
    }
    Object headers = Reflect.call(operations, "requestHeaders");
    String host = header(headers, "Host");
    String uri = String.valueOf(Reflect.call(operations, "uri"));
    int query = uri.indexOf('?');
    scope =
        hooks.serverStart(
            headers,
            String.valueOf(Reflect.call(Reflect.call(operations, "method"), "name")),
            Reflect.call(operations, "scheme")
                + "://"
                + (host == null ? "localhost" : host)
                + (query < 0 ? uri : uri.substring(0, query)),
            null,
            header(headers, "X-Amzn-Trace-Id"),
            header(headers, "traceparent"),
            header(headers, "tracestate"));
    if (scope != null) {
      servers.put(operations, scope);
    }
    return scope; // current while the application is handed the request; detached on exit
  }

  private void serverEnd(HooksImpl hooks, Object operations, Throwable error) {
    Object scope = servers.remove(operations);
    if (scope == null) {
      return;
    }
    int status = 0;
    try {
      status = (Integer) Reflect.call(Reflect.call(operations, "status"), "code");
    } finally {
      hooks.clientEndDetached(scope, error != null && status < 400 ? 500 : status, error);
    }
  }

  private void clientRequest(HooksImpl hooks, Object operations) {
    Object context = Reflect.call(operations, "currentContext");
    Object caller = Reflect.call(context, "getOrDefault", CONTEXT_KEY, null);
    Object headers = Reflect.call(operations, "requestHeaders");
    if (caller == null
        || header(headers, "X-Amzn-Trace-Id") != null
        || header(headers, "traceparent") != null) {
      return; // outside any trace, or propagated by the caller already
    }
    Object token = hooks.attach(caller);
    Object scope;
    try {
      scope =
          hooks.clientStartDetached(
              headers,
              String.valueOf(Reflect.call(Reflect.call(operations, "method"), "name")),
              String.valueOf(Reflect.call(operations, "resourceUrl")));
    } finally {
      hooks.detach(token);
    }
    if (scope == null) {
      return;
    }
    String[] trace = hooks.clientHeaders(scope);
    for (int i = 0; i < trace.length; i += 2) {
      Reflect.callTyped(
          headers, "set", new Class<?>[] {String.class, Object.class}, trace[i], trace[i + 1]);
    }
    clients.put(operations, new ClientCall(scope, caller));
  }

  private Object clientInbound(HooksImpl hooks, Object operations, Object message) {
    ClientCall call = clients.get(operations);
    if (call == null) {
      return null;
    }
    if (!call.ended && RESPONSE.get(message.getClass())) {
      call.ended = true;
      int status = (Integer) Reflect.call(Reflect.call(message, "status"), "code");
      hooks.clientEndDetached(call.scope, status, null);
    }
    if (LAST_CONTENT.get(message.getClass())) {
      clients.remove(operations);
    }
    // The application's continuation runs here, on the client's event loop: in the caller's span.
    return hooks.attach(call.caller);
  }

  /**
   * Whether a class implements the Netty HTTP interface named {@code suffix} (its name past {@code
   * io.netty}: a whole name would be rewritten when the agent's own Netty is shaded), worked out
   * once per class: the walk copies each class's interface array.
   */
  private static ClassValue<Boolean> implementing(String suffix) {
    return new ClassValue<>() {
      @Override
      protected Boolean computeValue(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
          for (Class<?> i : c.getInterfaces()) {
            if (implementsNamed(i, suffix)) {
              return true;
            }
          }
        }
        return false;
      }
    };
  }

  private static boolean implementsNamed(Class<?> type, String suffix) {
    if (type.getName().endsWith(suffix)) {
      return true;
    }
    for (Class<?> parent : type.getInterfaces()) {
      if (implementsNamed(parent, suffix)) {
        return true;
      }
    }
    return false;
  }

  private static String header(Object headers, String name) {
    return (String) Reflect.callTyped(headers, "get", new Class<?>[] {String.class}, name);
  }

  /**
   * The subscriber of a client call as a {@link Proxy} of the application's own {@code
   * CoreSubscriber}: the same subscriber, whose Reactor {@code Context} also holds the caller's
   * span.
   */
  private static Object withCaller(Object subscriber, Object caller) {
    Class<?> type;
    try {
      type =
          Class.forName(
              "reactor.core.CoreSubscriber", false, subscriber.getClass().getClassLoader());
    } catch (ClassNotFoundException e) {
      return subscriber;
    }
    return Proxy.newProxyInstance(
        type.getClassLoader(), new Class<?>[] {type}, new CallerContext(subscriber, caller));
  }

  private static final class CallerContext implements InvocationHandler {
    private final Object subscriber;
    private final Object caller;

    CallerContext(Object subscriber, Object caller) {
      this.subscriber = subscriber;
      this.caller = caller;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return Reflect.proxyDefault(proxy, method, args);
      }
      Object result = Reflect.invoke(method, subscriber, args);
      if (method.getName().equals("currentContext") && result != null) {
        return Reflect.call(result, "put", CONTEXT_KEY, caller);
      }
      return result;
    }
  }

  /** A client call: its span, and the caller's span its response is read in. */
  private static final class ClientCall {
    final Object scope;
    final Object caller;
    volatile boolean ended;

    ClientCall(Object scope, Object caller) {
      this.scope = scope;
      this.caller = caller;
    }
  }
}
