package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.util.List;

/**
 * Server spans for Jetty 9.4, 10 and 11 as a container: the span starts where the {@code Server}
 * hands a request to its handlers ({@code HandlerWrapper.handle}, the outermost call), so filters,
 * a request a filter turns away, a 404 for a path no servlet maps and handlers that are not
 * servlets are spans too, and the servlet probe's {@code HttpServlet.service} inside is nested,
 * never a second span. The route is the servlet mapping (or Spring MVC's pattern) read when the
 * servlet returns ({@code ServletHolder.handle}), while Jetty still holds it; a request gone
 * asynchronous ends when it completes, as the servlet probe does it. Jetty 12 is the servlet
 * probe's.
 */
public final class JettyProbe extends Probe {

  /** {@code HandlerWrapper.handle(target, baseRequest, request, response)}. */
  private static final int HANDLE = 0;

  /** {@code ServletHolder.handle(baseRequest, request, response)}. */
  private static final int HOLDER = 1;

  /** The request attribute holding the route found inside the servlet's scope. */
  static final String ROUTE = "dev.trailmark.agent.jetty.route";

  private final ServletProbe servlet = new ServletProbe();

  @Override
  public String name() {
    return "jetty";
  }

  @Override
  public List<Rule> rules(int hook) {
    String wrapper = "org.eclipse.jetty.server.handler.HandlerWrapper";
    String holder = "org.eclipse.jetty.servlet.ServletHolder";
    return List.of(
        Rule.wrap(name(), wrapper, "handle", handle("javax"), hook + HANDLE),
        Rule.wrap(name(), wrapper, "handle", handle("jakarta"), hook + HANDLE),
        Rule.wrap(name(), holder, "handle", holder("javax"), hook + HOLDER),
        Rule.wrap(name(), holder, "handle", holder("jakarta"), hook + HOLDER));
  }

  private static String handle(String servlet) {
    return "(Ljava/lang/String;Lorg/eclipse/jetty/server/Request;L"
        + servlet
        + "/servlet/http/HttpServletRequest;L"
        + servlet
        + "/servlet/http/HttpServletResponse;)V";
  }

  private static String holder(String servlet) {
    return "(Lorg/eclipse/jetty/server/Request;L"
        + servlet
        + "/servlet/ServletRequest;L"
        + servlet
        + "/servlet/ServletResponse;)V";
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (tag == HOLDER) {
      return args[1]; // the request, to read its route on exit
    }
    // Server is the outermost HandlerWrapper: nested wrappers (contexts, sessions) find the span
    // current and start none; an async or error dispatch is the servlet probe's business.
    return servlet.enter(hooks, ServletProbe.JETTY, self, args);
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == HOLDER) {
      String route = route(self, scope);
      if (route != null) {
        Reflect.call(scope, "setAttribute", ROUTE, route);
        hooks.serverRoute(route);
      }
      return result;
    }
    if (!(scope instanceof HooksImpl.Scope)) {
      return servlet.exit(hooks, ServletProbe.JETTY, scope, self, result, thrown);
    }
    HooksImpl.Scope s = (HooksImpl.Scope) scope;
    String route = null;
    boolean async = false;
    try {
      // Jetty has left the servlet's context by now (its mapping and context path are reset): the
      // route is the one found inside it.
      Object found = Reflect.call(s.carrier(), "getAttribute", ROUTE);
      route = found instanceof String ? (String) found : null;
      async = thrown == null && ServletProbe.AsyncRequest.wentAsync(hooks, s);
    } finally {
      hooks.setRoute(s, route);
      if (!async) {
        // Always ended: a span left current would make every later request on this pooled thread
        // look nested.
        int status = ServletProbe.status(s.response());
        hooks.serverEnd(
            s,
            thrown != null && status < 400 ? 500 : status,
            ServletProbe.applicationError(thrown));
      }
    }
    return result;
  }

  /**
   * The route of a request a servlet served: Spring MVC's pattern or the servlet mapping, as the
   * servlet probe reads them (Servlet 4's {@code HttpServletMapping}, Jetty 10 and 11); Jetty 9.4
   * (Servlet 3.1) has no such mapping, so its {@code ServletHandler} is asked which one matched.
   */
  static String route(Object holder, Object request) {
    try {
      Reflect.call(request, "getHttpServletMapping");
      return ServletProbe.route(request);
    } catch (IllegalStateException servlet31) {
      // Jetty 9.4
    }
    String mapping = null;
    try {
      Object path = Reflect.call(request, "getServletPath");
      Object info = Reflect.call(request, "getPathInfo");
      Object handler = Reflect.call(holder, "getServletHandler");
      Object mapped =
          Reflect.call(handler, "getMappedServlet", path + (info == null ? "" : (String) info));
      if (mapped != null) {
        mapping = (String) Reflect.call(Reflect.call(mapped, "getPathSpec"), "getDeclaration");
      }
    } catch (RuntimeException unknown) {
      mapping = null;
    }
    Object spring = Reflect.call(request, "getAttribute", ServletProbe.SPRING_PATTERN);
    String contextPath = (String) Reflect.call(request, "getContextPath");
    if (spring instanceof String) {
      return contextPath + ServletProbe.pathPrefix(mapping) + spring;
    }
    if (mapping == null || mapping.isEmpty() || mapping.equals("/")) {
      return null;
    }
    return contextPath + mapping;
  }
}
