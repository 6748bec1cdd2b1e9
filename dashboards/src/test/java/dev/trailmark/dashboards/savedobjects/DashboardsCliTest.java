package dev.trailmark.dashboards.savedobjects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.trailmark.dashboards.savedobjects.internal.SavedObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * {@code trailmark dashboards install|export} against a local HTTP server that plays OpenSearch
 * Dashboards' import API: the exact multipart body and headers, the /_dashboards path, basic auth,
 * SigV4, the tenant, and what a refusal does to the exit code.
 */
class DashboardsCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the server received it. */
  record Received(String method, URI uri, Headers headers, byte[] body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  private HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Function<Received, String[]>> routes = new HashMap<>();
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body;
          try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
          }
          Received r =
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI(),
                  exchange.getRequestHeaders(),
                  body);
          received.add(r);
          Function<Received, String[]> route = routes.get(exchange.getRequestURI().getPath());
          String[] answer =
              route == null
                  ? new String[] {"404", "{\"statusCode\":404,\"error\":\"Not Found\"}"}
                  : route.apply(r);
          byte[] bytes = answer[1].getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(Integer.parseInt(answer[0]), bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private int run(String... args) {
    return DashboardsCli.run(
        args,
        new PrintStream(outBytes, true, StandardCharsets.UTF_8),
        new PrintStream(errBytes, true, StandardCharsets.UTF_8),
        env);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * Answers an import as Dashboards 2.x does when every object is written: created, or updated when
   * it existed.
   */
  private static String[] importedAll(Received r, boolean existed) {
    StringBuilder results = new StringBuilder();
    String text = new String(r.body(), StandardCharsets.UTF_8);
    for (String line : text.substring(text.indexOf("\r\n\r\n") + 4).split("\n")) {
      if (!line.startsWith("{")) {
        continue;
      }
      try {
        JsonNode o = JSON.readTree(line);
        results
            .append(results.length() == 0 ? "" : ",")
            .append("{\"type\":\"")
            .append(o.path("type").asText())
            .append("\",\"id\":\"")
            .append(o.path("id").asText())
            .append("\",\"meta\":{\"title\":")
            .append(JSON.writeValueAsString(o.path("attributes").path("title").asText()))
            .append("}")
            .append(existed ? ",\"overwrite\":true}" : "}");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
    return new String[] {
      "200",
      "{\"successCount\":"
          + SavedObjects.load().size()
          + ",\"success\":true,\"successResults\":["
          + results
          + "]}"
    };
  }

  @Test
  void installSendsTheFileAsDashboardsImportTakesItAndPrintsWhatWasCreated() throws Exception {
    routes.put("/api/saved_objects/_import", r -> importedAll(r, false));
    routes.put(
        "/api/opensearch-dashboards/settings", r -> new String[] {"200", "{\"settings\":{}}"});
    env.put("TRAILMARK_DASHBOARDS_PASSWORD", "s3cret");

    int rc =
        run(
            "install",
            "--url",
            url(),
            "--user",
            "admin",
            "--tenant",
            "global",
            "--index-prefix",
            "prod-");

    assertThat(rc).as(err()).isEqualTo(0);
    Received imp = received.get(0);
    assertThat(imp.method()).isEqualTo("POST");
    assertThat(imp.uri().toString()).isEqualTo("/api/saved_objects/_import?overwrite=true");
    assertThat(imp.header("osd-xsrf")).isEqualTo("true");
    assertThat(imp.header("securitytenant")).isEqualTo("global");
    assertThat(imp.header("Authorization"))
        .isEqualTo(
            "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8)));
    String contentType = imp.header("Content-Type");
    assertThat(contentType).startsWith("multipart/form-data; boundary=");
    String boundary = contentType.substring(contentType.indexOf("boundary=") + 9);
    byte[] ndjson =
        SavedObjects.toNdjson(SavedObjects.withIndexPrefix(SavedObjects.load(), "prod-"));
    String expected =
        "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"trailmark-saved-objects.ndjson\"\r\n"
            + "Content-Type: application/ndjson\r\n\r\n"
            + new String(ndjson, StandardCharsets.UTF_8)
            + "\r\n--"
            + boundary
            + "--\r\n";
    assertThat(new String(imp.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
    assertThat(new String(imp.body(), StandardCharsets.UTF_8))
        .contains("\"title\":\"prod-logs-*\"")
        .doesNotContain("\"title\":\"logs-*\"");

    Received settings = received.get(1);
    assertThat(settings.uri().getPath()).isEqualTo("/api/opensearch-dashboards/settings");
    assertThat(settings.header("osd-xsrf")).isEqualTo("true");
    assertThat(settings.header("securitytenant")).isEqualTo("global");
    JsonNode changes = JSON.readTree(settings.body()).path("changes");
    assertThat(
            JSON.readTree(
                changes.path("observability:traceAnalyticsCorrelatedLogsFieldMappings").asText()))
        .isEqualTo(
            JSON.readTree(
                "{\"serviceName\":\"resource.service.name\",\"spanId\":\"spanId\","
                    + "\"timestamp\":\"@timestamp\",\"traceId\":\"traceId\"}"));
    assertThat(received).hasSize(2);

    int objects = SavedObjects.load().size();
    assertThat(out())
        .contains("created  index-pattern trailmark-logs (prod-logs-*)")
        .contains("created  dashboard trailmark-dashboard-services (Trailmark: Services (RED))")
        .contains(
            objects
                + " created, 0 updated, 0 refused at "
                + url()
                + " (tenant global) (index prefix prod-)");
    assertThat(out().lines().filter(l -> l.startsWith("created  ")).count()).isEqualTo(objects);
  }

  @Test
  void aSecondInstallReportsUpdates() {
    routes.put("/api/saved_objects/_import", r -> importedAll(r, true));
    routes.put("/api/opensearch-dashboards/settings", r -> new String[] {"200", "{}"});
    assertThat(run("install", "--url", url(), "--no-settings")).as(err()).isEqualTo(0);
    assertThat(out())
        .contains("updated  visualization trailmark-vis-top-errors (Top error messages)")
        .contains("0 created, " + SavedObjects.load().size() + " updated, 0 refused");
    assertThat(received).hasSize(1);
    assertThat(received.get(0).header("Authorization")).isNull();
    assertThat(received.get(0).header("securitytenant")).isNull();
    assertThat(new String(received.get(0).body(), StandardCharsets.UTF_8))
        .contains("\"title\":\"logs-*\"");
  }

  @Test
  void aMissingReferenceIsARefusalThatNamesTheObjectAndFailsTheCommand() {
    routes.put(
        "/api/saved_objects/_import",
        r ->
            new String[] {
              "200",
              "{\"successCount\":0,\"success\":false,"
                  + "\"successResults\":[{\"type\":\"index-pattern\",\"id\":\"trailmark-logs\",\"meta\":{\"title\":\"logs-*\"}}],"
                  + "\"errors\":[{\"id\":\"trailmark-vis-top-errors\",\"type\":\"visualization\",\"title\":\"Top error messages\","
                  + "\"meta\":{\"title\":\"Top error messages\"},\"error\":{\"type\":\"missing_references\","
                  + "\"references\":[{\"type\":\"index-pattern\",\"id\":\"trailmark-logs\"}]}}]}"
            });

    assertThat(run("install", "--url", url())).isEqualTo(2);
    assertThat(err())
        .contains(
            "refused  visualization trailmark-vis-top-errors (Top error messages): missing references: "
                + "index-pattern trailmark-logs")
        .contains("applied none of the");
    assertThat(out()).doesNotContain("created  ");
    assertThat(received).as("no settings after a refusal").hasSize(1);
  }

  @Test
  void anObjectRefusedAloneFailsTheCommandWhileTheOthersAreReported() {
    routes.put(
        "/api/saved_objects/_import",
        r ->
            new String[] {
              "200",
              "{\"successCount\":1,\"success\":false,"
                  + "\"successResults\":[{\"type\":\"index-pattern\",\"id\":\"trailmark-logs\",\"meta\":{\"title\":\"logs-*\"}}],"
                  + "\"errors\":[{\"id\":\"trailmark-vis-span-error-pct\",\"type\":\"visualization\","
                  + "\"meta\":{\"title\":\"Error % per service (spans)\"},\"error\":{\"type\":\"unknown\",\"statusCode\":400,"
                  + "\"message\":\"vega is not enabled\"}}]}"
            });
    assertThat(run("install", "--url", url())).isEqualTo(2);
    assertThat(out())
        .contains("created  index-pattern trailmark-logs (logs-*)")
        .contains("1 created, 0 updated, 1 refused");
    assertThat(err())
        .contains(
            "refused  visualization trailmark-vis-span-error-pct (Error % per service (spans)): "
                + "unknown 400: vega is not enabled");
  }

  @Test
  void aBasePathInTheUrlIsKept() {
    routes.put("/_dashboards/api/saved_objects/_import", r -> importedAll(r, false));
    routes.put("/_dashboards/api/opensearch-dashboards/settings", r -> new String[] {"200", "{}"});
    assertThat(run("install", "--url", url() + "/_dashboards/")).as(err()).isEqualTo(0);
    assertThat(received)
        .extracting(r -> r.uri().toString())
        .containsExactly(
            "/_dashboards/api/saved_objects/_import?overwrite=true",
            "/_dashboards/api/opensearch-dashboards/settings");
  }

  @Test
  void a404AtTheRootIsRetriedOnceUnderTheAmazonOpenSearchServicePath() {
    routes.put("/_dashboards/api/saved_objects/_import", r -> importedAll(r, false));
    routes.put("/_dashboards/api/opensearch-dashboards/settings", r -> new String[] {"200", "{}"});
    assertThat(run("install", "--url", url())).as(err()).isEqualTo(0);
    assertThat(received)
        .extracting(r -> r.uri().toString())
        .containsExactly(
            "/api/saved_objects/_import?overwrite=true",
            "/_dashboards/api/saved_objects/_import?overwrite=true",
            "/_dashboards/api/opensearch-dashboards/settings");
    assertThat(out()).contains("trying " + url() + "/_dashboards");
  }

  @Test
  void aGivenBasePathIsNotGuessedAround() {
    assertThat(run("install", "--url", url(), "--base-path", "/kibana")).isEqualTo(1);
    assertThat(received)
        .extracting(r -> r.uri().getPath())
        .containsExactly("/kibana/api/saved_objects/_import");
    assertThat(err()).contains("answered 404").contains("/kibana/api/saved_objects/_import");
  }

  @Test
  void sigV4SignsExactlyWhatIsSentForServiceEsInTheRegion() throws Exception {
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    routes.put("/api/saved_objects/_import", r -> importedAll(r, false));
    routes.put("/api/opensearch-dashboards/settings", r -> new String[] {"200", "{}"});

    assertThat(
            run(
                "install",
                "--url",
                url(),
                "--sigv4",
                "--region",
                "eu-west-1",
                "--tenant",
                "team-a"))
        .as(err())
        .isEqualTo(0);

    assertThat(received).hasSize(2);
    for (Received r : received) {
      String authorization = r.header("Authorization");
      assertThat(authorization)
          .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
          .contains("/eu-west-1/es/aws4_request");
      String signedHeaders = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
      assertThat(signedHeaders.split(";"))
          .contains("host", "osd-xsrf", "securitytenant", "content-type", "x-amz-date");
      assertThat(authorization).endsWith("Signature=" + expectedSignature(r, signedHeaders));
    }
  }

  @Test
  void aTamperedBodyWouldNotVerify() throws Exception {
    System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    routes.put("/api/saved_objects/_import", r -> importedAll(r, false));
    assertThat(run("install", "--url", url(), "--sigv4", "--region", "eu-west-1", "--no-settings"))
        .isEqualTo(0);
    Received r = received.get(0);
    byte[] tampered = r.body().clone();
    tampered[tampered.length / 2] ^= 1;
    String signedHeaders = r.header("Authorization").replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
    assertThat(r.header("Authorization"))
        .doesNotEndWith(
            "Signature="
                + expectedSignature(
                    new Received(r.method(), r.uri(), r.headers(), tampered), signedHeaders));
  }

  /**
   * Recomputes the signature from what arrived, as a SigV4 server does, with the SDK's signer at
   * X-Amz-Date.
   */
  private static String expectedSignature(Received r, String signedHeaders) {
    Instant signedAt =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC)
            .parse(r.header("X-Amz-Date"), Instant::from);
    String host = r.header("Host");
    SdkHttpRequest.Builder request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.fromValue(r.method()))
            .protocol("http")
            .host(host.substring(0, host.indexOf(':')))
            .port(Integer.parseInt(host.substring(host.indexOf(':') + 1)))
            .encodedPath(r.uri().getRawPath());
    if (r.uri().getRawQuery() != null) {
      for (String pair : r.uri().getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        request.appendRawQueryParameter(kv[0], kv.length > 1 ? kv[1] : null);
      }
    }
    for (String name : signedHeaders.split(";")) {
      if (!name.equals("host")) {
        request.putHeader(name, r.headers().get(name));
      }
    }
    String auth =
        AwsV4HttpSigner.create()
            .sign(
                s ->
                    s.request(request.build())
                        .payload(ContentStreamProvider.fromByteArrayUnsafe(r.body()))
                        .identity(
                            AwsCredentialsIdentity.create(
                                "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "es")
                        .putProperty(
                            HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)))
            .request()
            .firstMatchingHeader("Authorization")
            .orElseThrow();
    return auth.substring(auth.indexOf("Signature=") + 10);
  }

  @Test
  void wrongCredentialsExitOneWithAHint() {
    routes.put(
        "/api/saved_objects/_import",
        r -> new String[] {"401", "{\"statusCode\":401,\"error\":\"Unauthorized\"}"});
    assertThat(run("install", "--url", url(), "--user", "admin", "--password", "wrong"))
        .isEqualTo(1);
    assertThat(err()).contains("answered 401").contains("credentials were not accepted");
  }

  @Test
  void aSettingsRefusalIsAWarningAfterTheObjectsAreIn() {
    routes.put("/api/saved_objects/_import", r -> importedAll(r, false));
    routes.put(
        "/api/opensearch-dashboards/settings", r -> new String[] {"400", "{\"message\":\"no\"}"});
    assertThat(run("install", "--url", url())).isEqualTo(0);
    assertThat(err()).contains("warning: the saved objects are installed").contains("answered 400");
  }

  @Test
  void nothingIsSentOnBadUsage() {
    assertThat(run("install", "--url", url(), "--user", "admin")).isEqualTo(1);
    assertThat(err()).contains("--user needs --password or TRAILMARK_DASHBOARDS_PASSWORD");
    assertThat(run("install")).isEqualTo(1);
    assertThat(run("install", "--url", "ftp://x")).isEqualTo(1);
    assertThat(run("install", "--url", url(), "--index-prefix", "Prod")).isEqualTo(1);
    assertThat(run("install", "--url", url(), "--user", "a", "--password", "b", "--sigv4"))
        .isEqualTo(1);
    assertThat(run("install", "--url", url(), "--bogus")).isEqualTo(1);
    assertThat(run("frobnicate")).isEqualTo(1);
    assertThat(received).isEmpty();
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out()).contains("trailmark dashboards install --url URL");
  }

  @Test
  void anUnreachableDashboardsIsAClearError() throws IOException {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(run("install", "--url", "http://127.0.0.1:" + port)).isEqualTo(1);
    assertThat(err()).contains("cannot reach OpenSearch Dashboards at http://127.0.0.1:" + port);
  }

  @Test
  void exportWritesTheNdjsonWithThePrefixApplied(@TempDir Path dir) throws IOException {
    Path plain = dir.resolve("plain.ndjson");
    assertThat(run("export", plain.toString())).isEqualTo(0);
    try (InputStream in = getClass().getResourceAsStream(SavedObjects.RESOURCE)) {
      assertThat(Files.readAllBytes(plain)).isEqualTo(in.readAllBytes());
    }
    env.put("TRAILMARK_INDEX_PREFIX", "team1-");
    Path prefixed = dir.resolve("sub/prefixed.ndjson");
    assertThat(run("export", prefixed.toString())).isEqualTo(0);
    List<String> titles = new ArrayList<>();
    for (String line : Files.readAllLines(prefixed)) {
      JsonNode o = JSON.readTree(line);
      if (o.path("type").asText().equals("index-pattern")) {
        titles.add(o.path("attributes").path("title").asText());
      }
    }
    assertThat(titles)
        .containsExactly(
            "team1-logs-*",
            "team1-otel-v1-apm-span*",
            "team1-otel-v1-apm-service-map*",
            "team1-metrics-*",
            "team1-audit-findings-*",
            "team1-alerts-*");
    List<String> vegaIndices = new ArrayList<>();
    for (String line : Files.readAllLines(prefixed)) {
      JsonNode vis =
          JSON.readTree(JSON.readTree(line).path("attributes").path("visState").asText("{}"));
      if (vis.path("type").asText().equals("vega")) {
        vegaIndices.add(
            JSON.readTree(vis.path("params").path("spec").asText()).at("/data/url/index").asText());
      }
    }
    assertThat(vegaIndices).containsExactly("team1-otel-v1-apm-span*", "team1-metrics-*");
  }
}
