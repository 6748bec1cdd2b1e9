package dev.trailmark.agent.testapp;

import java.io.IOException;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A javax.servlet filter in front of every servlet, as Spring Security is: it logs each request and
 * turns away {@code /orders/secret} with a 401 before any servlet sees it.
 */
public final class JavaxGuardFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(JavaxGuardFilter.class);

  // Servlet 3.1 (Jetty 9.4) has no default init and destroy.
  @Override
  public void init(FilterConfig config) {}

  @Override
  public void destroy() {}

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String uri = ((HttpServletRequest) request).getRequestURI();
    if (uri.endsWith("/secret")) {
      log.info("guard filter rejected {}", uri);
      ((HttpServletResponse) response).sendError(401);
      return;
    }
    log.info("guard filter passed {}", uri);
    chain.doFilter(request, response);
  }
}
