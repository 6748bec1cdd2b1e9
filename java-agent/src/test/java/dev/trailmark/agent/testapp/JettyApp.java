package dev.trailmark.agent.testapp;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 (ee10) on an ephemeral loopback port. Run as a main class it serves the jakarta
 * servlet named by {@code app.servlet} under {@code /orders/*}; {@link SpringApp} uses {@link
 * #serve} for Spring MVC.
 */
public final class JettyApp {

  public static void main(String[] args) throws Exception {
    serve(Map.of("/orders/*", System.getProperty("app.servlet")), null, null);
  }

  /**
   * Serves {@code servlets} (mapping to servlet class name) at the root context, behind the filter
   * class {@code filter} when set; errors go to {@code errorPage} when set.
   */
  static void serve(Map<String, String> servlets, String filter, String errorPage)
      throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    for (Map.Entry<String, String> servlet : servlets.entrySet()) {
      ServletHolder holder =
          new ServletHolder(
              (Servlet) Class.forName(servlet.getValue()).getDeclaredConstructor().newInstance());
      holder.setInitOrder(1); // initialised at start, as Spring Boot does, not on the first request
      holder.setAsyncSupported(true);
      context.addServlet(holder, servlet.getKey());
    }
    if (filter != null) {
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST)).setAsyncSupported(true);
    }
    if (errorPage != null) {
      ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
      errors.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, errorPage);
      context.setErrorHandler(errors);
    }
    server.setHandler(context);
    server.start();
    System.out.println("READY " + connector.getLocalPort());
    server.join();
  }
}
