package dev.trailmark.agent.metrics;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** AWS Signature Version 4 for one POST with a form body: the headers to add, Authorization included. */
final class SigV4 {

  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final String accessKeyId;
  private final String secretAccessKey;
  private final String sessionToken;
  private final String region;
  private final String service;

  SigV4(String accessKeyId, String secretAccessKey, String sessionToken, String region, String service) {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
    this.region = region;
    this.service = service;
  }

  /** Signs {@code POST path} to {@code host}; returns the headers to send (host excepted). */
  Map<String, String> sign(String host, String path, String contentType, byte[] body, ZonedDateTime now) {
    String amzDate = AMZ_DATE.format(now.withZoneSameInstant(ZoneOffset.UTC));
    String day = amzDate.substring(0, 8);
    String payloadHash = hex(sha256(body));
    TreeMap<String, String> signed = new TreeMap<>();
    signed.put("content-type", contentType);
    signed.put("host", host);
    signed.put("x-amz-content-sha256", payloadHash);
    signed.put("x-amz-date", amzDate);
    if (sessionToken != null) {
      signed.put("x-amz-security-token", sessionToken);
    }
    StringBuilder canonicalHeaders = new StringBuilder();
    StringBuilder signedHeaders = new StringBuilder();
    for (Map.Entry<String, String> h : signed.entrySet()) {
      canonicalHeaders.append(h.getKey()).append(':').append(h.getValue().trim()).append('\n');
      signedHeaders.append(signedHeaders.length() == 0 ? "" : ";").append(h.getKey());
    }
    String canonicalRequest = "POST\n" + (path.isEmpty() ? "/" : path) + "\n\n" + canonicalHeaders + "\n"
        + signedHeaders + "\n" + payloadHash;
    String scope = day + "/" + region + "/" + service + "/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), day);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    String signature = hex(hmac(key, toSign));
    Map<String, String> headers = new TreeMap<>(signed);
    headers.remove("host");
    headers.put("authorization", "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/" + scope
        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    return headers;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
