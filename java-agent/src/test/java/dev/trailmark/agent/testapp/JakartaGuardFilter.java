package dev.trailmark.agent.testapp;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A jakarta.servlet filter in front of every servlet, as Spring Security is: it logs each request
 * and turns away {@code /orders/secret} with a 401 before any servlet sees it.
 */
public final class JakartaGuardFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(JakartaGuardFilter.class);

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
