package dev.trailmark.agent.internal.trace;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's own version, as the build that made it wrote it (never a literal in the code). */
public final class AgentVersion {

  /** The version of this agent build, or {@code unknown} when the build left no version file. */
  public static final String VERSION = read();

  private AgentVersion() {}

  static String read() {
    // agent-version.properties is filtered by Maven (the module's pom), so it follows
    // project.version.
    try (InputStream in = AgentVersion.class.getResourceAsStream("agent-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version");
      return version == null || version.isEmpty() || version.startsWith("${") ? "unknown" : version;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
