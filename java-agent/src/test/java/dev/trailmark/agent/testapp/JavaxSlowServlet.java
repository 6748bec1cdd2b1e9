package dev.trailmark.agent.testapp;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.servlet.AsyncContext;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous javax.servlet servlet: it starts async, returns, and a worker thread answers 202
 * about 300 ms later and completes the request.
 */
public final class JavaxSlowServlet extends HttpServlet {

  private static final Logger log = LoggerFactory.getLogger(JavaxSlowServlet.class);

  private final ExecutorService workers = Executors.newFixedThreadPool(2);

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) {
    AsyncContext async = request.startAsync();
    workers.execute(
        () -> {
          try {
            Thread.sleep(300);
            log.info("slow javax servlet answering {}", request.getRequestURI());
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
