package dev.trailmark.agent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.util.jar.JarFile;

/**
 * Entry point named by the agent jar's manifest: puts the bridge on the bootstrap class path and starts
 * the agent inside its own class loader, so the application never sees the agent's libraries.
 */
public final class AgentPremain {

  private AgentPremain() {}

  /** Called by the JVM for {@code -javaagent:trailmark-agent.jar[=options]}. */
  public static void premain(String args, Instrumentation inst) {
    start(args, inst);
  }

  /** Called by the JVM when the agent is attached to a running process. */
  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst);
  }

  private static void start(String args, Instrumentation inst) {
    // Whatever happens, the application starts: one line on stderr, never an exception.
    try {
      if ("false".equalsIgnoreCase(setting("trailmark.enabled", "TRAILMARK_ENABLED"))) {
        return;
      }
      File jar = agentJar();
      JarFile jarFile = new JarFile(jar, false);
      // Only dev/trailmark/agent/bootstrap/** is loadable by name from this jar; the rest is inst/*.classdata.
      inst.appendToBootstrapClassLoaderSearch(jarFile);
      AgentClassLoader loader = new AgentClassLoader(jarFile);
      Class<?> installer = loader.loadClass("dev.trailmark.agent.AgentInstaller");
      installer
          .getMethod("install", Instrumentation.class, String.class, ClassLoader.class)
          .invoke(null, inst, args, loader);
    } catch (Throwable t) {
      Throwable cause = t.getCause() != null && t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
      System.err.println("[trailmark-agent] not started, the application runs without it: " + cause);
    }
  }

  private static String setting(String property, String env) {
    String value = System.getProperty(property);
    return value != null ? value : System.getenv(env);
  }

  private static File agentJar() throws URISyntaxException {
    return new File(AgentPremain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
