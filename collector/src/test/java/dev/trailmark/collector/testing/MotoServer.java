package dev.trailmark.collector.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code moto_server} process (moto 5.2.1, the AWS emulator) on a free loopback port, started by
 * a test and stopped after it; its output goes to {@code target/moto-<port>.log}. When moto is not
 * installed the test fails saying how to install it: a missing emulator is not a passing test.
 */
public final class MotoServer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts moto_server and waits until it answers. */
  public static MotoServer start() throws IOException, InterruptedException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path log = Path.of("target", "moto-" + port + ".log");
    Files.createDirectories(log.getParent());
    Process process;
    try {
      process =
          new ProcessBuilder(List.of("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port)))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "moto_server is not on the PATH ("
              + e.getMessage()
              + "); install it with "
              + "`pip install 'moto[server]==5.2.1'` (.ci/run checks for it)",
          e);
    }
    MotoServer server = new MotoServer(process, port, log);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "moto_server exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server.endpoint() + "/moto-api/"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() < 500) {
          return server;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    server.close();
    throw new IllegalStateException(
        "moto_server did not answer on port " + port + " within " + START_TIMEOUT);
  }

  /** The base URL every service client is pointed at. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Where the server writes its request log. */
  public Path log() {
    return log;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
