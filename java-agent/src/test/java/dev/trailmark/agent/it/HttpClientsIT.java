package dev.trailmark.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HttpURLConnection, Apache HttpClient 4 and Apache HttpClient 5 (classic), each carrying the
 * trace.
 */
class HttpClientsIT {

  @TempDir Path dir;

  @Test
  void everyClientCarriesTheTraceAndRecordsOneSpan() throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp end = service("end", "", "jdk", daemon).start(dir, "end")) {
      int endPort = end.awaitPort();
      try (ForkedApp caller =
          service(
                  "caller",
                  "http://127.0.0.1:" + endPort + "/hop",
                  "urlconnection,apache4,apache5",
                  daemon)
              .start(dir, "caller")) {
        int port = caller.awaitPort();
        String root = UdpDaemon.traceRoot("00112233445566778899aabb");
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                        .header(
                            "X-Amzn-Trace-Id",
                            "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1")
                        .build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> received =
            response.body().lines().filter(l -> l.startsWith("xray=")).collect(Collectors.toList());
        assertThat(received).hasSize(4); // the caller's own, then one per client
        List<String> parents = new ArrayList<>();
        for (String xray : received.subList(1, 4)) {
          assertThat(xray).startsWith("xray=Root=" + root + ";Parent=").endsWith(";Sampled=1");
          parents.add(xray.substring(xray.indexOf("Parent=") + 7, xray.indexOf("Parent=") + 23));
        }
        assertThat(parents).doesNotHaveDuplicates();

        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> daemon.documentsOfTrace(root).size() >= 7);
        Map<String, JsonNode> byId =
            daemon.documentsOfTrace(root).stream()
                .collect(Collectors.toMap(d -> d.get("id").asText(), d -> d));
        assertThat(byId).hasSize(7);
        JsonNode callerSegment =
            byId.values().stream()
                .filter(d -> d.get("name").asText().equals("caller"))
                .findFirst()
                .orElseThrow();
        assertThat(callerSegment.get("parent_id").asText()).isEqualTo("53995c3f42cd8ad8");
        for (String parent : parents) {
          JsonNode sub = byId.get(parent);
          assertThat(sub.get("type").asText()).isEqualTo("subsegment");
          assertThat(sub.get("parent_id").asText()).isEqualTo(callerSegment.get("id").asText());
          assertThat(sub.at("/http/response/status").asInt()).isEqualTo(200);
          assertThat(sub.at("/http/request/url").asText())
              .isEqualTo("http://127.0.0.1:" + endPort + "/hop");
          assertThat(sub.at("/http/request/method").asText()).isEqualTo("GET");
        }
      }
    }
  }

  @Test
  void okHttpSyncAndAsyncCallsCarryTheTraceWithOneSpanEach() throws Exception {
    okHttp("4", ForkedApp.applicationClasspath());
    // OkHttp 3 (Java, okio 1) in place of OkHttp 4 (Kotlin): same interceptor API, same probe.
    File okhttp3 = new File(System.getProperty("trailmark.okhttp3.dir", "target/okhttp3"));
    String jars =
        Arrays.stream(okhttp3.listFiles((d, n) -> n.endsWith(".jar")))
            .map(File::getAbsolutePath)
            .collect(Collectors.joining(File.pathSeparator));
    assertThat(jars).contains("okhttp-3.");
    okHttp("3", ForkedApp.applicationClasspath("okhttp-4", "okio") + File.pathSeparator + jars);
  }

  private void okHttp(String version, String classpath) throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        ForkedApp end = service("end", "", "jdk", daemon).start(dir, "ok-end-" + version)) {
      int endPort = end.awaitPort();
      try (ForkedApp caller =
          service("caller", "http://127.0.0.1:" + endPort + "/hop", "okhttp,okhttp-async", daemon)
              .classpath(classpath)
              .start(dir, "ok-caller-" + version)) {
        int port = caller.awaitPort();
        String root = UdpDaemon.traceRoot("0a0b0c0d0e0f0a0b0c0d0e0f");
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop"))
                        .header("X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1")
                        .build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(caller.output()).isEqualTo(200);
        List<String> received =
            response.body().lines().filter(l -> l.startsWith("xray=")).collect(Collectors.toList());
        assertThat(received).hasSize(3);
        List<String> parents = new ArrayList<>();
        for (String xray : received.subList(1, 3)) {
          assertThat(xray).startsWith("xray=Root=" + root + ";Parent=").endsWith(";Sampled=1");
          parents.add(xray.substring(xray.indexOf("Parent=") + 7, xray.indexOf("Parent=") + 23));
        }
        assertThat(parents).doesNotHaveDuplicates();

        // caller segment, two OkHttp subsegments, two segments of the end service
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> daemon.documentsOfTrace(root).size() >= 5);
        Thread.sleep(500);
        Map<String, JsonNode> byId =
            daemon.documentsOfTrace(root).stream()
                .collect(Collectors.toMap(d -> d.get("id").asText(), d -> d));
        assertThat(byId).as("one span per call: %s", byId.values()).hasSize(5);
        JsonNode callerSegment =
            byId.values().stream()
                .filter(d -> d.get("name").asText().equals("caller"))
                .findFirst()
                .orElseThrow();
        for (String parent : parents) {
          JsonNode sub = byId.get(parent);
          assertThat(sub.get("parent_id").asText()).isEqualTo(callerSegment.get("id").asText());
          assertThat(sub.at("/http/response/status").asInt()).isEqualTo(200);
          assertThat(sub.at("/http/request/url").asText())
              .isEqualTo("http://127.0.0.1:" + endPort + "/hop");
          assertThat(sub.at("/http/request/method").asText()).isEqualTo("GET");
        }
      }
    }
  }

  @Test
  void failedConnectionIsAFaultedSpanAndTheErrorReachesTheApplication() throws Exception {
    for (String client : List.of("urlconnection", "okhttp")) {
      failedConnection(client);
    }
  }

  private void failedConnection(String client) throws Exception {
    try (UdpDaemon daemon = new UdpDaemon();
        java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      int deadPort = closed.getLocalPort();
      closed.close();
      try (ForkedApp caller =
          service("caller", "http://127.0.0.1:" + deadPort + "/hop", client, daemon)
              .start(dir, "caller-dead-" + client)) {
        int port = caller.awaitPort();
        HttpResponse<String> response =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hop")).build(),
                    HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(caller.output()).contains("hop failed").contains("java.net.ConnectException");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    daemon.documents().stream()
                        .anyMatch(
                            d ->
                                d.has("type")
                                    && d.at("/cause/exceptions/0/type")
                                        .asText()
                                        .equals("java.net.ConnectException")));
        JsonNode sub =
            daemon.documents().stream().filter(d -> d.has("type")).findFirst().orElseThrow();
        assertThat(sub.get("fault").asBoolean()).isTrue();
        JsonNode segment =
            daemon.documents().stream().filter(d -> !d.has("type")).findFirst().orElseThrow();
        assertThat(segment.at("/http/response/status").asInt()).isEqualTo(500);
        assertThat(segment.get("fault").asBoolean()).isTrue();
      }
    }
  }

  private static ForkedApp.Builder service(
      String name, String next, String client, UdpDaemon daemon) {
    return ForkedApp.builder("dev.trailmark.agent.testapp.ServiceApp")
        .property("app.name", name)
        .property("app.next", next)
        .property("app.client", client)
        .tracedService(name, daemon);
  }
}
