package dev.trailmark.agent.testapp;

import jakarta.servlet.Servlet;
import java.io.File;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * Spring MVC on the container named by {@code app.container} ({@code tomcat} = Tomcat 11, {@code jetty} = Jetty 12),
 * set up as a Spring Boot application is: a {@link DispatcherServlet} at {@code /} and a global error page at
 * {@code /error}; plus a second one at {@code /api/*}, whose patterns are relative to that prefix.
 */
public final class SpringApp {

  @Configuration
  @EnableWebMvc
  static class WebConfig {}

  public static void main(String[] args) throws Exception {
    Map<String, Servlet> servlets = new LinkedHashMap<>();
    servlets.put("/", dispatcher(SpringOrdersController.class, SpringErrorController.class));
    servlets.put("/api/*", dispatcher(SpringOrdersController.class));
    if ("jetty".equals(System.getProperty("app.container"))) {
      JettyApp.serve(servlets, "/error");
    } else {
      OnTomcat.serve(servlets, "/error");
    }
  }

  private static DispatcherServlet dispatcher(Class<?>... controllers) {
    AnnotationConfigWebApplicationContext context = new AnnotationConfigWebApplicationContext();
    context.register(WebConfig.class);
    context.register(controllers);
    return new DispatcherServlet(context);
  }

  /** Tomcat 11, in a class of its own so that the Jetty application never loads Tomcat's classes. */
  static final class OnTomcat {
    static void serve(Map<String, Servlet> servlets, String errorPage) throws Exception {
      File base = Files.createTempDirectory("tomcat").toFile();
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(base.getAbsolutePath());
      tomcat.setPort(0);
      tomcat.getHost().setAppBase(base.getAbsolutePath());
      Context context = tomcat.addContext("", base.getAbsolutePath());
      int i = 0;
      for (Map.Entry<String, Servlet> servlet : servlets.entrySet()) {
        String name = "servlet" + i++;
        Wrapper wrapper = Tomcat.addServlet(context, name, servlet.getValue());
        wrapper.setLoadOnStartup(1);
        context.addServletMappingDecoded(servlet.getKey(), name);
      }
      ErrorPage page = new ErrorPage(); // neither a status nor an exception type: the default error page
      page.setLocation(errorPage);
      context.addErrorPage(page);
      tomcat.getConnector().setProperty("address", "127.0.0.1");
      tomcat.start();
      System.out.println("READY " + tomcat.getConnector().getLocalPort());
      tomcat.getServer().await();
    }
  }
}
