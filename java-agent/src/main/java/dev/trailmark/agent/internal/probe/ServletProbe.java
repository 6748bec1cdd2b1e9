package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server spans for jakarta and javax Servlet containers (Tomcat, Jetty, Spring MVC on either). The
 * span starts where the container enters the filter chain (Tomcat's {@code ApplicationFilterChain},
 * Jetty 12's {@code MappedServlet.handle}), so that filters log inside it and a request a filter
 * turns away (a security filter's 401) is still a span; in other containers, at {@code
 * HttpServlet.service}. The span is named by the route template: Spring MVC's best matching pattern
 * when there is one, else the servlet mapping ({@code /orders/*}); never the raw path. One span per
 * request: the container's later dispatches of the same request (to an error page, or after an
 * async start) are not spans. A request that goes asynchronous ({@code startAsync}, Spring MVC's
 * {@code CompletableFuture} and {@code DeferredResult} handlers) ends its span when it completes,
 * with the status it completed with; its async dispatches run inside that span.
 */
public final class ServletProbe extends Probe {

  /** Where Spring MVC puts the matched {@code @RequestMapping} template. */
  static final String SPRING_PATTERN =
      "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  /** The request attribute holding the {@link AsyncRequest} of a request gone asynchronous. */
  static final String ASYNC = "dev.trailmark.agent.servlet.AsyncRequest";

  /** Methods whose request and response are arguments 0 and 1. */
  private static final int SERVICE = 0;

  /**
   * Methods whose request and response are arguments 2 and 3: Jetty 12's {@code
   * MappedServlet.handle(handler, pathInContext, request, response)}, Jetty 9-11's {@code
   * HandlerWrapper.handle(target, baseRequest, request, response)} ({@link JettyProbe}).
   */
  static final int JETTY = 1;

  private static final String JAKARTA =
      "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V";
  private static final String JAVAX =
      "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V";

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        // Filter chains first: the HttpServlet.service inside them is then nested, and no second
        // span.
        Rule.wrap(
            name(),
            "org.apache.catalina.core.ApplicationFilterChain",
            "doFilter",
            JAKARTA,
            hook + SERVICE),
        Rule.wrap(
            name(),
            "org.apache.catalina.core.ApplicationFilterChain",
            "doFilter",
            JAVAX,
            hook + SERVICE),
        Rule.wrap(
            name(),
            "org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet",
            "handle",
            "(Lorg/eclipse/jetty/ee10/servlet/ServletHandler;Ljava/lang/String;"
                + "Ljakarta/servlet/http/HttpServletRequest;Ljakarta/servlet/http/HttpServletResponse;)V",
            hook + JETTY),
        Rule.wrap(name(), "jakarta.servlet.http.HttpServlet", "service", JAKARTA, hook + SERVICE),
        Rule.wrap(name(), "javax.servlet.http.HttpServlet", "service", JAVAX, hook + SERVICE));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (hooks.inServerSpan()) {
      return null; // a forward or include inside the request already being traced
    }
    int first = tag == JETTY ? 2 : 0;
    Object request = args[first];
    String dispatch = String.valueOf(Reflect.call(request, "getDispatcherType"));
    if (!"REQUEST".equals(dispatch)) {
      // The container dispatching a request it already saw: to the error page (Spring Boot's /error
      // on every 4xx
      // and 5xx), or after AsyncContext.dispatch. A second span would count the request twice; an
      // async
      // dispatch runs inside the span that is still open.
      Object async = "ASYNC".equals(dispatch) ? Reflect.call(request, "getAttribute", ASYNC) : null;
      return async instanceof AsyncRequest ? ((AsyncRequest) async).dispatched(hooks) : null;
    }
    Object scope =
        hooks.serverStart(
            request,
            (String) Reflect.call(request, "getMethod"),
            String.valueOf(Reflect.call(request, "getRequestURL")),
            null,
            (String) Reflect.call(request, "getHeader", "X-Amzn-Trace-Id"),
            (String) Reflect.call(request, "getHeader", "traceparent"),
            (String) Reflect.call(request, "getHeader", "tracestate"));
    if (scope != null) {
      ((HooksImpl.Scope) scope).response(args[first + 1]);
    }
    return scope;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (scope instanceof AsyncRequest.Dispatch) {
      ((AsyncRequest.Dispatch) scope).returned(thrown);
      return result;
    }
    HooksImpl.Scope s = (HooksImpl.Scope) scope;
    if (thrown == null && AsyncRequest.wentAsync(hooks, s)) {
      return result; // the span ends when the request completes
    }
    try {
      hooks.setRoute(scope, route(s.carrier()));
    } finally {
      // Always ended: a span left current would make every later request on this pooled thread look
      // nested.
      int status = status(s.response());
      hooks.serverEnd(
          scope, thrown != null && status < 400 ? 500 : status, applicationError(thrown));
    }
    return result;
  }

  static int status(Object response) {
    try {
      return (Integer) Reflect.call(response, "getStatus");
    } catch (RuntimeException unknown) {
      return 0; // the span still ends, without a status
    }
  }

  /**
   * The exception the application threw: containers and frameworks wrap it in a {@code
   * ServletException} (Spring MVC's "Request processing failed: ..."), which says nothing about
   * what failed.
   */
  static Throwable applicationError(Throwable thrown) {
    Throwable t = thrown;
    while (t != null
        && t.getCause() != null
        && t.getCause() != t
        && isServletException(t.getClass())) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean isServletException(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      String name = c.getName();
      if (name.equals("jakarta.servlet.ServletException")
          || name.equals("javax.servlet.ServletException")) {
        return true;
      }
    }
    return false;
  }

  static String route(Object request) {
    Object spring = Reflect.call(request, "getAttribute", SPRING_PATTERN);
    String mapping;
    try {
      Object servletMapping = Reflect.call(request, "getHttpServletMapping");
      mapping = servletMapping == null ? null : (String) Reflect.call(servletMapping, "getPattern");
    } catch (IllegalStateException noServlet4) {
      mapping = null;
    }
    String contextPath = (String) Reflect.call(request, "getContextPath");
    if (spring instanceof String) {
      // Spring matches within the dispatcher's path prefix: /orders/{id} under /api/* serves
      // /api/orders/42.
      return contextPath + pathPrefix(mapping) + spring;
    }
    if (mapping == null || mapping.isEmpty() || mapping.equals("/")) {
      return null; // the default servlet: the container knows no template
    }
    return contextPath + mapping;
  }

  /**
   * {@code /api} for a path mapping {@code /api/*}; empty for the default, exact and extension
   * mappings.
   */
  static String pathPrefix(String mapping) {
    return mapping != null && mapping.endsWith("/*")
        ? mapping.substring(0, mapping.length() - 2)
        : "";
  }

  /**
   * A Servlet request gone asynchronous: its server span stays open after {@code service} returns,
   * and is ended by the container's {@code AsyncListener.onComplete}. The listener is a {@link
   * Proxy} of the application's own jakarta or javax {@code AsyncListener} interface, so no agent
   * class is visible to the application.
   */
  static final class AsyncRequest implements InvocationHandler {

    /** The listener interface each {@code AsyncContext} implementation takes. */
    private static final ClassValue<Class<?>> LISTENER_TYPE =
        new ClassValue<>() {
          @Override
          protected Class<?> computeValue(Class<?> asyncContext) {
            for (Method m : asyncContext.getMethods()) {
              if (m.getName().equals("addListener") && m.getParameterCount() == 1) {
                return m.getParameterTypes()[0];
              }
            }
            throw new IllegalStateException("no addListener on " + asyncContext.getName());
          }
        };

    private final HooksImpl hooks;
    private final HooksImpl.Scope scope;
    private final Object span;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Throwable error;

    private AsyncRequest(HooksImpl hooks, HooksImpl.Scope scope, Object span) {
      this.hooks = hooks;
      this.scope = scope;
      this.span = span;
    }

    /**
     * At the end of the request's first {@code service}: when the request went asynchronous,
     * registers the listener that ends the span, takes the span off this thread and returns true;
     * otherwise (or when the listener cannot be registered) false, and the caller ends the span.
     */
    static boolean wentAsync(HooksImpl hooks, HooksImpl.Scope scope) {
      Object request = scope.carrier();
      AsyncRequest async = null;
      try {
        if (!Boolean.TRUE.equals(Reflect.call(request, "isAsyncStarted"))) {
          return false;
        }
        async = new AsyncRequest(hooks, scope, hooks.currentContext());
        // The route is known now (Spring matched the handler before it started async work).
        hooks.setRoute(scope, route(request));
        Object context = Reflect.call(request, "getAsyncContext");
        Class<?> type = LISTENER_TYPE.get(context.getClass());
        Object listener =
            Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, async);
        Reflect.call(request, "setAttribute", ASYNC, async);
        // The container calls onComplete only after this service returns, never before the listener
        // is in place.
        Reflect.call(context, "addListener", listener);
      } catch (RuntimeException e) {
        if (async != null) {
          async.ended.set(
              true); // ended now by the caller, as a request that never went asynchronous
        }
        return false;
      }
      hooks.detach(scope);
      return true;
    }

    /** On entry of an async dispatch of the request: its span is current while it runs. */
    Dispatch dispatched(HooksImpl hooks) {
      return new Dispatch(hooks.attach(span));
    }

    /** An async dispatch of the request, running in its span. */
    final class Dispatch {
      private final Object token;

      Dispatch(Object token) {
        this.token = token;
      }

      void returned(Throwable thrown) {
        hooks.detach(token);
        failed(thrown);
      }
    }

    private void failed(Throwable thrown) {
      if (thrown != null && error == null) {
        error = applicationError(thrown);
      }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      try {
        switch (method.getName()) {
          case "onComplete":
            complete();
            return null;
          case "onError": // an async dispatch threw, or the connection failed; onComplete follows
            failed((Throwable) Reflect.call(args[0], "getThrowable"));
            return null;
          case "onStartAsync": // startAsync again (an async dispatch that goes async once more)
            // drops listeners
            Reflect.call(Reflect.call(args[0], "getAsyncContext"), "addListener", proxy);
            return null;
          case "onTimeout": // the container answers (or the application does) and completes
            return null;
          case "hashCode":
            return System.identityHashCode(proxy);
          case "equals":
            return proxy == args[0];
          case "toString":
            return "trailmark async request listener";
          default:
            return null;
        }
      } catch (RuntimeException e) {
        return null; // never into the container
      }
    }

    private void complete() {
      if (ended.compareAndSet(false, true)) {
        int status = status(scope.response());
        // Ends the span without touching the current span of the container thread calling
        // onComplete.
        hooks.clientEndDetached(scope, error != null && status < 400 ? 500 : status, error);
      }
    }
  }
}
