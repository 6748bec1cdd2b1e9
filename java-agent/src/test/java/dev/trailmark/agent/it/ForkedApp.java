package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.ListAssert;

/**
 * A test application in its own JVM, with the real agent jar attached (or not), output captured to
 * a file.
 */
final class ForkedApp implements AutoCloseable {

  static final String AGENT_JAR =
      System.getProperty("trailmark.agent.jar", "target/trailmark-agent.jar");

  /**
   * The JVM forked applications run on: the build's own, or the newer JDK of the second failsafe
   * execution.
   */
  static final String JAVA_17 =
      launcher(
          System.getProperty("trailmark.app.java", System.getProperty("java.home") + "/bin/java"));

  /** A JDK home or its {@code bin/java}, as TRAILMARK_TEST_JAVA may give either. */
  private static String launcher(String javaOrHome) {
    Path p = Path.of(javaOrHome);
    return java.nio.file.Files.isDirectory(p)
        ? p.resolve("bin").resolve("java").toString()
        : javaOrHome;
  }

  private final Process process;
  private final Path output;

  private ForkedApp(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /**
   * The test classpath without the agent's own classes and libraries: what an application would
   * have.
   */
  static String applicationClasspath(String... extraExcludes) {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !e.replace('\\', '/').endsWith("java-agent/target/classes"))
        .filter(e -> !e.contains("trailmark-java-agent"))
        .filter(e -> !e.contains("byte-buddy"))
        .filter(e -> java.util.Arrays.stream(extraExcludes).noneMatch(e::contains))
        .collect(Collectors.joining(File.pathSeparator));
  }

  static Builder builder(String mainClass) {
    return new Builder(mainClass);
  }

  static final class Builder {
    private final String mainClass;
    private String java = JAVA_17;
    private boolean agent = true;
    private String classpath = applicationClasspath();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();

    Builder(String mainClass) {
      this.mainClass = mainClass;
      properties.put("logback.configurationFile", "testapp-logback.xml");
    }

    Builder java(String java) {
      this.java = java;
      return this;
    }

    Builder withoutAgent() {
      this.agent = false;
      return this;
    }

    Builder classpath(String classpath) {
      this.classpath = classpath;
      return this;
    }

    Builder property(String name, String value) {
      properties.put(name, value);
      return this;
    }

    Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /**
     * Makes the app the traced service {@code name}, which records every request (unless its caller
     * decided not to) and sends its segments to the test's X-Ray {@code daemon}.
     */
    Builder tracedService(String name, UdpDaemon daemon) {
      return env("OTEL_SERVICE_NAME", name)
          .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
          .env("AWS_XRAY_DAEMON_ADDRESS", daemon.address());
    }

    Builder arg(String arg) {
      args.add(arg);
      return this;
    }

    ForkedApp start(Path dir, String name) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(java);
      command.add("-Xshare:auto");
      command.add("-XX:TieredStopAtLevel=1");
      if (agent) {
        command.add("-javaagent:" + new File(AGENT_JAR).getAbsolutePath());
      }
      properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
      command.add("-cp");
      command.add(classpath);
      command.add(mainClass);
      command.addAll(args);
      Path out = dir.resolve(name + ".out");
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment()
          .keySet()
          .removeIf(
              k -> k.startsWith("OTEL_") || k.startsWith("TRAILMARK_") || k.startsWith("AWS_"));
      pb.environment().putAll(env);
      return new ForkedApp(pb.start(), out);
    }
  }

  /** Waits for the app's {@code READY <port>} line; returns the port. */
  int awaitPort() {
    Pattern ready = Pattern.compile("READY (\\d+)");
    int[] port = new int[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              boolean alive = process.isAlive();
              Matcher m = ready.matcher(output());
              if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
              }
              if (!alive) {
                throw new IllegalStateException("application exited early:\n" + output());
              }
              return false;
            });
    return port[0];
  }

  /** The operating system's id of the application's process. */
  long pid() {
    return process.pid();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The application's log lines (those the test Logback pattern starts with "LOG "). */
  List<String> logLines() {
    return output().lines().filter(l -> l.startsWith("LOG ")).collect(Collectors.toList());
  }

  /** Log lines holding {@code text} and the trace and span ids the agent put in its MDC. */
  static Predicate<String> logged(String text, String traceId, String spanId) {
    return line ->
        line.contains(text)
            && line.contains("trace_id=" + traceId)
            && line.contains("span_id=" + spanId);
  }

  /**
   * Waits up to 20 seconds for the app's log lines to pass {@code assertions}: the app's appender
   * writes them after the request has been answered.
   */
  void awaitLogLines(Consumer<ListAssert<String>> assertions) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertions.accept(assertThat(logLines())));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
