package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Talks to the saved-objects and settings APIs of one OpenSearch Dashboards: the JDK HTTP client,
 * basic auth or SigV4 (service {@code es}, as Amazon OpenSearch Service's Dashboards expects), the
 * {@code osd-xsrf} header every write needs, and the security plugin's {@code securitytenant}
 * header when a tenant is given. Not thread-safe: one command's requests, one after the other.
 */
public final class DashboardsClient {
  /** The path Amazon OpenSearch Service serves Dashboards under. */
  public static final String AWS_BASE_PATH = "/_dashboards";

  static final String FILE_NAME = "trailmark-saved-objects.ndjson";
  private static final int MAX_ANSWER_IN_MESSAGE = 2000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final URI url;
  // Settled by the first answer when neither given nor implied by the host (see importObjects).
  private String basePath;
  private boolean basePathGiven;
  private final String user;
  private final String password;
  private final String region;
  private final AwsCredentialsProvider credentials;
  private final String tenant;
  private final Duration timeout;
  private final HttpClient http;
  private final Consumer<String> notes;

  private DashboardsClient(Builder b) {
    URI u = Objects.requireNonNull(b.url, "url");
    if (u.getScheme() == null
        || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw new IllegalArgumentException(
          "--url must be an http:// or https:// URL of OpenSearch Dashboards, not '" + u + "'");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath().replaceAll("/+$", "");
    int port = u.getPort();
    boolean defaultPort =
        port == -1
            || (port == 443 && u.getScheme().equals("https"))
            || (port == 80 && u.getScheme().equals("http"));
    // The origin alone: the signer and the JDK client must agree on the Host header, which leaves
    // out a default port.
    this.url = URI.create(u.getScheme() + "://" + u.getHost() + (defaultPort ? "" : ":" + port));
    if (b.basePath != null) {
      this.basePath = b.basePath.replaceAll("/+$", "");
      this.basePathGiven = true;
    } else if (!path.isEmpty()) {
      this.basePath = path;
      this.basePathGiven = true;
    } else {
      this.basePath = isAmazonOpenSearchService(u.getHost()) ? AWS_BASE_PATH : "";
      this.basePathGiven = false;
    }
    if (b.user != null && b.region != null) {
      throw new IllegalArgumentException(
          "choose basic auth (--user/--password) or SigV4 (--sigv4), not both");
    }
    this.user = b.user;
    this.password = b.password;
    this.region = b.region;
    this.credentials = b.credentials;
    this.tenant = b.tenant;
    this.timeout = b.timeout;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.notes = b.notes;
  }

  /** A builder for one Dashboards endpoint. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether the host is an Amazon OpenSearch Service domain endpoint, whose Dashboards lives under
   * /_dashboards.
   */
  static boolean isAmazonOpenSearchService(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".es.amazonaws.com")
        || h.endsWith(".es.amazonaws.com.cn")
        || h.matches(".*\\.aos\\.[a-z0-9-]+\\.on\\.aws");
  }

  /** The base path requests go to ("" for the root); after an import, the one that answered. */
  public String basePath() {
    return basePath;
  }

  /**
   * Imports an ndjson file with {@code overwrite=true}. When no base path was given or detected and
   * the root answers 404, the import is tried once more under {@value #AWS_BASE_PATH}.
   *
   * @throws DashboardsException when Dashboards answers anything but the import's JSON report
   */
  public ImportResult importObjects(byte[] ndjson) throws IOException, InterruptedException {
    String boundary = "----trailmark" + randomHex();
    byte[] body = multipart(boundary, ndjson);
    String contentType = "multipart/form-data; boundary=" + boundary;
    HttpResponse<String> response =
        send("POST", "/api/saved_objects/_import?overwrite=true", contentType, body);
    if (response.statusCode() == 404 && !basePathGiven && basePath.isEmpty()) {
      notes.accept(
          "no saved-objects API at "
              + url
              + "/api (404); trying "
              + url
              + AWS_BASE_PATH
              + " (Amazon OpenSearch Service's path)");
      basePath = AWS_BASE_PATH;
      basePathGiven = true;
      return importObjects(ndjson);
    }
    return ImportResult.parse(json(check(response, "import")));
  }

  /**
   * Sets advanced settings ({@code POST /api/opensearch-dashboards/settings}); existing settings
   * not named stay.
   *
   * @throws DashboardsException when Dashboards refuses them
   */
  public void setSettings(Map<String, String> changes) throws IOException, InterruptedException {
    Map<String, Object> request = Map.of("changes", changes);
    byte[] body = SavedObjects.MAPPER.writeValueAsBytes(request);
    check(
        send("POST", "/api/opensearch-dashboards/settings", "application/json", body), "settings");
  }

  private static String randomHex() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * The multipart/form-data body of an import: one part, field {@code file}, an .ndjson file name
   * (required).
   */
  static byte[] multipart(String boundary, byte[] ndjson) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ndjson.length + 256);
    out.writeBytes(
        ("--"
                + boundary
                + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\""
                + FILE_NAME
                + "\"\r\n"
                + "Content-Type: application/ndjson\r\n"
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(ndjson);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private HttpResponse<String> send(
      String method, String pathAndQuery, String contentType, byte[] body)
      throws IOException, InterruptedException {
    URI target = URI.create(url + basePath + pathAndQuery);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("osd-xsrf", "true");
    if (tenant != null) {
      headers.put("securitytenant", tenant);
    }
    if (user != null) {
      headers.put(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (user + ":" + (password == null ? "" : password))
                          .getBytes(StandardCharsets.UTF_8)));
    }
    if (region != null) {
      headers = sign(method, target, headers, body);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IOException(
          "cannot reach OpenSearch Dashboards at " + url + basePath + ": " + e, e);
    }
  }

  /** SigV4 over exactly the headers the JDK client sends (Host is derived from the URL by both). */
  private Map<String, String> sign(
      String method, URI target, Map<String, String> headers, byte[] body)
      throws DashboardsException {
    AwsCredentialsIdentity identity;
    try {
      identity = credentials.resolveCredentials();
    } catch (SdkException e) {
      throw new DashboardsException(
          "--sigv4 found no AWS credentials (environment, profile, container or instance "
              + "role): "
              + e.getMessage());
    }
    SdkHttpRequest.Builder unsigned =
        SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(target);
    headers.forEach(unsigned::putHeader);
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(unsigned.build())
                        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                        .identity(identity)
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "es")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
      if (!h.getKey().equalsIgnoreCase("Host")) {
        out.put(h.getKey(), String.join(",", h.getValue()));
      }
    }
    return out;
  }

  private HttpResponse<String> check(HttpResponse<String> response, String what)
      throws DashboardsException {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    String answer = response.body() == null ? "" : response.body();
    if (answer.length() > MAX_ANSWER_IN_MESSAGE) {
      answer = answer.substring(0, MAX_ANSWER_IN_MESSAGE) + "...";
    }
    String hint =
        switch (status) {
          case 401 ->
              " (the credentials were not accepted: check --user/--password, or --sigv4 and the AWS credentials)";
          case 403 ->
              " (the user may not write saved objects"
                  + (tenant != null ? " in tenant " + tenant : "")
                  + ")";
          case 404 -> " (no such API here: is --url the Dashboards address, not OpenSearch's?)";
          default -> "";
        };
    throw new DashboardsException(
        what + " at " + response.uri() + " answered " + status + hint + ": " + answer);
  }

  private static JsonNode json(HttpResponse<String> response) throws DashboardsException {
    try {
      return SavedObjects.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new DashboardsException(
          "the answer of " + response.uri() + " is not JSON: " + response.body());
    }
  }

  /** Dashboards answered with an error status or with something that is not its JSON report. */
  public static final class DashboardsException extends IOException {
    private static final long serialVersionUID = 1L;

    DashboardsException(String message) {
      super(message);
    }
  }

  /** Settings of a {@link DashboardsClient}. */
  public static final class Builder {
    private URI url;
    private String basePath;
    private String user;
    private String password;
    private String region;
    private AwsCredentialsProvider credentials;
    private String tenant;
    private Duration timeout = Duration.ofSeconds(60);
    private HttpClient http;
    private Consumer<String> notes = s -> {};

    private Builder() {}

    /**
     * The Dashboards address; a path in it is the base path (for example {@code
     * https://host/_dashboards}).
     */
    public Builder url(URI url) {
      this.url = url;
      return this;
    }

    /** Overrides the base path the URL gives or the host implies ({@code ""} for none). */
    public Builder basePath(String basePath) {
      this.basePath = basePath;
      return this;
    }

    /** HTTP basic authentication (the security plugin's internal users). */
    public Builder basicAuth(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = password;
      return this;
    }

    /** AWS Signature Version 4 for service {@code es} in {@code region}, with these credentials. */
    public Builder sigV4(String region, AwsCredentialsProvider credentials) {
      this.region = Objects.requireNonNull(region, "region");
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** The security plugin's tenant ({@code global}, {@code private} or a custom tenant's name). */
    public Builder tenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    /** How long one request may take (default 60 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** The HTTP client to use (default: a new JDK client). */
    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /**
     * Receives one-line notes about what the client decided (such as a retry under /_dashboards).
     */
    public Builder notes(Consumer<String> notes) {
      this.notes = Objects.requireNonNull(notes);
      return this;
    }

    /** The client; fails on a URL that is not http(s) or on two kinds of authentication. */
    public DashboardsClient build() {
      return new DashboardsClient(this);
    }
  }
}
