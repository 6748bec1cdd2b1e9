package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The verifier against AWS's Signature Version 4 test suite, and each way a request is refused.
 *
 * <p>The vectors are the suite's own documented requests and expected {@code Authorization} headers
 * (aws-sig-v4-test-suite, dated 2015-08-30, as kept today in awslabs/aws-c-auth {@code
 * tests/aws-signing-test-suite/v4}): credentials {@code AKIDEXAMPLE} / {@code
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY}, {@code 20150830T123600Z}, {@code us-east-1}, service
 * {@code service}. The verifier must accept each as signed, and refuse it with one hex digit
 * changed.
 */
class SigV4VerifierTest {

  static final String KEY = "AKIDEXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");
  static final String SCOPE =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";
  static final String TOKEN =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
          + "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9H"
          + "FvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iS"
          + "IlTJabIQwj2ICCR/oLxBA==";

  /** One suite case: the request as its .req file shows it, and the suite's .authz line. */
  record Vector(
      String name,
      String method,
      String path,
      String query,
      List<String[]> headers,
      String body,
      String signedHeaders,
      String signature) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Vector v(
      String name,
      String method,
      String target,
      String signedHeaders,
      String signature,
      String... headers) {
    return withBody(name, method, target, signedHeaders, signature, "", headers);
  }

  static Vector withBody(
      String name,
      String method,
      String target,
      String signedHeaders,
      String signature,
      String body,
      String... headers) {
    int q = target.indexOf('?');
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {"Host", "example.amazonaws.com"});
    for (int i = 0; i < headers.length; i += 2) {
      h.add(new String[] {headers[i], headers[i + 1]});
    }
    h.add(new String[] {"X-Amz-Date", "20150830T123600Z"});
    return new Vector(
        name,
        method,
        q < 0 ? target : target.substring(0, q),
        q < 0 ? null : target.substring(q + 1),
        h,
        body,
        signedHeaders,
        signature);
  }

  static Stream<Vector> suite() {
    String plain = "host;x-amz-date";
    String my1 = "host;my-header1;x-amz-date";
    return Stream.of(
        v(
            "get-vanilla",
            "GET",
            "/",
            plain,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v(
            "get-vanilla-empty-query-key",
            "GET",
            "/?Param1=value1",
            plain,
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        v(
            "get-vanilla-query-order-key",
            "GET",
            "/?Param1=value2&Param1=Value1",
            plain,
            "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        v(
            "get-vanilla-query-order-key-case",
            "GET",
            "/?Param2=value2&Param1=value1",
            plain,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        v(
            "get-vanilla-query-order-value",
            "GET",
            "/?Param1=value2&Param1=value1",
            plain,
            "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        v(
            "get-vanilla-query-order-encoded",
            "GET",
            "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
            plain,
            "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        v(
            "get-vanilla-query-unreserved",
            "GET",
            "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                + "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            plain,
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        v(
            "get-vanilla-utf8-query",
            "GET",
            "/?\u1234=bar",
            plain,
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        v(
            "get-unreserved",
            "GET",
            "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            plain,
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        v(
            "get-utf8",
            "GET",
            "/\u1234",
            plain,
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        v(
            "get-header-key-duplicate",
            "GET",
            "/",
            my1,
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
            "My-Header1",
            "value2",
            "My-Header1",
            "value2",
            "My-Header1",
            "value1"),
        v(
            "get-header-value-multiline",
            "GET",
            "/",
            my1,
            "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd",
            "My-Header1",
            "value1\n  value2\n     value3"),
        v(
            "get-header-value-order",
            "GET",
            "/",
            my1,
            "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
            "My-Header1",
            "value4",
            "My-Header1",
            "value1",
            "My-Header1",
            "value3",
            "My-Header1",
            "value2"),
        v(
            "get-header-value-trim",
            "GET",
            "/",
            "host;my-header1;my-header2;x-amz-date",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            "My-Header1",
            " value1",
            "My-Header2",
            " \"a   b   c\""),
        v(
            "post-vanilla",
            "POST",
            "/",
            plain,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        v(
            "post-vanilla-query",
            "POST",
            "/?Param1=value1",
            plain,
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        v(
            "post-header-key-sort",
            "POST",
            "/",
            my1,
            "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
            "My-Header1",
            "value1"),
        v(
            "post-header-value-case",
            "POST",
            "/",
            my1,
            "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
            "My-Header1",
            "VALUE1"),
        withBody(
            "post-x-www-form-urlencoded",
            "POST",
            "/",
            "content-type;host;x-amz-date",
            "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            "Param1=value1",
            "Content-Type",
            "application/x-www-form-urlencoded"),
        withBody(
            "post-x-www-form-urlencoded-parameters",
            "POST",
            "/",
            "content-type;host;x-amz-date",
            "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
            "Param1=value1",
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf8"),
        v(
            "post-sts-header-before",
            "POST",
            "/",
            "host;x-amz-date;x-amz-security-token",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
            "X-Amz-Security-Token",
            TOKEN),
        // The token travels but is not signed: an unsigned header must not enter the canonical
        // request.
        v(
            "post-sts-header-after",
            "POST",
            "/",
            plain,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            "X-Amz-Security-Token",
            TOKEN),
        v(
            "normalize-path/get-relative",
            "GET",
            "/example/..",
            plain,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v(
            "normalize-path/get-relative-relative",
            "GET",
            "/example1/example2/../..",
            plain,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v(
            "normalize-path/get-slash",
            "GET",
            "//",
            plain,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v(
            "normalize-path/get-slash-dot-slash",
            "GET",
            "/./",
            plain,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        v(
            "normalize-path/get-slash-pointless-dot",
            "GET",
            "/./example",
            plain,
            "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        v(
            "normalize-path/get-slashes",
            "GET",
            "//example//",
            plain,
            "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        v(
            "normalize-path/get-space",
            "GET",
            "/example space/",
            plain,
            "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"));
  }

  static SigV4Verifier verifier(Instant now) {
    return new SigV4Verifier(KEY, SECRET, "us-east-1", Clock.fixed(now, ZoneOffset.UTC));
  }

  static Map<String, List<String>> headers(Vector v, String signature) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String[] h : v.headers()) {
      headers.computeIfAbsent(h[0], k -> new ArrayList<>()).add(h[1]);
    }
    headers.put(
        "Authorization",
        List.of(SCOPE + "SignedHeaders=" + v.signedHeaders() + ", Signature=" + signature));
    return headers;
  }

  static void verify(SigV4Verifier verifier, Vector v, Map<String, List<String>> headers)
      throws AwsException {
    verifier.verify(
        v.method(),
        v.path(),
        v.query(),
        headers,
        v.body().getBytes(StandardCharsets.UTF_8),
        "service",
        SigV4Verifier.Protocol.JSON);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suite")
  void acceptsTheSuitesSignature(Vector v) {
    assertThatCode(() -> verify(verifier(SIGNED_AT), v, headers(v, v.signature())))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suite")
  void refusesTheSuitesRequestWithOneDigitChanged(Vector v) {
    char last = v.signature().charAt(63);
    String changed = v.signature().substring(0, 63) + (last == '0' ? '1' : '0');
    assertThatThrownBy(() -> verify(verifier(SIGNED_AT), v, headers(v, changed)))
        .isInstanceOfSatisfying(
            AwsException.class,
            e -> {
              assertThat(e.type()).isEqualTo("InvalidSignatureException");
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage())
                  .startsWith("The request signature we calculated does not match")
                  .contains("The Canonical String for this request should have been");
            });
  }

  /** The vector's signed headers with one part of its Authorization header replaced. */
  static Map<String, List<String>> withAuthorizationEdit(Vector v, String from, String to) {
    Map<String, List<String>> headers = headers(v, v.signature());
    headers.put("Authorization", List.of(headers.get("Authorization").get(0).replace(from, to)));
    return headers;
  }

  static Vector vanilla() {
    return suite().filter(x -> x.name().equals("get-vanilla")).findFirst().orElseThrow();
  }

  static AwsException refusal(SigV4Verifier verifier, Vector v, Map<String, List<String>> headers) {
    return assertRefused(() -> verify(verifier, v, headers));
  }

  @Test
  void theClockMayBeFifteenMinutesOffEitherWay() {
    Vector v = vanilla();
    assertThatCode(
            () ->
                verify(
                    verifier(SIGNED_AT.plus(Duration.ofMinutes(15))), v, headers(v, v.signature())))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                verify(
                    verifier(SIGNED_AT.minus(Duration.ofMinutes(15))),
                    v,
                    headers(v, v.signature())))
        .doesNotThrowAnyException();
    AwsException expired =
        refusal(verifier(SIGNED_AT.plus(Duration.ofMinutes(16))), v, headers(v, v.signature()));
    assertThat(expired.type()).isEqualTo("InvalidSignatureException");
    assertThat(expired.status()).isEqualTo(400);
    assertThat(expired.getMessage())
        .isEqualTo(
            "Signature expired: 20150830T123600Z is now earlier than "
                + "20150830T123700Z (20150830T125200Z - 15 min.)");
    AwsException early =
        refusal(verifier(SIGNED_AT.minus(Duration.ofMinutes(16))), v, headers(v, v.signature()));
    assertThat(early.getMessage())
        .isEqualTo(
            "Signature not yet current: 20150830T123600Z is still later than "
                + "20150830T123500Z (20150830T122000Z + 15 min.)");
  }

  @Test
  void anUnknownAccessKeyIsUnrecognized() {
    Vector v = vanilla();
    AwsException e =
        refusal(verifier(SIGNED_AT), v, withAuthorizationEdit(v, "AKIDEXAMPLE", "AKIDOTHER"));
    assertThat(e.type()).isEqualTo("UnrecognizedClientException");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).isEqualTo("The security token included in the request is invalid.");
  }

  @Test
  void theScopeMustNameThisRegionTheServiceAndTheSigningDay() {
    Vector v = vanilla();
    assertThat(
            refusal(verifier(SIGNED_AT), v, withAuthorizationEdit(v, "/us-east-1/", "/eu-west-1/"))
                .getMessage())
        .startsWith("Credential should be scoped to a valid region, not 'eu-west-1'");
    assertThat(
            refusal(verifier(SIGNED_AT), v, withAuthorizationEdit(v, "/service/", "/logs/"))
                .getMessage())
        .startsWith("Credential should be scoped to correct service: 'service'");
    assertThat(
            refusal(verifier(SIGNED_AT), v, withAuthorizationEdit(v, "/20150830/", "/20150831/"))
                .getMessage())
        .startsWith("Date in Credential scope does not match YYYYMMDD");
  }

  @Test
  void hostMustBeSigned() {
    Vector v =
        suite().filter(x -> x.name().equals("post-header-key-sort")).findFirst().orElseThrow();
    AwsException e =
        refusal(
            verifier(SIGNED_AT),
            v,
            withAuthorizationEdit(v, "host;my-header1;x-amz-date", "my-header1;x-amz-date"));
    assertThat(e.type()).isEqualTo("IncompleteSignatureException");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage())
        .isEqualTo("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void aSignedHeaderTheRequestLacksIsRefused() {
    Vector v =
        suite().filter(x -> x.name().equals("post-header-key-sort")).findFirst().orElseThrow();
    Map<String, List<String>> headers = headers(v, v.signature());
    headers.remove("My-Header1");
    assertThat(refusal(verifier(SIGNED_AT), v, headers).getMessage())
        .contains("SignedHeaders names 'my-header1'");
  }

  @Test
  void aChangedSignedHeaderValueIsRefused() {
    Vector v =
        suite().filter(x -> x.name().equals("post-header-key-sort")).findFirst().orElseThrow();
    Map<String, List<String>> headers = headers(v, v.signature());
    headers.put("My-Header1", List.of("value2"));
    assertThat(refusal(verifier(SIGNED_AT), v, headers).type())
        .isEqualTo("InvalidSignatureException");
  }

  @Test
  void theBodyIsCoveredByTheSignature() {
    Vector v =
        suite()
            .filter(x -> x.name().equals("post-x-www-form-urlencoded"))
            .findFirst()
            .orElseThrow();
    Vector tampered =
        new Vector(
            v.name(),
            v.method(),
            v.path(),
            v.query(),
            v.headers(),
            "Param1=value2",
            v.signedHeaders(),
            v.signature());
    assertThat(refusal(verifier(SIGNED_AT), tampered, headers(v, v.signature())).getMessage())
        .startsWith("The request signature we calculated does not match");
  }

  @Test
  void malformedAuthorizationIsIncomplete() {
    Vector v = vanilla();
    Map<String, List<String>> headers = headers(v, v.signature());
    headers.put("Authorization", List.of(SCOPE + "SignedHeaders=host;x-amz-date"));
    AwsException e = refusal(verifier(SIGNED_AT), v, headers);
    assertThat(e.type()).isEqualTo("IncompleteSignatureException");
    assertThat(e.getMessage()).contains("Authorization header requires 'Signature' parameter.");
    headers.put("Authorization", List.of("AWS4-ECDSA-P256-SHA256 Credential=x"));
    assertThat(refusal(verifier(SIGNED_AT), v, headers).getMessage())
        .startsWith("Unsupported AWS 'algorithm'");
    headers.remove("Authorization");
    AwsException missing = refusal(verifier(SIGNED_AT), v, headers);
    assertThat(missing.type()).isEqualTo("MissingAuthenticationTokenException");
  }

  @Test
  void eachProtocolAnswersWithItsOwnCodes() {
    Vector v = vanilla();
    Map<String, List<String>> headers = headers(v, "0".repeat(64));
    AwsException query =
        assertRefused(
            () ->
                verifier(SIGNED_AT)
                    .verify(
                        "GET",
                        "/",
                        null,
                        headers,
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.QUERY));
    assertThat(query.type()).isEqualTo("SignatureDoesNotMatch");
    assertThat(query.status()).isEqualTo(403);
    AwsException rest =
        assertRefused(
            () ->
                verifier(SIGNED_AT)
                    .verify(
                        "GET",
                        "/",
                        null,
                        headers,
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.REST_JSON));
    assertThat(rest.type()).isEqualTo("InvalidSignatureException");
    assertThat(rest.status()).isEqualTo(403);
    headers.put(
        "Authorization",
        List.of(headers.get("Authorization").get(0).replace("AKIDEXAMPLE", "AKIDOTHER")));
    AwsException unknown =
        assertRefused(
            () ->
                verifier(SIGNED_AT)
                    .verify(
                        "GET",
                        "/",
                        null,
                        headers,
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.QUERY));
    assertThat(unknown.type()).isEqualTo("InvalidClientTokenId");
  }

  interface Call {
    void run() throws AwsException;
  }

  static AwsException assertRefused(Call call) {
    try {
      call.run();
    } catch (AwsException e) {
      return e;
    }
    throw new AssertionError("accepted");
  }

  @Test
  void aDeclaredPayloadHashMustMatchTheBodyUnlessUnsigned() throws Exception {
    Instant now = Instant.now();
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            // https: over plain HTTP the SDK's signer always signs the payload.
            .uri(java.net.URI.create("https://127.0.0.1:4318/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .build();
    // UNSIGNED-PAYLOAD: the SDK's signer, asked not to sign the payload, sends the header with that
    // value.
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(unsigned)
                        .payload(
                            software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(body))
                        .identity(AwsCredentialsIdentity.create(KEY, SECRET))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "service")
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)))
            .request();
    assertThat(signed.firstMatchingHeader("x-amz-content-sha256")).contains("UNSIGNED-PAYLOAD");
    assertThatCode(
            () ->
                verifier(now)
                    .verify(
                        "POST",
                        "/",
                        null,
                        signed.headers(),
                        "anything".getBytes(),
                        "service",
                        SigV4Verifier.Protocol.JSON))
        .doesNotThrowAnyException();

    SdkHttpRequest hashed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(unsigned)
                        .payload(
                            software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(body))
                        .identity(AwsCredentialsIdentity.create(KEY, SECRET))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "service")
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)))
            .request();
    assertThat(hashed.firstMatchingHeader("x-amz-content-sha256")).isPresent();
    assertThatCode(
            () ->
                verifier(now)
                    .verify(
                        "POST",
                        "/",
                        null,
                        hashed.headers(),
                        body,
                        "service",
                        SigV4Verifier.Protocol.JSON))
        .doesNotThrowAnyException();
    AwsException e =
        assertRefused(
            () ->
                verifier(now)
                    .verify(
                        "POST",
                        "/",
                        null,
                        hashed.headers(),
                        "{\"a\":2}".getBytes(StandardCharsets.UTF_8),
                        "service",
                        SigV4Verifier.Protocol.JSON));
    assertThat(e.getMessage())
        .startsWith("The provided 'x-amz-content-sha256' header does not match");
  }

  @Test
  void aPresignedRequestIsAcceptedUntilItExpires() {
    Instant now = Instant.now();
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.GET)
            .uri(java.net.URI.create("http://127.0.0.1:4318/some/path?b=2&a=1&a=0&empty="))
            .build();
    SdkHttpRequest presigned =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.request(request)
                        .identity(AwsCredentialsIdentity.create(KEY, SECRET))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "service")
                        .putProperty(
                            AwsV4HttpSigner.AUTH_LOCATION,
                            AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofMinutes(10))
                        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)))
            .request();
    assertThat(presigned.firstMatchingHeader("Authorization")).isEmpty();
    String path = presigned.getUri().getRawPath();
    String query = presigned.getUri().getRawQuery();
    assertThatCode(
            () ->
                verifier(now.plus(Duration.ofMinutes(9)))
                    .verify(
                        "GET",
                        path,
                        query,
                        presigned.headers(),
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.JSON))
        .doesNotThrowAnyException();
    AwsException expired =
        assertRefused(
            () ->
                verifier(now.plus(Duration.ofMinutes(11)))
                    .verify(
                        "GET",
                        path,
                        query,
                        presigned.headers(),
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.JSON));
    assertThat(expired.getMessage()).startsWith("Signature expired:");
    AwsException tampered =
        assertRefused(
            () ->
                verifier(now)
                    .verify(
                        "GET",
                        path,
                        query.replace("b=2", "b=3"),
                        presigned.headers(),
                        new byte[0],
                        "service",
                        SigV4Verifier.Protocol.JSON));
    assertThat(tampered.type()).isEqualTo("InvalidSignatureException");
  }
}
