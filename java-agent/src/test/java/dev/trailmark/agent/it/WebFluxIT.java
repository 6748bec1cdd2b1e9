package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spring WebFlux on Reactor Netty and {@code WebClient} in a forked JVM with the agent: a request
 * that goes front → back → leaf through two WebClient calls is one trace, each hop's server segment
 * under the client subsegment that called it, with the logs of each handler, including what runs on
 * the client's event loop when a response arrives, in its own server span; and, through the {@code
 * DispatcherHandler}, each server span carries the route its mapping matched.
 */
class WebFluxIT {

  @TempDir Path dir;

  @Test
  void webClientCallsBetweenWebFluxHandlersAreOneTrace() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.WebFluxApp")
                .tracedService("webflux-app", daemon)
                .start(dir, "webflux")) {
      int port = app.awaitPort();
      String root = UdpDaemon.traceRoot("aabbccddeeff001122334477");
      String traceId = root.substring(2, 10) + root.substring(11);
      HttpResponse<String> answer =
          JettyIT.get(
              port,
              "/front",
              "X-Amzn-Trace-Id",
              "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1");
      assertThat(answer.statusCode()).as(app.output()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("front>back>leaf");

      // Three server segments and two client subsegments.
      await().atMost(Duration.ofSeconds(20)).until(() -> daemon.documentsOfTrace(root).size() >= 5);
      assertThat(daemon.errors()).isEmpty();
      List<JsonNode> docs = daemon.documentsOfTrace(root);
      assertThat(docs).as(app.output()).hasSize(5);
      JsonNode front = server(docs, "/front");
      JsonNode back = server(docs, "/back");
      JsonNode leaf = server(docs, "/leaf");
      JsonNode toBack = client(docs, "/back");
      JsonNode toLeaf = client(docs, "/leaf");
      assertThat(front.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
      assertThat(toBack.get("parent_id").asText()).isEqualTo(front.get("id").asText());
      assertThat(back.get("parent_id").asText()).isEqualTo(toBack.get("id").asText());
      assertThat(toLeaf.get("parent_id").asText()).isEqualTo(back.get("id").asText());
      assertThat(leaf.get("parent_id").asText()).isEqualTo(toLeaf.get("id").asText());
      for (JsonNode segment : List.of(front, back, leaf)) {
        assertThat(segment.get("name").asText()).isEqualTo("webflux-app");
        assertThat(segment.at("/http/request/method").asText()).isEqualTo("GET");
        assertThat(segment.at("/http/response/status").asInt()).isEqualTo(200);
        assertThat(segment.get("end_time").asDouble())
            .isGreaterThanOrEqualTo(segment.get("start_time").asDouble());
      }
      assertThat(toBack.get("namespace").asText()).isEqualTo("remote");
      assertThat(toBack.at("/http/response/status").asInt()).isEqualTo(200);
      // The front's segment outlasts the calls it waited for.
      assertThat(front.get("end_time").asDouble())
          .isGreaterThanOrEqualTo(leaf.get("end_time").asDouble());

      String frontId = front.get("id").asText();
      String backId = back.get("id").asText();
      String leafId = leaf.get("id").asText();
      app.awaitLogLines(
          lines ->
              lines
                  .anyMatch(ForkedApp.logged("front calling /back", traceId, frontId))
                  .anyMatch(ForkedApp.logged("back calling /leaf", traceId, backId))
                  .anyMatch(ForkedApp.logged("leaf answering", traceId, leafId))
                  // Run when the response arrived, on the WebClient's event loop.
                  .anyMatch(ForkedApp.logged("back got leaf", traceId, backId))
                  .anyMatch(ForkedApp.logged("front got back>leaf", traceId, frontId)));

      // A W3C caller: its trace, its span as the front's parent.
      String w3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4766";
      String w3cRoot = "1-4bf92f35-77b34da6a3ce929d0e0e4766";
      assertThat(
              JettyIT.get(
                      port, "/front", "traceparent", "00-" + w3cTraceId + "-00f067aa0ba902b7-01")
                  .body())
          .isEqualTo("front>back>leaf");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> daemon.documentsOfTrace(w3cRoot).size() >= 5);
      assertThat(server(daemon.documentsOfTrace(w3cRoot), "/front").get("parent_id").asText())
          .isEqualTo("00f067aa0ba902b7");
    }
  }

  @Test
  void aDispatcherHandlersSpanCarriesTheRouteItsMappingMatched() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp app =
            ForkedApp.builder("dev.trailmark.agent.testapp.WebFluxDispatcherApp")
                .tracedService("webflux-dispatcher", daemon)
                .start(dir, "webflux-dispatcher")) {
      int port = app.awaitPort();
      String annotated = UdpDaemon.traceRoot("aabbccddeeff001122334478");
      String functional = UdpDaemon.traceRoot("aabbccddeeff001122334479");
      String missing = UdpDaemon.traceRoot("aabbccddeeff00112233447a");
      assertThat(get(port, "/items/42", annotated).body()).as(app.output()).isEqualTo("item 42");
      assertThat(get(port, "/greet/ana", functional).body()).isEqualTo("hello ana");
      assertThat(get(port, "/nothing/here", missing).statusCode()).isEqualTo(404);

      for (String root : List.of(annotated, functional, missing)) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !daemon.documentsOfTrace(root).isEmpty());
      }
      assertThat(daemon.errors()).isEmpty();
      JsonNode item = server(daemon.documentsOfTrace(annotated), "/items/42");
      assertThat(item.at("/annotations/http_route").asText()).isEqualTo("/items/{id}");
      JsonNode greet = server(daemon.documentsOfTrace(functional), "/greet/ana");
      assertThat(greet.at("/annotations/http_route").asText()).isEqualTo("/greet/{name}");
      // No mapping matched: no route, never the raw path.
      JsonNode none = server(daemon.documentsOfTrace(missing), "/nothing/here");
      assertThat(none.at("/http/response/status").asInt()).isEqualTo(404);
      assertThat(none.at("/annotations/http_route").isMissingNode()).as(none.toString()).isTrue();
    }
  }

  private static HttpResponse<String> get(int port, String path, String root) throws Exception {
    return JettyIT.get(port, path, "X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1");
  }

  private static JsonNode server(List<JsonNode> docs, String path) {
    return docs.stream()
        .filter(d -> !"subsegment".equals(d.path("type").asText()))
        .filter(d -> d.at("/http/request/url").asText().endsWith(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server segment for " + path + " in " + docs));
  }

  private static JsonNode client(List<JsonNode> docs, String path) {
    return docs.stream()
        .filter(d -> "subsegment".equals(d.path("type").asText()))
        .filter(d -> d.at("/http/request/url").asText().endsWith(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no client subsegment for " + path + " in " + docs));
  }
}
