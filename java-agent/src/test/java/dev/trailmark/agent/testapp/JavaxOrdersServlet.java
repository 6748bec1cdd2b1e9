package dev.trailmark.agent.testapp;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The javax twin of {@link JakartaOrdersServlet}. */
public final class JavaxOrdersServlet extends HttpServlet {

  private static final Logger log = LoggerFactory.getLogger(JavaxOrdersServlet.class);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    log.info("javax servlet handling {}", request.getRequestURI());
    if (request.getRequestURI().endsWith("/boom")) {
      throw new IllegalStateException("boom");
    }
    response.setStatus(request.getRequestURI().endsWith("/missing") ? 404 : 200);
    response.getWriter().write("xray=" + request.getHeader("X-Amzn-Trace-Id") + "\n");
  }
}
