package dev.trailmark.collector.local;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 on incoming requests, from the specification: the canonical
 * request is rebuilt from exactly what the request carries and names in its {@code SignedHeaders},
 * never re-signed with a client library (which would add headers of its own choosing and refuse
 * every client that signs otherwise).
 *
 * <p>What is checked: the access key id, the HMAC-SHA256 signature over method, normalised path,
 * canonical query, the signed headers and the payload hash (the body's SHA-256, or the request's
 * {@code X-Amz-Content-Sha256} when it sends one, which then must match the body unless it is
 * {@code UNSIGNED-PAYLOAD}); the credential scope's date, region, service and terminator; the
 * signing time within {@link #MAX_SKEW}; {@code host} among the signed headers. Presigned requests
 * (query-string {@code X-Amz-*} parameters) are accepted until {@code X-Amz-Expires}.
 *
 * <p>Where this local endpoint is more lenient than AWS, on purpose: the clock may be 15 minutes
 * off either way (the Kinesis-family JSON endpoints allow 5); the {@code Host} value is not
 * compared with the address the collector listens on (ports are forwarded and proxied locally, and
 * the signature already covers what the client saw); a {@code Date} header stands in for a missing
 * {@code X-Amz-Date}.
 *
 * <p>Errors carry the code and HTTP status the AWS endpoint of the same protocol answers: JSON 1.1
 * services (CloudWatch Logs, Firehose) answer 400 {@code InvalidSignatureException} / {@code
 * UnrecognizedClientException}; CloudWatch (query protocol, and the query-compatible JSON 1.0 that
 * botocore 1.43 speaks) answers 403 {@code SignatureDoesNotMatch} / {@code InvalidClientTokenId};
 * the REST-JSON X-Ray API answers 403.
 */
final class SigV4Verifier {

  static final Duration MAX_SKEW = Duration.ofMinutes(15);

  /** The longest validity a presigned request may claim, as AWS allows: seven days. */
  static final long MAX_EXPIRES_SECONDS = 604_800;

  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  /** How the API a request is meant for reports authentication failures. */
  enum Protocol {
    /**
     * AWS JSON 1.1 (CloudWatch Logs, Firehose): 400 for a bad or expired signature and an unknown
     * key.
     */
    JSON(
        400,
        "InvalidSignatureException",
        "UnrecognizedClientException",
        403,
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException"),
    /** REST-JSON (X-Ray): the same codes, all answered 403. */
    REST_JSON(
        403,
        "InvalidSignatureException",
        "UnrecognizedClientException",
        403,
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException"),
    /**
     * CloudWatch's query protocol and its query-compatible JSON 1.0: the query error codes,
     * answered 403.
     */
    QUERY(
        403,
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        403,
        "MissingAuthenticationToken",
        "IncompleteSignature");

    final int signatureStatus;
    final String signatureCode;
    final String unknownKeyCode;
    final int missingStatus;
    final String missingCode;
    final String incompleteCode;

    Protocol(
        int signatureStatus,
        String signatureCode,
        String unknownKeyCode,
        int missingStatus,
        String missingCode,
        String incompleteCode) {
      this.signatureStatus = signatureStatus;
      this.signatureCode = signatureCode;
      this.unknownKeyCode = unknownKeyCode;
      this.missingStatus = missingStatus;
      this.missingCode = missingCode;
      this.incompleteCode = incompleteCode;
    }

    AwsException signature(String message) {
      return new AwsException(signatureStatus, signatureCode, message);
    }

    AwsException incomplete(String message) {
      return new AwsException(400, incompleteCode, message);
    }
  }

  private final String accessKeyId;
  private final byte[] secretKey;
  private final String region;
  private final Clock clock;

  SigV4Verifier(String accessKeyId, String secretAccessKey, String region, Clock clock) {
    this.accessKeyId = accessKeyId;
    this.secretKey = ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8);
    this.region = region;
    this.clock = clock;
  }

  /**
   * Checks one request addressed to one of the collector's AWS APIs; the API (and so the service
   * the credential must be scoped to and the error codes) is told from the request itself.
   *
   * @param headers the request headers, names in any case
   * @throws AwsException in the shape the addressed AWS API answers
   */
  void verify(String method, URI uri, Map<String, List<String>> headers, byte[] body)
      throws AwsException {
    String target = header(headers, "x-amz-target");
    String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
    Protocol protocol;
    String service;
    if (target != null && target.startsWith(FirehoseApi.TARGET_PREFIX)) {
      protocol = Protocol.JSON;
      service = "firehose";
    } else if (target != null && target.startsWith(CloudWatchJson.TARGET_PREFIX)
        || target == null && CloudWatchMetricsApi.isQuery(header(headers, "content-type"))) {
      protocol = Protocol.QUERY;
      service = "monitoring";
    } else if (target == null && XRayApi.PATH.equals(path)) {
      protocol = Protocol.REST_JSON;
      service = "xray";
    } else {
      protocol = Protocol.JSON;
      service = "logs";
    }
    verify(method, path, uri.getRawQuery(), headers, body, service, protocol);
  }

  /**
   * Checks one request against the credential scope of {@code service}.
   *
   * @param rawPath the path as it came on the wire (percent-encoded or not)
   * @param rawQuery the query as it came on the wire, or null
   */
  void verify(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body,
      String service,
      Protocol protocol)
      throws AwsException {
    List<String[]> query = parseQuery(rawQuery);
    Signed signed =
        queryValue(query, "X-Amz-Algorithm") != null
            ? fromQuery(query, protocol)
            : fromAuthorizationHeader(headers, protocol);

    String[] scope = signed.credential.split("/", -1);
    if (scope.length != 5) {
      throw protocol.incomplete(
          "Credential should have exactly 5 slash-delimited elements, e.g. "
              + "keyid/date/region/service/term, got '"
              + signed.credential
              + "'");
    }
    if (!scope[0].equals(accessKeyId)) {
      throw new AwsException(
          protocol.signatureStatus,
          protocol.unknownKeyCode,
          "The security token included in the request is invalid.");
    }
    Instant signedAt;
    try {
      signedAt = AMZ_DATE.parse(signed.amzDate, Instant::from);
    } catch (DateTimeParseException e) {
      throw protocol.incomplete(
          "Date must be in ISO-8601 'basic format'. Got '"
              + signed.amzDate
              + "'. See "
              + "http://en.wikipedia.org/wiki/ISO_8601");
    }
    if (!scope[1].equals(signed.amzDate.substring(0, 8))) {
      throw protocol.signature(
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
              + "from HTTP: '"
              + scope[1]
              + "' != '"
              + signed.amzDate.substring(0, 8)
              + "', from '"
              + signed.amzDate
              + "'.");
    }
    if (!scope[2].equals(region)) {
      throw protocol.signature(
          "Credential should be scoped to a valid region, not '"
              + scope[2]
              + "'. This collector serves '"
              + region
              + "'.");
    }
    if (!scope[3].equals(service)) {
      throw protocol.signature(
          "Credential should be scoped to correct service: '" + service + "'. ");
    }
    if (!"aws4_request".equals(scope[4])) {
      throw protocol.signature(
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + scope[4]
              + "'.");
    }
    List<String> signedHeaders = List.of(signed.signedHeaders.split(";", -1));
    if (!signedHeaders.contains("host")) {
      throw protocol.incomplete(
          "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    Instant now = clock.instant();
    if (signed.expiresSeconds >= 0) {
      if (now.isAfter(signedAt.plusSeconds(signed.expiresSeconds))) {
        throw protocol.signature(
            "Signature expired: "
                + signed.amzDate
                + " is now earlier than "
                + AMZ_DATE.format(now.minusSeconds(signed.expiresSeconds))
                + " ("
                + AMZ_DATE.format(now)
                + " - "
                + signed.expiresSeconds
                + " sec.)");
      }
      if (signedAt.isAfter(now.plus(MAX_SKEW))) {
        throw notYetCurrent(protocol, signed.amzDate, now);
      }
    } else {
      if (signedAt.isBefore(now.minus(MAX_SKEW))) {
        throw protocol.signature(
            "Signature expired: "
                + signed.amzDate
                + " is now earlier than "
                + AMZ_DATE.format(now.minus(MAX_SKEW))
                + " ("
                + AMZ_DATE.format(now)
                + " - "
                + MAX_SKEW.toMinutes()
                + " min.)");
      }
      if (signedAt.isAfter(now.plus(MAX_SKEW))) {
        throw notYetCurrent(protocol, signed.amzDate, now);
      }
    }

    String payloadHash = payloadHash(headers, body, signed.presigned, protocol);
    String canonicalRequest =
        canonicalRequest(
            method,
            rawPath,
            query,
            signed.presigned,
            headers,
            signedHeaders,
            signed.signedHeaders,
            payloadHash,
            protocol);
    String credentialScope = scope[1] + "/" + scope[2] + "/" + scope[3] + "/" + scope[4];
    String stringToSign =
        ALGORITHM
            + "\n"
            + signed.amzDate
            + "\n"
            + credentialScope
            + "\n"
            + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(hmac(hmac(hmac(secretKey, scope[1]), scope[2]), scope[3]), "aws4_request");
    byte[] expected = HEX.formatHex(hmac(key, stringToSign)).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(
        expected, signed.signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      throw protocol.signature(
          "The request signature we calculated does not match the signature you provided. "
              + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
              + "\n\nThe Canonical String for this request should have been\n'"
              + canonicalRequest
              + "'\n\n"
              + "The String-to-Sign should have been\n'"
              + stringToSign
              + "'\n");
    }
  }

  private static AwsException notYetCurrent(Protocol protocol, String amzDate, Instant now) {
    return protocol.signature(
        "Signature not yet current: "
            + amzDate
            + " is still later than "
            + AMZ_DATE.format(now.plus(MAX_SKEW))
            + " ("
            + AMZ_DATE.format(now)
            + " + "
            + MAX_SKEW.toMinutes()
            + " min.)");
  }

  /**
   * What the client says it signed: from the {@code Authorization} header or from a presigned
   * query.
   */
  private record Signed(
      String credential,
      String signedHeaders,
      String signature,
      String amzDate,
      long expiresSeconds,
      boolean presigned) {}

  private static Signed fromAuthorizationHeader(
      Map<String, List<String>> headers, Protocol protocol) throws AwsException {
    String authorization = header(headers, "authorization");
    if (authorization == null) {
      throw new AwsException(
          protocol.missingStatus, protocol.missingCode, "Missing Authentication Token");
    }
    authorization = authorization.trim();
    int space = authorization.indexOf(' ');
    String algorithm = space < 0 ? authorization : authorization.substring(0, space);
    if (!ALGORITHM.equals(algorithm)) {
      throw protocol.incomplete(
          "Unsupported AWS 'algorithm': '"
              + algorithm
              + "'. This collector verifies "
              + ALGORITHM
              + " (Signature Version 4).");
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : authorization.substring(space + 1).split(",")) {
      String p = part.trim();
      if (p.startsWith("Credential=")) {
        credential = p.substring(11);
      } else if (p.startsWith("SignedHeaders=")) {
        signedHeaders = p.substring(14);
      } else if (p.startsWith("Signature=")) {
        signature = p.substring(10);
      }
    }
    StringBuilder missing = new StringBuilder();
    if (credential == null || credential.isEmpty()) {
      missing.append("Authorization header requires 'Credential' parameter. ");
    }
    if (signature == null || signature.isEmpty()) {
      missing.append("Authorization header requires 'Signature' parameter. ");
    }
    if (signedHeaders == null || signedHeaders.isEmpty()) {
      missing.append("Authorization header requires 'SignedHeaders' parameter. ");
    }
    String amzDate = header(headers, "x-amz-date");
    if (amzDate == null) {
      String date = header(headers, "date");
      if (date != null) {
        try {
          amzDate =
              AMZ_DATE.format(
                  DateTimeFormatter.RFC_1123_DATE_TIME.parse(date.trim(), Instant::from));
        } catch (DateTimeParseException e) {
          throw protocol.incomplete("Date header is not an RFC 1123 date: '" + date + "'");
        }
      }
    }
    if (amzDate == null) {
      missing.append(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    if (missing.length() > 0) {
      throw protocol.incomplete(missing + "Authorization=" + authorization);
    }
    return new Signed(credential, signedHeaders, signature, amzDate.trim(), -1, false);
  }

  private static Signed fromQuery(List<String[]> query, Protocol protocol) throws AwsException {
    String algorithm = queryValue(query, "X-Amz-Algorithm");
    if (!ALGORITHM.equals(algorithm)) {
      throw protocol.incomplete(
          "Unsupported AWS 'algorithm': '"
              + algorithm
              + "'. This collector verifies "
              + ALGORITHM
              + " (Signature Version 4).");
    }
    StringBuilder missing = new StringBuilder();
    for (String name :
        List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
      String value = queryValue(query, name);
      if (value == null || value.isEmpty()) {
        missing.append("AWS query-string parameters must include '").append(name).append("'. ");
      }
    }
    if (missing.length() > 0) {
      throw protocol.incomplete(missing + "Re-examine the query-string parameters.");
    }
    long expires = MAX_EXPIRES_SECONDS;
    String expiresText = queryValue(query, "X-Amz-Expires");
    if (expiresText != null) {
      try {
        expires = Long.parseLong(expiresText);
      } catch (NumberFormatException e) {
        expires = -1;
      }
      if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
        throw protocol.incomplete(
            "X-Amz-Expires must be a whole number of seconds from 1 to "
                + MAX_EXPIRES_SECONDS
                + " (seven days), not '"
                + expiresText
                + "'");
      }
    }
    return new Signed(
        queryValue(query, "X-Amz-Credential"),
        queryValue(query, "X-Amz-SignedHeaders"),
        queryValue(query, "X-Amz-Signature"),
        queryValue(query, "X-Amz-Date"),
        expires,
        true);
  }

  /**
   * The payload line of the canonical request. A client that sends {@code X-Amz-Content-Sha256}
   * signs with that value (botocore and older SDKs send none and sign the body's hash); a presigned
   * request signs {@code UNSIGNED-PAYLOAD}, as botocore's presigner does, unless it sends the
   * header.
   */
  private static String payloadHash(
      Map<String, List<String>> headers, byte[] body, boolean presigned, Protocol protocol)
      throws AwsException {
    String declared = header(headers, "x-amz-content-sha256");
    if (declared == null) {
      return presigned ? UNSIGNED_PAYLOAD : HEX.formatHex(sha256(body));
    }
    declared = declared.trim();
    if (UNSIGNED_PAYLOAD.equals(declared)) {
      return declared;
    }
    if (declared.startsWith("STREAMING-")) {
      throw protocol.incomplete(
          "x-amz-content-sha256 '"
              + declared
              + "' (chunked signing) is not supported by "
              + "the collector's APIs; send the body's SHA-256 or UNSIGNED-PAYLOAD.");
    }
    String actual = HEX.formatHex(sha256(body));
    if (!actual.equalsIgnoreCase(declared)) {
      throw protocol.signature(
          "The provided 'x-amz-content-sha256' header does not match what was computed. "
              + "Computed: '"
              + actual
              + "', provided: '"
              + declared
              + "'.");
    }
    return declared;
  }

  /** The SigV4 canonical request, from the parts as the request carries them. */
  static String canonicalRequest(
      String method,
      String rawPath,
      List<String[]> query,
      boolean presigned,
      Map<String, List<String>> headers,
      List<String> signedHeaders,
      String signedHeadersText,
      String payloadHash,
      Protocol protocol)
      throws AwsException {
    StringBuilder out = new StringBuilder(256);
    out.append(method)
        .append('\n')
        .append(canonicalUri(rawPath))
        .append('\n')
        .append(canonicalQuery(query, presigned))
        .append('\n');
    for (String name : signedHeaders) {
      List<String> values = values(headers, name);
      if (values == null) {
        throw protocol.signature(
            "The request signature we calculated does not match the signature you provided: "
                + "SignedHeaders names '"
                + name
                + "', which the request does not carry.");
      }
      out.append(name).append(':');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(canonicalHeaderValue(values.get(i)));
      }
      out.append('\n');
    }
    out.append('\n').append(signedHeadersText).append('\n').append(payloadHash);
    return out.toString();
  }

  /**
   * The path as AWS services other than S3 canonicalise it: dot segments resolved and empty
   * segments dropped, then every byte outside the unreserved set percent-encoded once more (so a
   * client's {@code %20} becomes {@code %2520}, which is what the SDKs sign for these services).
   */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }
    StringBuilder out = new StringBuilder(rawPath.length() + 16);
    for (String segment : segments) {
      out.append('/').append(encode(segment.getBytes(StandardCharsets.UTF_8)));
    }
    if (segments.isEmpty() || rawPath.endsWith("/")) {
      out.append('/');
    }
    return out.toString();
  }

  /**
   * Query parameters sorted by encoded name, then encoded value; a parameter without {@code =} has
   * an empty value; repeated names are all kept. A presigned request's own {@code X-Amz-Signature}
   * is left out.
   */
  static String canonicalQuery(List<String[]> query, boolean presigned) {
    List<String[]> encoded = new ArrayList<>(query.size());
    for (String[] pair : query) {
      if (presigned && pair[0].equals("X-Amz-Signature")) {
        continue;
      }
      encoded.add(
          new String[] {
            encode(pair[0].getBytes(StandardCharsets.UTF_8)),
            encode(pair[1].getBytes(StandardCharsets.UTF_8))
          });
    }
    encoded.sort(
        (a, b) -> {
          int byName = a[0].compareTo(b[0]);
          return byName != 0 ? byName : a[1].compareTo(b[1]);
        });
    StringBuilder out = new StringBuilder();
    for (String[] pair : encoded) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(pair[0]).append('=').append(pair[1]);
    }
    return out.toString();
  }

  /** Leading and trailing spaces trimmed, line folds and runs of spaces made one space. */
  static String canonicalHeaderValue(String value) {
    StringBuilder out = new StringBuilder(value.length());
    boolean space = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        space = out.length() > 0;
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Name/value pairs of a raw query, percent-decoded ({@code +} stays a plus: the SDKs encode a
   * space as %20).
   */
  static List<String[]> parseQuery(String rawQuery) {
    List<String[]> pairs = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return pairs;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      pairs.add(
          new String[] {
            decode(eq < 0 ? pair : pair.substring(0, eq)),
            eq < 0 ? "" : decode(pair.substring(eq + 1))
          });
    }
    return pairs;
  }

  private static String queryValue(List<String[]> query, String name) {
    for (String[] pair : query) {
      if (pair[0].equals(name)) {
        return pair[1];
      }
    }
    return null;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '%'
          && i + 2 < bytes.length
          && Character.digit(bytes[i + 1], 16) >= 0
          && Character.digit(bytes[i + 2], 16) >= 0) {
        out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
        i += 2;
      } else {
        out.write(bytes[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex. */
  private static String encode(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
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
