package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * Clients that trickle their request (headers or body, a byte now and then) neither starve signed
 * requests nor the status endpoint, and are cut off after the read timeout.
 */
@ExtendWith(OpenSearchExtension.class)
class SlowConnectionsIT {

  @TempDir Path state;

  @Test
  void tricklingClientsDoNotStarveTheOthersAndAreCutOff(OpenSearchInstance os) throws Exception {
    try (LocalCollector collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(-1)
            .stateDir(state)
            .threads(4)
            .requestReadTimeout(Duration.ofSeconds(4))
            .build()
            .start()) {
      URI endpoint = collector.httpEndpoint();
      List<Socket> tricklers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
        OutputStream out = s.getOutputStream();
        // Half of them send complete headers and then a body one byte at a time; half never finish
        // the headers.
        out.write(
            (i % 2 == 0
                    ? "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\nContent-Length: 100000\r\n\r\n{"
                    : "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Ta")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        tricklers.add(s);
      }
      Thread drip =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Thread.sleep(500);
                    for (Socket s : tricklers) {
                      s.getOutputStream().write(' ');
                    }
                  }
                } catch (Exception e) {
                  // cut off by the collector: that is the point
                }
              });
      drip.setDaemon(true);
      drip.start();
      Thread.sleep(500); // every trickler now holds a connection

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> status =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve("/_trailmark/status"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);
      try (CloudWatchLogsClient logs = Clients.logs(endpoint)) {
        logs.createLogGroup(
            b -> b.logGroupName("/it/slow")); // signed, answered while the tricklers trickle
      }

      // Each trickler is cut off once the read timeout has passed.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> tricklers.stream().allMatch(SlowConnectionsIT::closedByPeer));
      assertThat(collector.status().path("slowConnectionsClosed").asLong()).isEqualTo(8);
      for (Socket s : tricklers) {
        s.close();
      }
    }
  }

  private static boolean closedByPeer(Socket s) {
    try {
      s.setSoTimeout(50);
      InputStream in = s.getInputStream();
      return in.read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.io.IOException e) {
      return true; // reset
    }
  }
}
