package dev.trailmark.bench.shipper;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real stack both appenders ship to: a local OpenSearch and the local collector, the collector
 * in its own JVM (as in production, so its work and garbage do not count against the application),
 * plus the Logback configurations of the contenders.
 */
final class BenchStack implements AutoCloseable {
  final OpenSearchLauncher launcher =
      new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
  final LocalOpenSearch node;
  final Process collector;
  final URI endpoint;
  final String prefix = "bench-shipper-" + Long.toHexString(System.nanoTime()) + "-";
  private final HttpClient http = HttpClient.newHttpClient();

  BenchStack() throws Exception {
    node = launcher.start();
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path state = Files.createTempDirectory("bench-shipper-collector");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    collector =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.trailmark.collector.local.LocalCollectorMain",
                "--port",
                Integer.toString(port),
                "--xray-port",
                "0",
                "--opensearch",
                node.baseUri().toString(),
                "--state-dir",
                state.toString(),
                "--index-prefix",
                prefix)
            .redirectErrorStream(true)
            .redirectOutput(state.resolve("collector.log").toFile())
            .start();
    endpoint = URI.create("http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(endpoint.resolve("/_trailmark/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          break;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      if (!collector.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "local collector did not start; see " + state.resolve("collector.log"));
      }
      Thread.sleep(200);
    }
  }

  URI endpoint() {
    return endpoint;
  }

  /** Documents indexed for a log group (after a refresh). */
  long count(String dataset) throws Exception {
    String pattern = prefix + "logs-" + dataset + "-*";
    send("POST", "/" + pattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true");
    String body =
        send("GET", "/" + pattern + "/_count?ignore_unavailable=true&allow_no_indices=true");
    Matcher m = Pattern.compile("\"count\"\\s*:\\s*(\\d+)").matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Waits until the count stops growing for {@code quietMillis} (or reaches {@code expected}). */
  long settle(String dataset, long expected, long quietMillis) throws Exception {
    long last = -1;
    long since = System.currentTimeMillis();
    while (true) {
      long n = count(dataset);
      if (n >= expected) {
        return n;
      }
      if (n != last) {
        last = n;
        since = System.currentTimeMillis();
      } else if (System.currentTimeMillis() - since > quietMillis) {
        return n;
      }
      Thread.sleep(500);
    }
  }

  private String send(String method, String path) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(node.baseUri().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Override
  public void close() throws Exception {
    collector.destroy();
    collector.waitFor();
    // By name: the launcher starts OpenSearch with action.destructive_requires_name.
    String names =
        send("GET", "/_cat/indices/" + prefix + "*?h=index&expand_wildcards=all")
            .trim()
            .replaceAll("\\s+", ",");
    if (!names.isEmpty()) {
      send("DELETE", "/" + names + "?ignore_unavailable=true");
    }
    launcher.stopIfStartedHere(node);
  }

  static final String TRAILMARK =
      """
      <configuration>
        <appender name="ship" class="dev.trailmark.shipper.logback.CloudWatchLogsAppender">
          <logGroupName>${group}</logGroupName>
          <endpoint>${endpoint}</endpoint>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <overflowPolicy>${policy}</overflowPolicy>
          <maxBufferBytes>${buffer}</maxBufferBytes>
          ${spool}
          <shutdownTimeoutMillis>600000</shutdownTimeoutMillis>
        </appender>
        <root level="INFO"><appender-ref ref="ship"/></root>
      </configuration>
      """;

  /**
   * FirehoseAppender into the collector's default delivery stream (documents land in
   * logs-access-*).
   */
  static final String FIREHOSE =
      """
      <configuration>
        <appender name="ship" class="dev.trailmark.shipper.logback.FirehoseAppender">
          <deliveryStreamName>trailmark-access-logs</deliveryStreamName>
          <endpoint>${endpoint}</endpoint>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <overflowPolicy>block</overflowPolicy>
          <maxBufferBytes>67108864</maxBufferBytes>
          <shutdownTimeoutMillis>600000</shutdownTimeoutMillis>
        </appender>
        <root level="INFO"><appender-ref ref="ship"/></root>
      </configuration>
      """;

  /**
   * ca.pjer 1.6.0 in its asynchronous mode (maxFlushTimeMillis > 0; 0 would be synchronous, one
   * request per event); maxBlockTimeMillis 0 never blocks the application and drops when its queue
   * is full.
   */
  static final String AWSLOGS =
      """
      <configuration>
        <appender name="ship" class="ca.pjer.logback.AwsLogsAppender">
          <logGroupName>${group}</logGroupName>
          <logStreamName>bench</logStreamName>
          <logRegion>us-east-1</logRegion>
          <cloudWatchEndpoint>${endpoint}</cloudWatchEndpoint>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <maxFlushTimeMillis>${flush}</maxFlushTimeMillis>
          <maxBlockTimeMillis>${block}</maxBlockTimeMillis>
          <layout class="ch.qos.logback.classic.PatternLayout"><pattern>%d %-5level %logger - %msg%n</pattern></layout>
        </appender>
        <root level="INFO"><appender-ref ref="ship"/></root>
      </configuration>
      """;

  static final String NOP =
      """
      <configuration>
        <appender name="ship" class="ch.qos.logback.core.helpers.NOPAppender"/>
        <root level="INFO"><appender-ref ref="ship"/></root>
      </configuration>
      """;

  /**
   * The Logback configuration of one contender: trailmark, trailmark-spool, trailmark-firehose,
   * awslogs, awslogs-sync or nop.
   */
  static LoggerContext logback(String kind, String endpoint, String group, Path spoolDir)
      throws Exception {
    String xml =
        switch (kind) {
          case "trailmark" ->
              fill(TRAILMARK, Map.of("policy", "block", "buffer", "67108864", "spool", ""));
          case "trailmark-spool" ->
              fill(
                  TRAILMARK,
                  Map.of(
                      "policy",
                      "block",
                      "buffer",
                      "67108864",
                      "spool",
                      "<spoolDir>"
                          + spoolDir
                          + "</spoolDir><spoolMaxBytes>1073741824</spoolMaxBytes>"));
          case "trailmark-firehose" -> FIREHOSE;
          case "awslogs" -> fill(AWSLOGS, Map.of("flush", "1000", "block", "0"));
          case "awslogs-sync" -> fill(AWSLOGS, Map.of("flush", "0", "block", "0"));
          case "nop" -> NOP;
          default -> throw new IllegalArgumentException("unknown appender " + kind);
        };
    xml = fill(xml, Map.of("group", group, "endpoint", endpoint));
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(
        new ch.qos.logback.classic.util.LogbackMDCAdapter()); // what the SLF4J binding does
    JoranConfigurator c = new JoranConfigurator();
    c.setContext(ctx);
    c.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    ctx.start();
    return ctx;
  }

  private static String fill(String s, Map<String, String> vars) {
    for (Map.Entry<String, String> v : vars.entrySet()) {
      s = s.replace("${" + v.getKey() + "}", v.getValue());
    }
    return s;
  }
}
