package dev.trailmark.agent.testapp;

import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat serving one servlet under {@code /orders/*}: {@code app.servlet} names the
 * servlet class (a jakarta one on Tomcat 11, a javax one on Tomcat 9; this launcher only uses API
 * both share).
 */
public final class TomcatApp {

  public static void main(String[] args) throws Exception {
    EmbeddedTomcat tomcat = new EmbeddedTomcat();
    Context context = tomcat.context;
    Tomcat.addServlet(context, "orders", System.getProperty("app.servlet"));
    context.addServletMappingDecoded("/orders/*", "orders");
    tomcat.serve();
  }
}
