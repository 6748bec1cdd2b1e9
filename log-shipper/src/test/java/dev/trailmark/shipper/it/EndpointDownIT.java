package dev.trailmark.shipper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.shipper.logback.CloudWatchLogsAppender;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint is down for 60 s while the application keeps logging; once it is back, everything
 * arrives.
 */
@ExtendWith(OpenSearchExtension.class)
class EndpointDownIT {
  static final int OUTAGE_SECONDS = Integer.getInteger("trailmark.outage.seconds", 60);

  @Test
  void nothingIsLostWhileTheEndpointIsDown(OpenSearchInstance os, @TempDir Path state)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // nothing listens here until the collector comes up on it
    }
    LoggerContext ctx =
        Collected.logback(
            CloudWatchLogsAppenderIT.XML,
            Map.of(
                "group",
                "/trailmark/it-outage",
                "endpoint",
                "http://127.0.0.1:" + port,
                "buffer",
                Long.toString(16L * 1024 * 1024)));
    Logger log = ctx.getLogger("com.example.Outage");
    CloudWatchLogsAppender a = (CloudWatchLogsAppender) ctx.getLogger("ROOT").getAppender("cwl");
    int n = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS);
    while (System.nanoTime() < end) {
      for (int i = 0; i < 20; i++) {
        log.info("during outage {}", n++);
      }
      Thread.sleep(200); // the application's own pace: 100 events per second
    }
    assertThat(a.getStats().sent()).isZero();
    assertThat(a.getStats().failedRequests()).isPositive();

    try (LocalCollector collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(port)
            .xrayUdpPort(0)
            .stateDir(state)
            .build()
            .start()) {
      for (int i = 0; i < 100; i++) {
        log.info("after outage {}", i);
      }
      final int total = n + 100;
      // the collector answers 503 while the shared OpenSearch is busy: the appender keeps retrying
      await().atMost(Duration.ofSeconds(180)).until(() -> a.getStats().sent() == total);
      ctx.stop();
      assertThat(a.getStats().dropped()).isZero();
      String pattern = os.indexPrefix() + "logs-trailmark-it-outage-*";
      await().atMost(Duration.ofSeconds(120)).until(() -> Collected.count(os, pattern) == total);
    } finally {
      os.delete("/" + os.indexPrefix() + "*");
    }
  }
}
