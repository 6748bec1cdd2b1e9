package dev.trailmark.agent.probe;

import dev.trailmark.agent.HooksImpl;
import dev.trailmark.agent.weave.Rule;
import java.util.List;

/**
 * Server spans for jakarta and javax Servlet containers (Tomcat, Jetty, Spring MVC on either). The span starts
 * where the container enters the filter chain (Tomcat's {@code ApplicationFilterChain}, Jetty 12's {@code
 * MappedServlet.handle}), so that filters log inside it and a request a filter turns away (a security filter's
 * 401) is still a span; in other containers, at {@code HttpServlet.service}. The span is named by the route
 * template: Spring MVC's best matching pattern when there is one, else the servlet mapping ({@code /orders/*});
 * never the raw path. One span per request: the container's later dispatches of the same request (to an error
 * page, or after an async start) are not spans.
 */
public final class ServletProbe extends Probe {

  /** Where Spring MVC puts the matched {@code @RequestMapping} template. */
  static final String SPRING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  /** Methods whose request and response are arguments 0 and 1. */
  private static final int SERVICE = 0;
  /** Jetty's {@code MappedServlet.handle(handler, pathInContext, request, response)}. */
  private static final int JETTY = 1;

  private static final String JAKARTA = "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V";
  private static final String JAVAX = "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V";

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        // Filter chains first: the HttpServlet.service inside them is then nested, and no second span.
        Rule.wrap(name(), "org.apache.catalina.core.ApplicationFilterChain", "doFilter", JAKARTA, hook + SERVICE),
        Rule.wrap(name(), "org.apache.catalina.core.ApplicationFilterChain", "doFilter", JAVAX, hook + SERVICE),
        Rule.wrap(name(), "org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet", "handle",
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
    if (!"REQUEST".equals(String.valueOf(Reflect.call(request, "getDispatcherType")))) {
      // The container dispatching a request whose span has ended: to the error page (Spring Boot's /error on
      // every 4xx and 5xx) or after AsyncContext.dispatch. A second span would count the request twice.
      return null;
    }
    Object scope = hooks.serverStart(request,
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
  public Object exit(HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    HooksImpl.Scope s = (HooksImpl.Scope) scope;
    try {
      hooks.setRoute(scope, route(s.carrier()));
    } finally {
      // Always ended: a span left current would make every later request on this pooled thread look nested.
      int status = status(s.response());
      hooks.serverEnd(scope, thrown != null && status < 400 ? 500 : status, applicationError(thrown));
    }
    return result;
  }

  private static int status(Object response) {
    try {
      return (Integer) Reflect.call(response, "getStatus");
    } catch (RuntimeException unknown) {
      return 0; // the span still ends, without a status
    }
  }

  /**
   * The exception the application threw: containers and frameworks wrap it in a {@code ServletException}
   * (Spring MVC's "Request processing failed: ..."), which says nothing about what failed.
   */
  static Throwable applicationError(Throwable thrown) {
    Throwable t = thrown;
    while (t != null && t.getCause() != null && t.getCause() != t && isServletException(t.getClass())) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean isServletException(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      String name = c.getName();
      if (name.equals("jakarta.servlet.ServletException") || name.equals("javax.servlet.ServletException")) {
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
      // Spring matches within the dispatcher's path prefix: /orders/{id} under /api/* serves /api/orders/42.
      return contextPath + pathPrefix(mapping) + spring;
    }
    if (mapping == null || mapping.isEmpty() || mapping.equals("/")) {
      return null; // the default servlet: the container knows no template
    }
    return contextPath + mapping;
  }

  /** {@code /api} for a path mapping {@code /api/*}; empty for the default, exact and extension mappings. */
  static String pathPrefix(String mapping) {
    return mapping != null && mapping.endsWith("/*") ? mapping.substring(0, mapping.length() - 2) : "";
  }
}
