package dev.trailmark.agent.testapp;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous jakarta.servlet servlet: it starts async, returns, and a worker of its pool
 * answers 202 about 300 ms later and completes the request.
 */
public final class JakartaSlowServlet extends HttpServlet {

  private static final Logger log = LoggerFactory.getLogger(JakartaSlowServlet.class);

  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) {
    AsyncContext async = request.startAsync();
    workers.execute(
        () -> {
          try {
            Thread.sleep(300);
            log.info("slow jakarta servlet answering {}", request.getRequestURI());
            response.setStatus(202);
            response.getWriter().write("late\n");
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          } finally {
            async.complete();
          }
        });
  }
}
