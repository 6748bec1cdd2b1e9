package dev.trailmark.collector.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a class of the test classpath in a JVM of its own, so a test can kill it or restart it.
 */
public final class ForkedJvm {
  private ForkedJvm() {}

  /**
   * Starts {@code main} with at most {@code maxHeap} (as {@code -Xmx} takes it; null: the JVM's
   * default), stderr into stdout.
   */
  public static Process start(String maxHeap, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (maxHeap != null) {
      command.add("-Xmx" + maxHeap);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
