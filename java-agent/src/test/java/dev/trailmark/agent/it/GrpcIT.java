package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java client and server over Netty on loopback, in a forked JVM with the agent: an HTTP
 * request's gRPC call is a client subsegment, the trace travels in the call's metadata, and the
 * server's handling is a segment of the same trace under that subsegment, with its status.
 */
class GrpcIT {

  private static final String ROUTE = "/trailmark.Orders/Get";

  @TempDir Path dir;

  @Test
  void aGrpcCallCarriesTheTraceFromClientToServer() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.GrpcApp")
                .tracedService("grpc-app", daemon)
                .start(dir, "grpc")) {
      int port = app.awaitPort();
      String[] ids = {"42", "missing", "boom"};
      String[] roots = new String[ids.length];
      for (int i = 0; i < ids.length; i++) {
        roots[i] = UdpDaemon.traceRoot("aabbccddeeff00112233445" + i);
        HttpResponse<String> answer =
            JettyIT.get(
                port,
                "/order?id=" + ids[i],
                "X-Amzn-Trace-Id",
                "Root=" + roots[i] + ";Parent=53995c3f42cd8ad8;Sampled=1");
        assertThat(answer.statusCode()).as(app.output()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(List.of("order 42", "NOT_FOUND", "UNKNOWN").get(i));
      }

      String server = null;
      for (int i = 0; i < ids.length; i++) {
        Call grpc = call(daemon, roots[i], ROUTE);
        JsonNode client = grpc.client();
        JsonNode call = grpc.server();
        assertThat(client.get("namespace").asText()).isEqualTo("remote");
        assertThat(client.get("name").asText()).startsWith("127.0.0.1:");
        assertThat(client.at("/http/request/method").asText()).isEqualTo("POST");
        // The server continued the trace from the metadata, under the client's subsegment (call).
        assertThat(call.get("name").asText()).isEqualTo("grpc-app");
        assertThat(call.at("/http/request/url").asText())
            .isEqualTo("http://" + client.get("name").asText() + ROUTE);
        switch (ids[i]) {
          case "42":
            assertThat(call.has("fault") || call.has("error")).isFalse();
            assertThat(client.has("fault") || client.has("error")).isFalse();
            server = call.get("id").asText();
            break;
          case "missing": // NOT_FOUND: the caller's error, not the server's fault
            assertThat(call.get("error").asBoolean()).isTrue();
            assertThat(client.get("error").asBoolean()).isTrue();
            assertThat(call.has("fault")).isFalse();
            break;
          default: // the handler threw: UNKNOWN, a fault with the application's exception
            assertThat(call.get("fault").asBoolean()).isTrue();
            assertThat(call.at("/cause/exceptions/0/type").asText())
                .isEqualTo("java.lang.IllegalStateException");
            assertThat(client.get("fault").asBoolean()).isTrue();
            break;
        }
      }

      assertThat(daemon.errors()).isEmpty();
      String traceId = roots[0].substring(2, 10) + roots[0].substring(11);
      String serverSpan = server;
      app.awaitLogLines(
          lines ->
              lines.anyMatch(
                  ForkedApp.logged("grpc server getting order 42", traceId, serverSpan)));
      assertThat(app.output())
          .doesNotContain("left io.grpc")
          .doesNotContain("could not instrument");
    }
  }

  @Test
  void streamingCallsAreOneClientAndOneServerSpanEachWithEveryMessageInside() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.GrpcApp")
                .tracedService("grpc-app", daemon)
                .start(dir, "grpc-streams")) {
      int port = app.awaitPort();
      String listRoot = UdpDaemon.traceRoot("aabbccddeeff00112233446a");
      String chatRoot = UdpDaemon.traceRoot("aabbccddeeff00112233446b");
      assertThat(get(port, "/list?n=3", listRoot))
          .as(app.output())
          .isEqualTo("item 1,item 2,item 3");
      assertThat(get(port, "/chat?words=a,b,c", chatRoot)).isEqualTo("A,B,C");

      JsonNode list = call(daemon, listRoot, "/trailmark.Orders/List").server();
      JsonNode chat = call(daemon, chatRoot, "/trailmark.Orders/Chat").server();
      assertThat(list.has("fault") || list.has("error")).isFalse();
      assertThat(chat.has("fault") || chat.has("error")).isFalse();
      String listTrace = listRoot.substring(2, 10) + listRoot.substring(11);
      String chatTrace = chatRoot.substring(2, 10) + chatRoot.substring(11);
      String listSpan = list.get("id").asText();
      String chatSpan = chat.get("id").asText();
      // The server-streaming handler, and the bidirectional one's onNext for each message.
      app.awaitLogLines(
          lines ->
              lines
                  .anyMatch(ForkedApp.logged("grpc server listing item 1", listTrace, listSpan))
                  .anyMatch(ForkedApp.logged("grpc server listing item 3", listTrace, listSpan))
                  .anyMatch(ForkedApp.logged("grpc server got a", chatTrace, chatSpan))
                  .anyMatch(ForkedApp.logged("grpc server got c", chatTrace, chatSpan)));
      assertThat(daemon.errors()).isEmpty();
    }
  }

  private static String get(int port, String path, String root) throws Exception {
    HttpResponse<String> answer =
        JettyIT.get(port, path, "X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1");
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.body();
  }

  /** One gRPC call as X-Ray shows it: the caller's subsegment and the server's segment. */
  private record Call(JsonNode client, JsonNode server) {}

  /** The one call of {@code route} in the trace, checked to be the server's under the client's. */
  private static Call call(UdpDaemon daemon, String root, String route) {
    // The HTTP segment, its gRPC client subsegment and the gRPC server's segment.
    await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 3);
    List<JsonNode> docs = daemon.documentsOfTrace(root);
    List<JsonNode> clients =
        docs.stream()
            .filter(d -> d.at("/http/request/url").asText().endsWith(route))
            .filter(d -> "subsegment".equals(d.path("type").asText()))
            .collect(Collectors.toList());
    List<JsonNode> servers =
        docs.stream()
            .filter(d -> route.equals(d.at("/annotations/http_route").asText()))
            .collect(Collectors.toList());
    assertThat(clients).as("one client call in " + docs).hasSize(1);
    assertThat(servers).as("one server call in " + docs).hasSize(1);
    assertThat(servers.get(0).get("parent_id").asText())
        .isEqualTo(clients.get(0).get("id").asText());
    return new Call(clients.get(0), servers.get(0));
  }
}
