package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lambda functions on the real AWS Lambda Java runtime interface client, forked with the agent in
 * {@code JAVA_TOOL_OPTIONS} as a function configures it, against the Runtime API on loopback: each
 * invocation is a segment under that invocation's {@code Lambda-Runtime-Trace-Id}, the first one
 * marked as the cold start, exported before the invocation's response (the process is frozen from
 * the moment the response arrives).
 */
class LambdaIT {

  @TempDir Path dir;

  @Test
  void apiGatewayInvocationsAreSegmentsOfTheFacadeTraceWithTheirRouteAndStatus() throws Exception {
    String first = UdpDaemon.traceRoot("a1a2a3a4a5a6a7a8a9aaabac");
    String second = UdpDaemon.traceRoot("b1b2b3b4b5b6b7b8b9babbbc");
    try (FakeLambdaRuntime runtime = new FakeLambdaRuntime();
        UdpDaemon daemon = new UdpDaemon()) {
      runtime.add(sampled("req-1", first, "1000000000000001", apiGatewayEvent("/orders/42", "42")));
      runtime.add(
          sampled(
              "req-2", second, "2000000000000002", apiGatewayEvent("/orders/missing", "missing")));
      try (ForkedApp function = start(runtime, daemon, "LambdaHandlers$ApiGateway", "api")) {
        List<FakeLambdaRuntime.Report> reports = reports(runtime, function, 2);
        assertThat(reports)
            .as("%s", function.output())
            .extracting(FakeLambdaRuntime.Report::kind)
            .containsOnly("response");
        assertThat(reports.get(0).body()).contains("\"statusCode\":200");
        assertThat(reports)
            .as("spans exported before each response: none arrived while the process was frozen")
            .allMatch(FakeLambdaRuntime.Report::spansSentBefore);

        JsonNode cold = only(daemon, first);
        assertThat(cold.get("name").asText()).isEqualTo("orders-fn");
        assertThat(cold.get("parent_id").asText()).isEqualTo("1000000000000001");
        assertThat(cold.at("/annotations/faas_coldstart").asBoolean()).isTrue();
        assertThat(cold.at("/annotations/http_route").asText()).isEqualTo("/orders/{id}");
        assertThat(cold.at("/http/request/method").asText()).isEqualTo("GET");
        assertThat(cold.at("/http/response/status").asInt()).isEqualTo(200);

        JsonNode warm = only(daemon, second);
        assertThat(warm.get("parent_id").asText()).isEqualTo("2000000000000002");
        assertThat(warm.at("/annotations/faas_coldstart").isBoolean()).isTrue();
        assertThat(warm.at("/annotations/faas_coldstart").asBoolean()).isFalse();
        assertThat(warm.at("/http/response/status").asInt()).isEqualTo(404);
        assertThat(warm.get("error").asBoolean()).isTrue();
        assertThat(function.output()).doesNotContain("[trailmark-agent]");
      }
    }
  }

  @Test
  void streamHandlerInvocationsAreSegmentsAndAFailureIsTheirFault() throws Exception {
    String ok = UdpDaemon.traceRoot("c1c2c3c4c5c6c7c8c9cacbcc");
    String failing = UdpDaemon.traceRoot("d1d2d3d4d5d6d7d8d9dadbdc");
    try (FakeLambdaRuntime runtime = new FakeLambdaRuntime();
        UdpDaemon daemon = new UdpDaemon()) {
      runtime.add(sampled("req-1", ok, "3000000000000003", "\"hello\""));
      runtime.add(sampled("req-2", failing, "4000000000000004", "\"boom\""));
      try (ForkedApp function = start(runtime, daemon, "LambdaHandlers$Stream", "stream")) {
        List<FakeLambdaRuntime.Report> reports = reports(runtime, function, 2);
        assertThat(reports)
            .as("%s", function.output())
            .extracting(FakeLambdaRuntime.Report::kind)
            .containsExactly("response", "error");
        assertThat(reports.get(0).body()).isEqualTo("\"HELLO\"");
        assertThat(reports).allMatch(FakeLambdaRuntime.Report::spansSentBefore);

        JsonNode answered = only(daemon, ok);
        assertThat(answered.get("parent_id").asText()).isEqualTo("3000000000000003");
        assertThat(answered.at("/annotations/faas_coldstart").asBoolean()).isTrue();
        assertThat(answered.has("http")).isFalse();
        assertThat(answered.has("fault")).isFalse();

        JsonNode failed = only(daemon, failing);
        assertThat(failed.get("parent_id").asText()).isEqualTo("4000000000000004");
        assertThat(failed.at("/annotations/faas_coldstart").asBoolean()).isFalse();
        assertThat(failed.get("fault").asBoolean()).isTrue();
        assertThat(failed.at("/cause/exceptions/0/type").asText())
            .isEqualTo("java.lang.IllegalStateException");
        assertThat(failed.at("/cause/exceptions/0/message").asText()).isEqualTo("boom requested");
      }
    }
  }

  @Test
  void anSqsInvocationIsASegmentOfItsQueueWithTheHandlersCallsInside() throws Exception {
    String batch = UdpDaemon.traceRoot("e1e2e3e4e5e6e7e8e9eaebec");
    try (FakeLambdaRuntime runtime = new FakeLambdaRuntime();
        UdpDaemon daemon = new UdpDaemon()) {
      runtime.add(sampled("req-1", batch, "5000000000000005", sqsEvent("m-1", "m-2")));
      try (ForkedApp function = start(runtime, daemon, "LambdaHandlers$Sqs", "sqs")) {
        List<FakeLambdaRuntime.Report> reports = reports(runtime, function, 1);
        assertThat(reports.get(0).kind()).as("%s", function.output()).isEqualTo("response");
        assertThat(reports.get(0).spansSentBefore()).isTrue();

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> daemon.documentsOfTrace(batch).size() >= 3);
        List<JsonNode> trace = daemon.documentsOfTrace(batch);
        JsonNode invocation = trace.stream().filter(d -> !d.has("type")).findFirst().orElseThrow();
        assertThat(invocation.get("parent_id").asText()).isEqualTo("5000000000000005");
        assertThat(invocation.at("/aws/queue_url").asText())
            .isEqualTo("https://sqs.us-east-1.amazonaws.com/123456789012/orders-queue");
        assertThat(invocation.at("/annotations/faas_coldstart").asBoolean()).isTrue();
        List<JsonNode> calls =
            trace.stream().filter(d -> d.has("type")).collect(Collectors.toList());
        assertThat(calls)
            .hasSize(2)
            .allSatisfy(
                c ->
                    assertThat(c.get("parent_id").asText())
                        .isEqualTo(invocation.get("id").asText()));
        assertThat(runtime.echoes())
            .hasSize(2)
            .allSatisfy(h -> assertThat(h).startsWith("Root=" + batch + ";Parent="));
      }
    }
  }

  private ForkedApp start(FakeLambdaRuntime runtime, UdpDaemon daemon, String handler, String name)
      throws Exception {
    ForkedApp function =
        ForkedApp.builder("com.amazonaws.services.lambda.runtime.api.client.AWSLambda")
            .withoutAgent()
            .classpath(functionClasspath())
            .arg("dev.trailmark.agent.testapp." + handler + "::handleRequest")
            .env(
                "JAVA_TOOL_OPTIONS",
                "-javaagent:" + new File(ForkedApp.AGENT_JAR).getAbsolutePath())
            .env("AWS_LAMBDA_RUNTIME_API", runtime.address())
            .env("AWS_LAMBDA_FUNCTION_NAME", "orders-fn")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/orders-fn")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "stream")
            .env("AWS_REGION", "us-east-1")
            .env("LAMBDA_TASK_ROOT", dir.toString())
            .env("APP_ECHO_URL", "http://" + runtime.address() + "/echo/")
            .env("OTEL_SERVICE_NAME", "orders-fn")
            .env("AWS_XRAY_DAEMON_ADDRESS", daemon.address())
            .start(dir, name);
    runtime.freezeOnReport(
        function.pid(),
        invocation ->
            !daemon.documentsOfTrace(invocation.traceHeader().substring(5, 40)).isEmpty());
    return function;
  }

  /** The runtime interface client and its libraries (target/lambda-runtime), and the handlers. */
  private static String functionClasspath() {
    String testClasses =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> e.replace('\\', '/').endsWith("target/test-classes"))
            .findFirst()
            .orElseThrow();
    return testClasses + File.pathSeparator + new File("target/lambda-runtime/*").getAbsolutePath();
  }

  private static List<FakeLambdaRuntime.Report> reports(
      FakeLambdaRuntime runtime, ForkedApp function, int count) {
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> runtime.reports().size() >= count);
    } catch (RuntimeException e) {
      throw new AssertionError("no reports; function output:\n" + function.output(), e);
    }
    return runtime.reports();
  }

  private static JsonNode only(UdpDaemon daemon, String root) {
    await().atMost(Duration.ofSeconds(10)).until(() -> !daemon.documentsOfTrace(root).isEmpty());
    List<JsonNode> documents = daemon.documentsOfTrace(root);
    assertThat(documents).as("one segment per invocation").hasSize(1);
    return documents.get(0);
  }

  /**
   * An invocation whose trace header, as Lambda gives it, says the caller's {@code parent} span of
   * trace {@code root} was sampled.
   */
  private static FakeLambdaRuntime.Invocation sampled(
      String requestId, String root, String parent, String event) {
    return new FakeLambdaRuntime.Invocation(
        requestId, "Root=" + root + ";Parent=" + parent + ";Sampled=1", event);
  }

  private static String apiGatewayEvent(String path, String id) {
    return "{\"resource\":\"/orders/{id}\",\"path\":\""
        + path
        + "\",\"httpMethod\":\"GET\",\"headers\":{\"Host\":\"api.example.com\"},"
        + "\"pathParameters\":{\"id\":\""
        + id
        + "\"},\"requestContext\":{\"path\":\"/prod"
        + path
        + "\",\"httpMethod\":\"GET\",\"stage\":\"prod\",\"requestId\":\"r\"},"
        + "\"body\":null,\"isBase64Encoded\":false}";
  }

  private static String sqsEvent(String... ids) {
    return Arrays.stream(ids)
        .map(
            id ->
                "{\"messageId\":\""
                    + id
                    + "\",\"receiptHandle\":\"h\",\"body\":\"order "
                    + id
                    + "\",\"attributes\":{\"ApproximateReceiveCount\":\"1\"},"
                    + "\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                    + "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:orders-queue\","
                    + "\"awsRegion\":\"us-east-1\"}")
        .collect(Collectors.joining(",", "{\"Records\":[", "]}"));
  }
}
