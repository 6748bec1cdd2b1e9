package dev.trailmark.collector.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher against real OpenSearch processes on their own ports and folders (never the shared
 * node).
 */
class OpenSearchLauncherIT {

  private Path base;
  private OpenSearchLauncher launcher;

  @BeforeEach
  void setUp() throws IOException {
    // Under /tmp, not the JUnit temp dir: when the tests run as root, the server's user must enter
    // it.
    base = Files.createTempDirectory(Path.of("/tmp"), "trailmark-launcher-it-");
    base.toFile().setExecutable(true, false);
    base.toFile().setReadable(true, false);
  }

  @AfterEach
  void tearDown() {
    if (launcher != null) {
      launcher.stop();
    }
  }

  private OpenSearchLauncherConfig.Builder config(int port) {
    return OpenSearchLauncherConfig.builder()
        .baseDir(base.resolve("os"))
        .port(port)
        .transportPort(freePort())
        .heap("256m");
  }

  @Test
  void startsReusesAndStopsANode() throws Exception {
    int port = freePort();
    launcher = new OpenSearchLauncher(config(port).build());

    LocalOpenSearch first = launcher.start();
    assertThat(first.startedHere()).isTrue();
    assertThat(first.baseUri().toString()).isEqualTo("http://127.0.0.1:" + port);
    String root =
        new String(
            first.baseUri().resolve("/").toURL().openStream().readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(root).contains("\"cluster_name\" : \"trailmark\"");
    assertThat(Files.readString(base.resolve("os/config/opensearch.yml")))
        .contains("network.host: 127.0.0.1");

    if (OpenSearchLauncher.isRoot()) {
      // OpenSearch refuses root: the launcher must have handed it to the unprivileged user.
      Optional<String> user = ProcessHandle.of(first.pid()).flatMap(h -> h.info().user());
      assertThat(user).contains(OpenSearchLauncher.RUN_AS_USER);
    }

    // Indices are deleted by name only, and the data is private to the server's account.
    java.net.http.HttpResponse<String> wipe =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(first.baseUri().resolve("/*"))
                    .DELETE()
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(wipe.statusCode()).as(wipe.body()).isEqualTo(400);
    assertThat(wipe.body()).contains("Wildcard expressions or all indices are not allowed");
    for (String dir : List.of("os", "os/data", "os/logs", "os/config", "os/run")) {
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(base.resolve(dir))))
          .as(dir)
          .isEqualTo("rwx------");
    }
    if (OpenSearchLauncher.isRoot()) {
      Process ls =
          new ProcessBuilder(
                  "runuser", "-u", "nobody", "--", "ls", base.resolve("os/data").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(ls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(ls.waitFor()).as(out).isNotZero();
      assertThat(out).contains("Permission denied");
    }

    LocalOpenSearch second = new OpenSearchLauncher(config(port).build()).start();
    assertThat(second.startedHere()).isFalse();
    assertThat(second.pid()).isEqualTo(first.pid());

    assertThat(launcher.stop()).isTrue();
    assertThat(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(launcher.findRunning()).isEmpty();
    assertThat(launcher.stop()).isFalse();
  }

  @Test
  void aStalePidFileFromACrashIsDetectedAndRemoved() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path pidFile = base.resolve("os/run/opensearch.pid");
    Files.createDirectories(pidFile.getParent());
    Files.writeString(pidFile, Long.toString(gone.pid()));

    launcher = new OpenSearchLauncher(config(freePort()).build());
    assertThat(launcher.findRunning()).isEmpty();
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void aPidFileNamingAnotherProgramIsStaleToo() throws Exception {
    // After a crash and a reboot the recorded number may belong to something else: here, this JVM.
    Path pidFile = base.resolve("os/run/opensearch.pid");
    Files.createDirectories(pidFile.getParent());
    Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));

    launcher = new OpenSearchLauncher(config(freePort()).build());
    assertThat(launcher.findRunning()).isEmpty();
    assertThat(pidFile).doesNotExist();
    Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
    assertThat(launcher.stop()).isFalse(); // and this JVM was not sent a SIGTERM
    assertThat(pidFile).doesNotExist();
  }

  @Test
  void aBusyPortIsAOneLineError() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      launcher = new OpenSearchLauncher(config(busy.getLocalPort()).build());
      assertThatThrownBy(launcher::start)
          .isInstanceOf(OpenSearchLauncherException.class)
          .hasMessageContaining("port " + busy.getLocalPort())
          .hasMessageContaining("busy");
    }
  }

  @Test
  void anotherClusterOnThePortIsRefusedNotReused() throws Exception {
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    other.createContext(
        "/",
        exchange -> {
          byte[] body =
              "{\"name\":\"x\",\"cluster_name\":\"someone-else\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    other.start();
    try {
      launcher = new OpenSearchLauncher(config(other.getAddress().getPort()).build());
      assertThatThrownBy(launcher::start)
          .isInstanceOf(OpenSearchLauncherException.class)
          .hasMessageContaining("someone-else");
    } finally {
      other.stop(0);
    }
  }

  @Test
  void noJavaIsAOneLineError() {
    launcher = new OpenSearchLauncher(config(freePort()).javaHome(base.resolve("no-jdk")).build());
    assertThatThrownBy(launcher::start)
        .isInstanceOf(OpenSearchLauncherException.class)
        .hasMessageContaining("no Java found at " + base.resolve("no-jdk/bin/java"));
  }

  @Test
  void anUnwritableDataDirectoryIsAOneLineError() throws Exception {
    Path file = Files.writeString(base.resolve("a-file"), "not a folder");
    launcher = new OpenSearchLauncher(config(freePort()).baseDir(file.resolve("os")).build());
    assertThatThrownBy(launcher::start)
        .isInstanceOf(OpenSearchLauncherException.class)
        .hasMessageContaining("not writable");
  }

  @Test
  void aMissingDistributionSaysHowToGetIt() {
    launcher =
        new OpenSearchLauncher(config(freePort()).distribution(base.resolve("nope.zip")).build());
    assertThatThrownBy(launcher::start)
        .isInstanceOf(OpenSearchLauncherException.class)
        .hasMessageContaining("nope.zip is missing");
  }

  @Test
  void aStartupTimeoutShowsTheLastLinesOfTheServerLog() {
    launcher =
        new OpenSearchLauncher(config(freePort()).startTimeout(Duration.ofMillis(300)).build());
    assertThatThrownBy(launcher::start)
        .isInstanceOf(OpenSearchLauncherException.class)
        .hasMessageContaining("did not become healthy within 0 s")
        .hasMessageContaining("console.log");
    // Nothing of the half-started server is left running.
    String home = base.toString();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                ProcessHandle.allProcesses()
                    .noneMatch(
                        p -> p.info().commandLine().map(c -> c.contains(home)).orElse(false)));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
