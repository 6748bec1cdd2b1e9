package dev.trailmark.agent.testapp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers with the trace header it received; {@code /orders/missing} is a 404, {@code /orders/boom}
 * throws.
 */
public final class JakartaOrdersServlet extends HttpServlet {

  private static final Logger log = LoggerFactory.getLogger(JakartaOrdersServlet.class);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    log.info("jakarta servlet handling {}", request.getRequestURI());
    if (request.getRequestURI().endsWith("/boom")) {
      throw new IllegalStateException("boom");
    }
    response.setStatus(request.getRequestURI().endsWith("/missing") ? 404 : 200);
    response.getWriter().write("xray=" + request.getHeader("X-Amzn-Trace-Id") + "\n");
  }
}
