package dev.trailmark.agent.testapp;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat on a free port with one root context, as the test applications on Tomcat (11
 * or 9: only API both share) set it up and start it.
 */
final class EmbeddedTomcat {

  final Tomcat tomcat = new Tomcat();
  final Context context;

  EmbeddedTomcat() throws IOException {
    String base = Files.createTempDirectory("tomcat").toFile().getAbsolutePath();
    tomcat.setBaseDir(base);
    tomcat.setPort(0);
    tomcat.getHost().setAppBase(base);
    context = tomcat.addContext("", base);
  }

  /** Starts Tomcat, prints {@code READY <port>} for the test and serves until the process ends. */
  void serve() throws LifecycleException {
    tomcat.getConnector();
    tomcat.start();
    System.out.println("READY " + tomcat.getConnector().getLocalPort());
    tomcat.getServer().await();
  }
}
