package dev.trailmark.agent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.util.jar.JarFile;

/**
 * Entry point named by the agent jar's manifest: puts the bridge on the bootstrap class path and
 * starts the agent inside its own class loader, so the application never sees the agent's
 * libraries.
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
      defineBridgeInBootLoader(inst, jarFile);
      AgentClassLoader loader = new AgentClassLoader(jarFile);
      Class<?> installer = loader.loadClass("dev.trailmark.agent.internal.AgentInstaller");
      installer
          .getMethod("install", Instrumentation.class, String.class, ClassLoader.class)
          .invoke(null, inst, args, loader);
    } catch (Throwable t) {
      Throwable cause =
          t.getCause() != null && t instanceof java.lang.reflect.InvocationTargetException
              ? t.getCause()
              : t;
      System.err.println(
          "[trailmark-agent] not started, the application runs without it: " + cause);
    }
  }

  /**
   * Defines {@code Hooks} and {@code Bridge} in the boot loader, where woven JDK and application
   * classes all find them. Defining just these two classes (rather than appending the jar to the
   * boot class path) keeps class data sharing on for the application's own classes and the JVM
   * quiet about it.
   */
  private static void defineBridgeInBootLoader(Instrumentation inst, JarFile jar) throws Exception {
    Module base = Object.class.getModule();
    inst.redefineModule(
        base,
        java.util.Set.of(),
        java.util.Map.of("jdk.internal.misc", java.util.Set.of(AgentPremain.class.getModule())),
        java.util.Map.of(),
        java.util.Set.of(),
        java.util.Map.of());
    Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
    Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
    java.lang.reflect.Method define =
        unsafeType.getMethod(
            "defineClass",
            String.class,
            byte[].class,
            int.class,
            int.class,
            ClassLoader.class,
            java.security.ProtectionDomain.class);
    for (String name :
        new String[] {
          "dev.trailmark.agent.bootstrap.Hooks", "dev.trailmark.agent.bootstrap.Bridge"
        }) {
      byte[] bytes;
      try (java.io.InputStream in =
          jar.getInputStream(jar.getEntry(name.replace('.', '/') + ".class"))) {
        bytes = in.readAllBytes();
      }
      define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
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
