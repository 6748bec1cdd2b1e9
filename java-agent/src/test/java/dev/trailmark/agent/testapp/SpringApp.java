package dev.trailmark.agent.testapp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.support.AnnotationConfigWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * Spring MVC on the container named by {@code app.container} ({@code tomcat} or {@code jetty}), set
 * up as a Spring Boot application is: a {@link DispatcherServlet} at {@code /}, a global error page
 * at {@code /error} and a filter (class {@code app.filter}) in front; plus a second dispatcher at
 * {@code /api/*}, whose patterns are relative to that prefix. Only API that Spring 5 and 6 and
 * Tomcat 9 and 11 share is used, so the same classes run Spring 6 (jakarta) and Spring 5 on Tomcat
 * 9 (javax).
 */
public final class SpringApp {

  /** The application's dispatcher: orders and the error page. */
  public static final class RootDispatcher extends DispatcherServlet {
    public RootDispatcher() {
      super(context(SpringOrdersController.class, SpringErrorController.class));
    }
  }

  /** A second dispatcher, mapped to {@code /api/*}. */
  public static final class ApiDispatcher extends DispatcherServlet {
    public ApiDispatcher() {
      super(context(SpringOrdersController.class));
    }
  }

  @Configuration
  @EnableWebMvc
  static class WebConfig {}

  public static void main(String[] args) throws Exception {
    Map<String, String> servlets = new LinkedHashMap<>();
    servlets.put("/", RootDispatcher.class.getName());
    servlets.put("/api/*", ApiDispatcher.class.getName());
    if ("jetty".equals(System.getProperty("app.container"))) {
      JettyApp.serve(servlets, System.getProperty("app.filter"), "/error");
    } else {
      OnTomcat.serve(servlets, System.getProperty("app.filter"), "/error");
    }
  }

  static AnnotationConfigWebApplicationContext context(Class<?>... controllers) {
    AnnotationConfigWebApplicationContext context = new AnnotationConfigWebApplicationContext();
    context.register(WebConfig.class);
    context.register(controllers);
    return context;
  }

  /**
   * Tomcat (11, or 9), in a class of its own so that the Jetty application never loads Tomcat's
   * classes.
   */
  static final class OnTomcat {
    static void serve(Map<String, String> servlets, String filter, String errorPage)
        throws Exception {
      EmbeddedTomcat tomcat = new EmbeddedTomcat();
      Context context = tomcat.context;
      int i = 0;
      for (Map.Entry<String, String> servlet : servlets.entrySet()) {
        String name = "servlet" + i++;
        Wrapper wrapper = Tomcat.addServlet(context, name, servlet.getValue());
        wrapper.setLoadOnStartup(1);
        wrapper.setAsyncSupported(true);
        context.addServletMappingDecoded(servlet.getKey(), name);
      }
      if (filter != null) {
        FilterDef def = new FilterDef();
        def.setFilterName("filter");
        def.setFilterClass(filter);
        def.setAsyncSupported("true");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("filter");
        map.addURLPattern("/*");
        context.addFilterMap(map);
      }
      ErrorPage page =
          new ErrorPage(); // neither a status nor an exception type: the default error page
      page.setLocation(errorPage);
      context.addErrorPage(page);
      tomcat.tomcat.getConnector().setProperty("address", "127.0.0.1");
      tomcat.serve();
    }
  }
}
