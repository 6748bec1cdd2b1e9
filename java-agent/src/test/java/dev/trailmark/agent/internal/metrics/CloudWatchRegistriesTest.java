package dev.trailmark.agent.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.agent.internal.config.AgentConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

class CloudWatchRegistriesTest {

  private static final ThreadFactory DAEMONS =
      task -> {
        Thread thread = new Thread(task, "test-metrics");
        thread.setDaemon(true);
        return thread;
      };

  @Test
  void pastSixteenRequestsInFlightAPublishIsRefusedNotQueued() throws Exception {
    // An endpoint that accepts connections and never answers: every request stays in flight.
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          DAEMONS.newThread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept());
                  }
                } catch (Exception closed) {
                  // the test is over
                }
              });
      acceptor.start();
      AgentConfig config =
          AgentConfig.from(
              Map.of(
                  "TRAILMARK_METRICS_EXPORTER",
                  "collector",
                  "TRAILMARK_METRICS_ENDPOINT",
                  "http://127.0.0.1:" + silent.getLocalPort()),
              new Properties());
      CloudWatchRegistries.BackgroundClient client =
          new CloudWatchRegistries.BackgroundClient(config, "collector", DAEMONS);
      try {
        PutMetricDataRequest request = PutMetricDataRequest.builder().namespace("Test").build();
        for (int i = 0; i < CloudWatchRegistries.BackgroundClient.MAX_IN_FLIGHT; i++) {
          assertThat(client.putMetricData(request))
              .as("accepted at once, sent in the background")
              .isDone()
              .isNotCompletedExceptionally();
        }
        CompletableFuture<PutMetricDataResponse> refused = client.putMetricData(request);

        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::get)
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(IllegalStateException.class)
            .hasMessageContaining("in flight");
        long start = System.nanoTime();
        client.awaitSent(300); // what the shutdown hook does: waits, but never past its bound
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
      } finally {
        client.close();
        for (Socket socket : accepted) {
          socket.close();
        }
      }
    }
  }
}
