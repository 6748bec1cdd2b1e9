package dev.trailmark.dashboards.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the console's HTTP side answers to requests a page never sends, and when OpenSearch is not
 * there.
 */
@ExtendWith(OpenSearchExtension.class)
class ConsoleServerIT {

  @Test
  void refusesWritesForeignHostsBadInputAndPathsOutsideThePage(OpenSearchInstance os)
      throws Exception {
    try (Console console =
        Console.builder().openSearch(os.baseUri()).indexPrefix(os.indexPrefix()).port(0).start()) {
      int port = console.url().getPort();
      assertThat(
              raw(port, "POST /api/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"))
          .startsWith("HTTP/1.1 405")
          .contains("read-only");
      assertThat(raw(port, "GET /api/status HTTP/1.1\r\nHost: attacker.example\r\n\r\n"))
          .startsWith("HTTP/1.1 421");
      assertThat(raw(port, "GET /api/trace?id=1-xyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 400")
          .contains("X-Ray form");
      assertThat(raw(port, "GET /api/logs?size=100000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 400")
          .contains("between 1 and 500");
      assertThat(raw(port, "GET /api/logs?after=forged HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 400")
          .contains("cursor");
      assertThat(raw(port, "GET /../pom.xml HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 404");
      assertThat(raw(port, "GET /api/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 404");
      // and it keeps serving
      assertThat(raw(port, "GET /api/logs?from=now-5m HTTP/1.1\r\nHost: localhost\r\n\r\n"))
          .startsWith("HTTP/1.1 200")
          .contains("\"total\":0");
      assertThat(raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("content-security-policy: default-src 'self'");
    }
  }

  @Test
  void anUnreachableOpenSearchIsA503ThatSaysSo() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    try (Console console =
        Console.builder()
            .openSearch(URI.create("http://127.0.0.1:" + dead))
            .port(0)
            .queryTimeout(Duration.ofSeconds(5))
            .start()) {
      assertThat(
              raw(console.url().getPort(), "GET /api/services HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
          .startsWith("HTTP/1.1 503")
          .contains("unreachable")
          .contains(String.valueOf(dead));
    }
  }

  /** A request written by hand: the JDK's client will not send a foreign Host header. */
  private static String raw(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(
          request
              .replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
