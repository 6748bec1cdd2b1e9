package dev.trailmark.collector.opensearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Runs the single-node OpenSearch server that Trailmark owns locally: unpacks the distribution
 * once, configures it on 127.0.0.1 with its own data path, starts it (as an unprivileged user when
 * the caller is root, because OpenSearch refuses to run as root), reuses an instance that is
 * already running, and stops it cleanly.
 *
 * <p>The server runs in its own session ({@code setsid}), so that it outlives the launcher for
 * {@code ./trailmark up} and is not killed by a Ctrl-C meant for the caller; the pid file that
 * OpenSearch itself writes is the record of ownership.
 */
public final class OpenSearchLauncher {

  /** The cluster name that marks a node as Trailmark's own, so it is reused rather than refused. */
  public static final String CLUSTER_NAME = "trailmark";

  static final String RUN_AS_USER = "trailmark-os";
  private static final int LOG_TAIL_LINES = 15;

  private final OpenSearchLauncherConfig config;
  private final HttpClient http;

  public OpenSearchLauncher(OpenSearchLauncherConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** The configuration this launcher uses. */
  public OpenSearchLauncherConfig config() {
    return config;
  }

  /** The REST endpoint of the node this launcher manages. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + config.port());
  }

  /**
   * Returns the running node, starting it first when none runs. A node of another cluster on the
   * port, a stale pid file, a missing JDK or an unwritable data directory are reported as one-line
   * {@link OpenSearchLauncherException}s.
   */
  public LocalOpenSearch start() {
    Optional<LocalOpenSearch> running = findRunning();
    if (running.isPresent()) {
      return running.get();
    }
    checkJavaAndPort();
    prepareBaseDir();
    Path installDir = install();
    Layout layout = prepareLayout(installDir);
    boolean asRoot = isRoot();
    grantDataDirectory(layout, asRoot);
    Process process = launch(installDir, layout, asRoot);
    return awaitHealthy(process, layout);
  }

  /** Where one server keeps its data, logs, configuration and pid file, all under the base dir. */
  private record Layout(Path data, Path logs, Path conf, Path run) {
    Path console() {
      return logs.resolve("console.log");
    }

    Path pidFile() {
      return run.resolve("opensearch.pid");
    }
  }

  /** Refuses early, with what to do, when there is no Java or the port belongs to someone else. */
  private void checkJavaAndPort() {
    Path java = config.javaHome().resolve("bin").resolve("java");
    if (!Files.isExecutable(java)) {
      throw new OpenSearchLauncherException(
          "no Java found at " + java + ": set JAVA_HOME to a JDK 17 or newer");
    }
    if (!portFree(config.port())) {
      throw new OpenSearchLauncherException(
          "port "
              + config.port()
              + " on 127.0.0.1 is busy with another program"
              + " (not Trailmark's OpenSearch); stop it or set TRAILMARK_OPENSEARCH_PORT");
    }
  }

  private void prepareBaseDir() {
    Path base = config.baseDir();
    try {
      dev.trailmark.collector.internal.sink.PrivateFiles.createDirectories(base);
    } catch (IOException e) {
      throw new OpenSearchLauncherException(
          "the OpenSearch data directory " + base + " is not writable: " + e);
    }
    if (!Files.isWritable(base)) {
      throw new OpenSearchLauncherException(
          "the OpenSearch data directory " + base + " is not writable by " + userName());
    }
  }

  /** Creates the server's directories and writes its configuration. */
  private Layout prepareLayout(Path installDir) {
    Path base = config.baseDir();
    Layout layout =
        new Layout(
            base.resolve("data"),
            base.resolve("logs"),
            base.resolve("config"),
            base.resolve("run"));
    try {
      for (Path dir : List.of(layout.data(), layout.logs(), layout.conf(), layout.run())) {
        // Every index is readable from these files: no other account of the machine gets in.
        dev.trailmark.collector.internal.sink.PrivateFiles.createDirectories(dir);
      }
      writeConfig(installDir, layout.conf(), layout.data(), layout.logs());
    } catch (IOException e) {
      throw new OpenSearchLauncherException(
          "the OpenSearch data directory " + base + " is not writable: " + e.getMessage(), e);
    }
    return layout;
  }

  /**
   * OpenSearch refuses to run as root: as root, the files go to the unprivileged user it runs as.
   */
  private void grantDataDirectory(Layout layout, boolean asRoot) {
    if (asRoot) {
      ensureRunAsUser();
      chownRecursive(config.baseDir());
    } else if (!Files.isWritable(layout.data())) {
      throw new OpenSearchLauncherException(
          "the OpenSearch data directory " + layout.data() + " is not writable by " + userName());
    }
  }

  /** Starts the server in its own session, its output appended to the console log. */
  private Process launch(Path installDir, Layout layout, boolean asRoot) {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    if (asRoot) {
      command.addAll(List.of("runuser", "-u", RUN_AS_USER, "--"));
    }
    command.addAll(
        List.of(
            installDir.resolve("bin").resolve("opensearch").toString(),
            "-p",
            layout.pidFile().toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(config.baseDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.console().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put("OPENSEARCH_JAVA_HOME", config.javaHome().toString());
    env.put("OPENSEARCH_PATH_CONF", layout.conf().toString());
    env.put("OPENSEARCH_JAVA_OPTS", "-Xms" + config.heap() + " -Xmx" + config.heap());
    env.remove("JAVA_TOOL_OPTIONS");
    env.remove("JDK_JAVA_OPTIONS");
    try {
      return pb.start();
    } catch (IOException e) {
      throw new OpenSearchLauncherException("could not start OpenSearch: " + e.getMessage(), e);
    }
  }

  /**
   * Waits while the console log shows progress; stops the server and says why when it exits or
   * stalls.
   */
  private LocalOpenSearch awaitHealthy(Process process, Layout layout) {
    Path console = layout.console();
    Path pidFile = layout.pidFile();
    StartWatch watch = new StartWatch(config.startTimeout(), Instant.now());
    while (watch.keepWaiting(Instant.now(), progressOf(console))) {
      if (isHealthy()) {
        return new LocalOpenSearch(baseUri(), readPid(pidFile).orElse(process.pid()), true);
      }
      if (!process.isAlive() && readPid(pidFile).map(p -> !alive(p)).orElse(true)) {
        throw new OpenSearchLauncherException(
            "OpenSearch exited during start-up (exit "
                + process.exitValue()
                + "); last lines of "
                + console
                + ":\n"
                + tail(console));
      }
      sleep(250);
    }
    // The server is a grandchild (setsid, runuser, then the JVM): stop the whole tree, not only the
    // wrapper.
    readPid(pidFile).ifPresent(this::kill);
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    throw new OpenSearchLauncherException(
        "OpenSearch did not become healthy within "
            + config.startTimeout().toSeconds()
            + " s without progress; last lines of "
            + console
            + ":\n"
            + tail(console));
  }

  /**
   * Finds Trailmark's node when one runs: first by its pid file (a stale one, left by a crash, is
   * removed), then by the cluster name it answers with on the port.
   */
  public Optional<LocalOpenSearch> findRunning() {
    Path pidFile = config.baseDir().resolve("run").resolve("opensearch.pid");
    Optional<Long> pid = readPid(pidFile);
    if (pid.isPresent() && !alive(pid.get())) {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException e) {
        throw new OpenSearchLauncherException(
            "stale pid file " + pidFile + " cannot be removed", e);
      }
      pid = Optional.empty();
    }
    Optional<String> cluster = clusterName();
    if (cluster.isPresent()) {
      if (!CLUSTER_NAME.equals(cluster.get())) {
        throw new OpenSearchLauncherException(
            "port "
                + config.port()
                + " is served by OpenSearch cluster '"
                + cluster.get()
                + "', not Trailmark's; stop it or set TRAILMARK_OPENSEARCH_PORT");
      }
      waitHealthy(pid.orElse(-1L));
      return Optional.of(new LocalOpenSearch(baseUri(), pid.orElse(-1L), false));
    }
    if (pid.isPresent()) {
      // Our process runs but does not answer yet: it is still starting.
      waitHealthy(pid.get());
      return Optional.of(new LocalOpenSearch(baseUri(), pid.get(), false));
    }
    return Optional.empty();
  }

  /** Stops the node recorded in the pid file; returns false when none was running. */
  public boolean stop() {
    Path pidFile = config.baseDir().resolve("run").resolve("opensearch.pid");
    Optional<Long> pid = readPid(pidFile);
    if (pid.isEmpty() || !alive(pid.get())) {
      try {
        Files.deleteIfExists(pidFile);
      } catch (IOException ignored) {
        // A pid file we cannot remove is reported as stale at the next start.
      }
      return false;
    }
    kill(pid.get());
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // OpenSearch removes its own pid file on a clean shutdown.
    }
    return true;
  }

  /** Stops the given node if this launcher started it; a reused node is left running. */
  public void stopIfStartedHere(LocalOpenSearch node) {
    if (node.startedHere()) {
      stop();
    }
  }

  private void kill(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            handle -> {
              handle.destroy();
              try {
                handle
                    .onExit()
                    .get(
                        config.stopTimeout().toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
              } catch (Exception e) {
                handle.destroyForcibly();
              }
            });
  }

  private void waitHealthy(long pid) {
    StartWatch watch = new StartWatch(config.startTimeout(), Instant.now());
    while (watch.keepWaiting(
        Instant.now(), progressOf(config.baseDir().resolve("logs/console.log")))) {
      if (isHealthy()) {
        return;
      }
      if (pid > 0 && !alive(pid)) {
        throw new OpenSearchLauncherException(
            "the running OpenSearch (pid "
                + pid
                + ") exited; last lines of "
                + config.baseDir().resolve("logs/console.log")
                + ":\n"
                + tail(config.baseDir().resolve("logs/console.log")));
      }
      sleep(250);
    }
    throw new OpenSearchLauncherException(
        "the running OpenSearch on port "
            + config.port()
            + " did not become healthy within "
            + config.startTimeout().toSeconds()
            + " s without progress");
  }

  /** Unpacks the distribution once; concurrent launchers race safely through an atomic rename. */
  Path install() {
    Path zip = config.distribution();
    if (!Files.isRegularFile(zip)) {
      throw new OpenSearchLauncherException(
          "the OpenSearch distribution "
              + zip
              + " is missing: run 'mvn -q -DskipTests package' (it fetches it) or set TRAILMARK_OPENSEARCH_DIST");
    }
    String name = zip.getFileName().toString().replaceFirst("\\.zip$", "");
    Path target = config.baseDir().resolve(name);
    if (Files.isRegularFile(target.resolve(".unpacked"))) {
      return target;
    }
    Path tmp = config.baseDir().resolve(name + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(config.baseDir());
      deleteRecursive(tmp);
      try (ZipFile zf = new ZipFile(zip.toFile())) {
        Enumeration<? extends ZipEntry> entries = zf.entries();
        while (entries.hasMoreElements()) {
          ZipEntry entry = entries.nextElement();
          // Strip the archive's top folder (opensearch-<version>/).
          String entryName = entry.getName();
          int slash = entryName.indexOf('/');
          String relative = slash < 0 ? "" : entryName.substring(slash + 1);
          if (relative.isEmpty()) {
            continue;
          }
          Path out = tmp.resolve(relative).normalize();
          if (!out.startsWith(tmp)) {
            throw new OpenSearchLauncherException(
                "the OpenSearch distribution "
                    + zip
                    + " holds an entry outside its folder: "
                    + entryName);
          }
          if (entry.isDirectory()) {
            Files.createDirectories(out);
          } else {
            Files.createDirectories(out.getParent());
            try (InputStream in = zf.getInputStream(entry)) {
              Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
            if (relative.startsWith("bin/")) {
              out.toFile().setExecutable(true, false);
            }
          }
        }
      }
      Files.writeString(tmp.resolve(".unpacked"), Instant.now().toString());
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        deleteRecursive(tmp); // another launcher won the race; use its copy
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
      return target;
    } catch (IOException e) {
      throw new OpenSearchLauncherException(
          "cannot unpack OpenSearch into " + config.baseDir() + ": " + e.getMessage(), e);
    }
  }

  private void writeConfig(Path installDir, Path conf, Path data, Path logs) throws IOException {
    for (String file : List.of("jvm.options", "log4j2.properties")) {
      Files.copy(
          installDir.resolve("config").resolve(file),
          conf.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    Files.createDirectories(conf.resolve("jvm.options.d"));
    String yml =
        String.join(
            "\n",
            "# Written by Trailmark's OpenSearchLauncher at every start; edits are overwritten.",
            "cluster.name: " + CLUSTER_NAME,
            "node.name: trailmark-local",
            "network.host: 127.0.0.1",
            "http.port: " + config.port(),
            "transport.port: " + config.transportPort(),
            "discovery.type: single-node",
            "path.data: " + data,
            "path.logs: " + logs,
            // A laptop's disk is often fuller than a server's: never flip indices to read-only.
            "cluster.routing.allocation.disk.threshold_enabled: false",
            // Deleting indices needs their names: no DELETE /* or DELETE /logs-* wipes everything
            // by accident.
            "action.destructive_requires_name: true",
            "");
    Files.writeString(conf.resolve("opensearch.yml"), yml, StandardCharsets.UTF_8);
  }

  /**
   * What changes while a node starts or recovers: its console log grows and its shard counts move.
   * The wait goes on while this changes (a node recovering many shards after a crash takes longer
   * than any fixed timeout).
   */
  private String progressOf(Path console) {
    long size;
    try {
      size = Files.size(console);
    } catch (IOException e) {
      size = -1;
    }
    String shards = "";
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      baseUri()
                          .resolve(
                              "/_cluster/health?filter_path=active_shards,initializing_shards,relocating_shards,unassigned_shards"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      shards = response.body();
    } catch (IOException e) {
      // not answering yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return size + " " + shards;
  }

  private boolean isHealthy() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      baseUri().resolve("/_cluster/health?wait_for_status=yellow&timeout=1s"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          && response.body().contains("\"cluster_name\":\"" + CLUSTER_NAME + "\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenSearchLauncherException("interrupted while waiting for OpenSearch", e);
    }
  }

  /**
   * The cluster name answered on the port, or empty when nothing (or nothing OpenSearch-like)
   * answers.
   */
  private Optional<String> clusterName() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(baseUri().resolve("/"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"cluster_name\"\\s*:\\s*\"([^\"]*)\"")
              .matcher(response.body());
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (ConnectException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Optional<Long> readPid(Path pidFile) {
    try {
      String text = Files.readString(pidFile).trim();
      return text.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the pid names a running OpenSearch: after a crash and a reboot the number may belong to
   * another program, which must not be mistaken for the server (or be stopped as if it were).
   */
  private static boolean alive(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().map(c -> c.contains("org.opensearch")).orElse(true))
        .orElse(false);
  }

  static boolean isRoot() {
    return "root".equals(userName());
  }

  private static String userName() {
    return System.getProperty("user.name", "");
  }

  private void ensureRunAsUser() {
    if (exec(List.of("id", "-u", RUN_AS_USER)) == 0) {
      return;
    }
    int rc =
        exec(
            List.of(
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                RUN_AS_USER));
    if (rc != 0 && exec(List.of("id", "-u", RUN_AS_USER)) != 0) {
      throw new OpenSearchLauncherException(
          "OpenSearch refuses to run as root and the user '"
              + RUN_AS_USER
              + "' could not be created (useradd exit "
              + rc
              + ")");
    }
  }

  private void chownRecursive(Path dir) {
    int rc = exec(List.of("chown", "-R", RUN_AS_USER + ":", dir.toString()));
    if (rc != 0) {
      throw new OpenSearchLauncherException(
          "cannot hand " + dir + " to the user '" + RUN_AS_USER + "' (chown exit " + rc + ")");
    }
  }

  private static int exec(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor();
    } catch (IOException e) {
      return 127;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  static String tail(Path file) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      List<String> all = lines.toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log at " + file + ")";
    }
  }

  private static void deleteRecursive(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenSearchLauncherException("interrupted while waiting for OpenSearch", e);
    }
  }
}
