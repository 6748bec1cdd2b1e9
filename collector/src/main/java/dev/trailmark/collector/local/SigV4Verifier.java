package dev.trailmark.collector.local;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Verifies AWS Signature Version 4 on incoming requests against the local stack's credentials.
 *
 * <p>The expected signature is computed by the AWS SDK's own signer over the same method, path, query, signed
 * headers and body, at the request's own {@code X-Amz-Date}; only the parsing and comparison are ours.
 */
final class SigV4Verifier {

  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final AwsCredentialsIdentity credentials;
  private final String region;
  private final Clock clock;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  SigV4Verifier(String accessKeyId, String secretAccessKey, String region, Clock clock) {
    this.credentials = AwsCredentialsIdentity.create(accessKeyId, secretAccessKey);
    this.region = region;
    this.clock = clock;
  }

  /**
   * Checks one request.
   *
   * @param headers the request headers, names in any case
   * @throws AwsException MissingAuthenticationTokenException, IncompleteSignatureException,
   *     UnrecognizedClientException or InvalidSignatureException, as AWS answers
   */
  void verify(String method, URI uri, Map<String, List<String>> headers, byte[] body) throws AwsException {
    String authorization = header(headers, "authorization");
    if (authorization == null) {
      throw new AwsException(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) {
      throw new AwsException(400, "IncompleteSignatureException",
          "Authorization header requires the AWS4-HMAC-SHA256 algorithm");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : authorization.substring(17).split(",")) {
      String p = part.trim();
      if (p.startsWith("Credential=")) {
        credential = p.substring(11);
      } else if (p.startsWith("SignedHeaders=")) {
        signedHeaders = p.substring(14);
      } else if (p.startsWith("Signature=")) {
        signature = p.substring(10);
      }
    }
    String amzDate = header(headers, "x-amz-date");
    if (credential == null || signedHeaders == null || signature == null || amzDate == null) {
      throw new AwsException(400, "IncompleteSignatureException", "Authorization header requires 'Credential', "
          + "'Signature', 'SignedHeaders' parameters and an X-Amz-Date header.");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !"aws4_request".equals(scope[4])) {
      throw new AwsException(400, "IncompleteSignatureException", "Credential is malformed: " + credential);
    }
    if (!scope[0].equals(credentials.accessKeyId())) {
      throw new AwsException(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (!scope[2].equals(region)) {
      throw new AwsException(403, "InvalidSignatureException",
          "Credential should be scoped to a valid region, not '" + scope[2] + "'. This collector serves '" + region + "'.");
    }
    Instant signedAt;
    try {
      signedAt = AMZ_DATE.parse(amzDate, Instant::from);
    } catch (DateTimeParseException e) {
      throw new AwsException(400, "IncompleteSignatureException", "X-Amz-Date is malformed: " + amzDate);
    }
    if (!scope[1].equals(amzDate.substring(0, 8))) {
      throw new AwsException(403, "InvalidSignatureException",
          "Credential should be scoped to a valid date, not '" + scope[1] + "'.");
    }
    Instant now = clock.instant();
    if (signedAt.isBefore(now.minus(MAX_SKEW))) {
      throw new AwsException(400, "InvalidSignatureException", "Signature expired: " + amzDate
          + " is now earlier than " + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now)
          + " - 5 min.)");
    }
    if (signedAt.isAfter(now.plus(MAX_SKEW))) {
      throw new AwsException(400, "InvalidSignatureException", "Signature not yet current: " + amzDate
          + " is still later than " + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now)
          + " + 5 min.)");
    }

    SdkHttpRequest.Builder request = SdkHttpRequest.builder()
        .method(SdkHttpMethod.fromValue(method))
        .protocol("http")
        .host(hostOf(header(headers, "host")))
        .encodedPath(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
    Integer port = portOf(header(headers, "host"));
    if (port != null) {
      request.port(port);
    }
    String rawQuery = uri.getRawQuery();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        request.appendRawQueryParameter(
            java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? null : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    for (String name : signedHeaders.split(";")) {
      List<String> values = values(headers, name);
      if (values == null) {
        throw new AwsException(403, "InvalidSignatureException", "Signed header '" + name + "' is missing.");
      }
      if (!name.equals("host")) {
        request.putHeader(name, values);
      }
    }
    SignedRequest expected = signer.sign(r -> r
        .request(request.build())
        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
        .identity(credentials)
        .putProperty(AwsV4HttpSigner.REGION_NAME, scope[2])
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, scope[3])
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    String expectedAuthorization = expected.request().firstMatchingHeader("Authorization").orElse("");
    String expectedSignature = expectedAuthorization.substring(expectedAuthorization.indexOf("Signature=") + 10);
    if (!MessageDigest.isEqual(expectedSignature.getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      throw new AwsException(403, "InvalidSignatureException", "The request signature we calculated does not match "
          + "the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service "
          + "documentation for details.");
    }
  }

  private static String hostOf(String hostHeader) {
    if (hostHeader == null) {
      return "localhost";
    }
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 && hostHeader.indexOf(']') < colon ? hostHeader.substring(0, colon) : hostHeader;
  }

  private static Integer portOf(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    int colon = hostHeader.lastIndexOf(':');
    if (colon > 0 && hostHeader.indexOf(']') < colon) {
      try {
        return Integer.parseInt(hostHeader.substring(colon + 1));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String header(Map<String, List<String>> headers, String name) {
    List<String> values = values(headers, name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static List<String> values(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }
}
