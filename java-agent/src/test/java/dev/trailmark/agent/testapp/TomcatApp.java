package dev.trailmark.agent.testapp;

import java.io.File;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat serving one servlet under {@code /orders/*}: {@code app.servlet} names the
 * servlet class (a jakarta one on Tomcat 11, a javax one on Tomcat 9; this launcher only uses API
 * both share).
 */
public final class TomcatApp {

  public static void main(String[] args) throws Exception {
    File base = Files.createTempDirectory("tomcat").toFile();
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setPort(0);
    tomcat.getHost().setAppBase(base.getAbsolutePath());
    Context context = tomcat.addContext("", base.getAbsolutePath());
    Tomcat.addServlet(context, "orders", System.getProperty("app.servlet"));
    context.addServletMappingDecoded("/orders/*", "orders");
    tomcat.getConnector();
    tomcat.start();
    System.out.println("READY " + tomcat.getConnector().getLocalPort());
    tomcat.getServer().await();
  }
}
