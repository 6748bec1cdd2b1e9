package dev.trailmark.agent.probe;

import dev.trailmark.agent.HooksImpl;
import dev.trailmark.agent.weave.Rule;
import java.util.List;

/**
 * Server spans for jakarta and javax Servlet containers (Tomcat, Jetty, Spring MVC on either), at {@code
 * HttpServlet.service}. The span is named by the route template: Spring MVC's best matching pattern when
 * there is one, else the servlet mapping ({@code /orders/*}); never the raw path.
 */
public final class ServletProbe extends Probe {

  /** Where Spring MVC puts the matched {@code @RequestMapping} template. */
  static final String SPRING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(name(), "jakarta.servlet.http.HttpServlet", "service",
            "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V", hook),
        Rule.wrap(name(), "javax.servlet.http.HttpServlet", "service",
            "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V", hook));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (hooks.inServerSpan()) {
      return null; // a forward or include inside the request already being traced
    }
    Object request = args[0];
    Object scope = hooks.serverStart(request,
        (String) Reflect.call(request, "getMethod"),
        String.valueOf(Reflect.call(request, "getRequestURL")),
        null,
        (String) Reflect.call(request, "getHeader", "X-Amzn-Trace-Id"),
        (String) Reflect.call(request, "getHeader", "traceparent"),
        (String) Reflect.call(request, "getHeader", "tracestate"));
    if (scope != null) {
      ((HooksImpl.Scope) scope).response(args[1]);
    }
    return scope;
  }

  @Override
  public Object exit(HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    Object request = ((HooksImpl.Scope) scope).carrier();
    hooks.setRoute(scope, route(request));
    int status = (Integer) Reflect.call(((HooksImpl.Scope) scope).response(), "getStatus");
    hooks.serverEnd(scope, thrown != null && status < 400 ? 500 : status, thrown);
    return result;
  }

  static String route(Object request) {
    Object spring = Reflect.call(request, "getAttribute", SPRING_PATTERN);
    if (spring instanceof String) {
      return (String) spring;
    }
    try {
      Object mapping = Reflect.call(request, "getHttpServletMapping");
      String pattern = mapping == null ? null : (String) Reflect.call(mapping, "getPattern");
      if (pattern == null || pattern.isEmpty() || pattern.equals("/")) {
        return null; // the default servlet: the container knows no template
      }
      return Reflect.call(request, "getContextPath") + pattern;
    } catch (IllegalStateException noServlet4) {
      return null;
    }
  }
}
