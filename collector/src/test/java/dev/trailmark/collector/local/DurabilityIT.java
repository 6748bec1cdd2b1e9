package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.trailmark.collector.testing.ForkedJvm;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * Nothing acknowledged is lost: OpenSearch going away, stalling, or the collector being killed only
 * ever turns into retryable errors for clients, and every acknowledged event ends up searchable
 * exactly once.
 */
@ExtendWith(OpenSearchExtension.class)
class DurabilityIT {

  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance) {
    os = instance;
  }

  /** A client that does not retry, so the test sees each retryable error itself. */
  static CloudWatchLogsClient noRetryClient(URI endpoint) {
    return CloudWatchLogsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(Clients.credentials(LocalCollector.DEFAULT_SECRET_ACCESS_KEY))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.doNotRetry())
                .build())
        .build();
  }

  static void createGroup(CloudWatchLogsClient logs, String group) {
    logs.createLogGroup(r -> r.logGroupName(group));
    logs.createLogStream(r -> r.logGroupName(group).logStreamName("s"));
  }

  /**
   * Puts one event until acknowledged, retrying retryable errors and adding each to {@code errors}.
   */
  static void putUntilAcknowledged(
      CloudWatchLogsClient logs, String group, String message, List<String> errors)
      throws InterruptedException {
    // bounded: a collector that never acknowledges again fails the test instead of hanging the
    // build
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "not acknowledged within 120 s after "
                + errors.size()
                + " retryable errors: "
                + message);
      }
      try {
        logs.putLogEvents(
            r ->
                r.logGroupName(group)
                    .logStreamName("s")
                    .logEvents(
                        InputLogEvent.builder()
                            .timestamp(System.currentTimeMillis())
                            .message(message)
                            .build()));
        return;
      } catch (CloudWatchLogsException e) {
        assertThat(e.statusCode() == 503 || e.isThrottlingException())
            .as("error must be retryable: %s", e.awsErrorDetails())
            .isTrue();
        errors.add(e.awsErrorDetails().errorCode());
        Thread.sleep(50);
      }
    }
  }

  @Test
  void unreachableOpenSearchIsServiceUnavailable(@TempDir Path state) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (LocalCollector collector =
            LocalCollector.builder()
                .openSearch(URI.create("http://127.0.0.1:" + closedPort))
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(0)
                .stateDir(state)
                .build()
                .start();
        CloudWatchLogsClient logs = noRetryClient(collector.httpEndpoint())) {
      createGroup(logs, "unreachable");
      try {
        logs.putLogEvents(
            r ->
                r.logGroupName("unreachable")
                    .logStreamName("s")
                    .logEvents(
                        InputLogEvent.builder()
                            .timestamp(System.currentTimeMillis())
                            .message("m")
                            .build()));
        throw new AssertionError("accepted although OpenSearch is unreachable");
      } catch (CloudWatchLogsException e) {
        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailableException");
      }
      assertThat(collector.status().path("openSearchAvailable").asBoolean()).isFalse();
      assertThat(
              collector
                  .status()
                  .path("rejectedByReason")
                  .path("ServiceUnavailableException")
                  .asLong())
          .isOne();
    }
  }

  @Test
  void openSearchStoppedMidStreamLosesNothingAcknowledged(@TempDir Path state) throws Exception {
    try (TogglingProxy proxy = new TogglingProxy(os.baseUri());
        LocalCollector collector =
            LocalCollector.builder()
                .openSearch(proxy.uri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(0)
                .stateDir(state)
                .build()
                .start();
        CloudWatchLogsClient logs = noRetryClient(collector.httpEndpoint())) {
      createGroup(logs, "midstream");
      AtomicInteger acknowledged = new AtomicInteger();
      List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> stream =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; !stop.get() || i < 300; i++) {
                    putUntilAcknowledged(logs, "midstream", "event-" + i, errors);
                    acknowledged.incrementAndGet();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(90))
          .until(() -> acknowledged.get() >= 50);
      proxy.down();
      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(90))
          .until(() -> errors.contains("ServiceUnavailableException"));
      proxy.up();
      stop.set(true);
      stream.get(120, TimeUnit.SECONDS);

      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(60))
          .until(() -> collector.backlogBytes() == 0);
      assertThat(os.count(os.indexPrefix() + "logs-midstream-*")).isEqualTo(acknowledged.get());
      assertThat(errors).containsOnly("ServiceUnavailableException");
    }
  }

  @Test
  void slowOpenSearchThrottlesAtTheBacklogBound(@TempDir Path state) throws Exception {
    try (TogglingProxy proxy = new TogglingProxy(os.baseUri());
        LocalCollector collector =
            LocalCollector.builder()
                .openSearch(proxy.uri())
                .indexPrefix(os.indexPrefix())
                .httpPort(0)
                .xrayUdpPort(0)
                .stateDir(state)
                .maxBacklogBytes(20_000)
                .build()
                .start();
        CloudWatchLogsClient logs = noRetryClient(collector.httpEndpoint())) {
      createGroup(logs, "slow");
      proxy.pause();
      int acknowledged = 0;
      String throttled = null;
      String payload = "x".repeat(1_000);
      while (throttled == null) {
        try {
          logs.putLogEvents(
              r ->
                  r.logGroupName("slow")
                      .logStreamName("s")
                      .logEvents(
                          InputLogEvent.builder()
                              .timestamp(System.currentTimeMillis())
                              .message(payload)
                              .build()));
          acknowledged++;
        } catch (CloudWatchLogsException e) {
          throttled = e.awsErrorDetails().errorCode();
          assertThat(e.isThrottlingException()).isTrue();
        }
      }
      assertThat(throttled).isEqualTo("ThrottlingException");
      assertThat(acknowledged).isBetween(5, 25);
      assertThat(collector.backlogBytes()).isLessThanOrEqualTo(20_000);
      proxy.up();
      int expected = acknowledged;
      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(60))
          .until(() -> os.count(os.indexPrefix() + "logs-slow-*") == expected);
    }
  }

  @Test
  void aKilledCollectorReplaysItsWriteAheadLogOnRestart(@TempDir Path state) throws Exception {
    int events = 200;
    try (TogglingProxy proxy = new TogglingProxy(os.baseUri())) {
      // A real collector process, writing to an OpenSearch that stalls: acknowledged events sit in
      // its WAL.
      Process process =
          ForkedJvm.start(
              null,
              LocalCollectorMain.class,
              "--port",
              "0",
              "--xray-port",
              "0",
              "--opensearch",
              proxy.uri().toString(),
              "--index-prefix",
              os.indexPrefix(),
              "--state-dir",
              state.toString());
      try {
        URI endpoint = endpointOf(process);
        proxy.pause();
        try (CloudWatchLogsClient logs = noRetryClient(endpoint)) {
          createGroup(logs, "killed");
          for (int i = 0; i < events; i += 20) {
            List<InputLogEvent> batch = new ArrayList<>();
            for (int j = i; j < i + 20; j++) {
              batch.add(
                  InputLogEvent.builder()
                      .timestamp(System.currentTimeMillis())
                      .message("event-" + j)
                      .build());
            }
            logs.putLogEvents(r -> r.logGroupName("killed").logStreamName("s").logEvents(batch));
          }
        }
      } finally {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(os.count(os.indexPrefix() + "logs-killed-*")).isZero();
    try (LocalCollector restarted =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state)
            .build()
            .start()) {
      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(60))
          .until(() -> restarted.backlogBytes() == 0);
      assertThat(os.count(os.indexPrefix() + "logs-killed-*")).isEqualTo(events);
      // The log group survived the kill too.
      try (CloudWatchLogsClient logs = Clients.logs(restarted.httpEndpoint())) {
        assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix("killed")).logGroups())
            .hasSize(1);
      }
    }
  }

  @Test
  void aRefusedIndexTemplateIsAWarningNotAnOutage(@TempDir Path state) throws Exception {
    String prefix = os.indexPrefix() + "clash-";
    // Someone else's template with the same patterns and priority: OpenSearch refuses ours.
    os.put(
        "/_index_template/" + os.indexPrefix() + "foreign",
        "{\"index_patterns\":[\""
            + prefix
            + "logs-*\"],"
            + "\"priority\":"
            + (100 + prefix.length())
            + "}");
    try (LocalCollector collector =
            LocalCollector.builder()
                .openSearch(os.baseUri())
                .indexPrefix(prefix)
                .httpPort(0)
                .xrayUdpPort(-1)
                .stateDir(state)
                .build()
                .start();
        CloudWatchLogsClient logs = noRetryClient(collector.httpEndpoint())) {
      createGroup(logs, "clash");
      logs.putLogEvents(
          r ->
              r.logGroupName("clash")
                  .logStreamName("s")
                  .logEvents(
                      InputLogEvent.builder()
                          .timestamp(System.currentTimeMillis())
                          .message("still indexed")
                          .build()));
      await()
          .ignoreExceptions()
          .atMost(Duration.ofSeconds(90))
          .until(() -> os.count(prefix + "logs-clash-*") == 1);
      assertThat(collector.status().path("openSearchAvailable").asBoolean()).isTrue();
    }
  }

  @Test
  void aFailedStartReleasesTheStateDirectory(@TempDir Path state) throws Exception {
    try (ServerSocket busy = new ServerSocket(0)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  LocalCollector.builder()
                      .openSearch(os.baseUri())
                      .indexPrefix(os.indexPrefix())
                      .httpPort(busy.getLocalPort())
                      .xrayUdpPort(-1)
                      .stateDir(state)
                      .build()
                      .start())
          .isInstanceOf(java.net.BindException.class);
    }
    try (LocalCollector second =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(-1)
            .stateDir(state)
            .build()
            .start()) {
      assertThat(second.httpEndpoint().getPort()).isPositive();
    }
  }

  private static URI endpointOf(Process process) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listening on (http://\\S+)");
    CompletableFuture<URI> uri =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  Matcher m = listening.matcher(line);
                  if (m.find()) {
                    URI found = URI.create(m.group(1));
                    Thread drain =
                        new Thread(
                            () -> {
                              try {
                                while (out.readLine() != null) {
                                  // keep the pipe empty
                                }
                              } catch (java.io.IOException ignored) {
                                // process gone
                              }
                            });
                    drain.setDaemon(true);
                    drain.start();
                    return found;
                  }
                }
                throw new IllegalStateException("collector process exited before listening");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    return uri.get(60, TimeUnit.SECONDS);
  }
}
