package dev.trailmark.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real two-hour digest chain signed with a generated RSA key, then damaged in each way. */
class DigestVerifierTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String BUCKET = "org-cloudtrail-logs";
  private static final String LOGS = "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/";
  private static final String DIGESTS =
      "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/";

  @TempDir Path root;
  private KeyPair keys;
  private Path pem;
  private Path digest1;
  private Path digest2;
  private Path log1;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeEach
  void writeChain() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    keys = gen.generateKeyPair();
    pem = root.resolve("key.pem");
    Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    Path bucket = root.resolve("bucket");
    log1 =
        writeGz(
            bucket.resolve(LOGS + "123456789012_CloudTrail_us-east-1_20261120T1005Z_a.json.gz"),
            "{\"Records\":[{\"eventName\":\"StopLogging\"}]}");
    Path log2 =
        writeGz(
            bucket.resolve(LOGS + "123456789012_CloudTrail_us-east-1_20261120T1105Z_b.json.gz"),
            "{\"Records\":[{\"eventName\":\"DescribeInstances\"}]}");
    String key1 =
        DIGESTS
            + "123456789012_CloudTrail-Digest_us-east-1_main_us-east-1_20261120T110000Z.json.gz";
    String key2 =
        DIGESTS
            + "123456789012_CloudTrail-Digest_us-east-1_main_us-east-1_20261120T120000Z.json.gz";
    ObjectNode d1 =
        digest(
            key1,
            "2026-11-20T11:00:00Z",
            LOGS + log1.getFileName(),
            "{\"Records\":[{\"eventName\":\"StopLogging\"}]}");
    d1.putNull("previousDigestS3Bucket");
    d1.putNull("previousDigestS3Object");
    d1.putNull("previousDigestHashValue");
    d1.putNull("previousDigestSignature");
    byte[] content1 = MAPPER.writeValueAsBytes(d1);
    String sig1 = sign("2026-11-20T11:00:00Z", key1, content1, "null");
    digest1 = writeGz(bucket.resolve(key1), new String(content1, StandardCharsets.UTF_8));

    ObjectNode d2 =
        digest(
            key2,
            "2026-11-20T12:00:00Z",
            LOGS + log2.getFileName(),
            "{\"Records\":[{\"eventName\":\"DescribeInstances\"}]}");
    d2.put("previousDigestS3Bucket", BUCKET);
    d2.put("previousDigestS3Object", key1);
    d2.put("previousDigestHashValue", DigestVerifier.sha256Hex(content1));
    d2.put("previousDigestHashAlgorithm", "SHA-256");
    d2.put("previousDigestSignature", sig1);
    byte[] content2 = MAPPER.writeValueAsBytes(d2);
    digest2 = writeGz(bucket.resolve(key2), new String(content2, StandardCharsets.UTF_8));
    // S3 keeps the newest digest's signature in metadata; offline it is the .signature sidecar.
    Files.writeString(
        digest2.resolveSibling(digest2.getFileName() + ".signature"),
        sign("2026-11-20T12:00:00Z", key2, content2, sig1));
  }

  private ObjectNode digest(String key, String end, String logKey, String logContent) {
    ObjectNode d = MAPPER.createObjectNode();
    d.put("awsAccountId", "123456789012");
    d.put("digestStartTime", "2026-11-20T10:00:00Z");
    d.put("digestEndTime", end);
    d.put("digestS3Bucket", BUCKET);
    d.put("digestS3Object", key);
    d.put("digestPublicKeyFingerprint", "0123456789abcdef0123456789abcdef");
    d.put("digestSignatureAlgorithm", "SHA256withRSA");
    ObjectNode log = d.putArray("logFiles").addObject();
    log.put("s3Bucket", BUCKET);
    log.put("s3Object", logKey);
    log.put("hashValue", DigestVerifier.sha256Hex(logContent.getBytes(StandardCharsets.UTF_8)));
    log.put("hashAlgorithm", "SHA-256");
    return d;
  }

  private String sign(String end, String key, byte[] content, String previousSignature)
      throws Exception {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(keys.getPrivate());
    s.update(
        (end
                + "\n"
                + BUCKET
                + "/"
                + key
                + "\n"
                + DigestVerifier.sha256Hex(content)
                + "\n"
                + previousSignature)
            .getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(s.sign());
  }

  private static Path writeGz(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
      gz.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private int verify(Path key) {
    out.reset();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    return AuditCli.run(
        new String[] {
          "verify-digests", "--public-key", key.toString(), root.resolve("bucket").toString()
        },
        ps,
        ps);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anIntactChainVerifies() {
    assertThat(verify(pem)).as(out()).isEqualTo(0);
    assertThat(out()).contains("2 digest files, 2 valid; 2 log files valid; 0 problems");
  }

  @Test
  void keysFromListPublicKeysJsonVerifyToo() throws Exception {
    byte[] spki = keys.getPublic().getEncoded();
    byte[] pkcs1 =
        Arrays.copyOfRange(spki, 24, spki.length); // strip the SPKI header of a 2048-bit key
    Path json = root.resolve("keys.json");
    Files.writeString(
        json,
        "{\"PublicKeyList\":[{\"Value\":\""
            + Base64.getEncoder().encodeToString(pkcs1)
            + "\",\"ValidityStartTime\":\"2026-01-01T00:00:00Z\",\"ValidityEndTime\":\"2027-01-01T00:00:00Z\","
            + "\"Fingerprint\":\"0123456789abcdef0123456789abcdef\"}]}");
    assertThat(verify(json)).as(out()).isEqualTo(0);
  }

  @Test
  void aModifiedLogFileIsReported() throws Exception {
    writeGz(log1, "{\"Records\":[{\"eventName\":\"DescribeInstances\"}]}");
    assertThat(verify(pem)).isEqualTo(2);
    assertThat(out()).contains("log file was modified").contains(log1.getFileName().toString());
  }

  @Test
  void aMissingLogFileIsReported() throws Exception {
    Files.delete(log1);
    assertThat(verify(pem)).isEqualTo(2);
    assertThat(out()).contains("is missing");
  }

  @Test
  void aDeletedPreviousDigestBreaksTheChain() throws Exception {
    Files.delete(digest1);
    assertThat(verify(pem)).isEqualTo(2);
    assertThat(out()).contains("chain broken: previous digest").contains("is missing");
  }

  @Test
  void anEditedPreviousDigestBreaksChainAndSignature() throws Exception {
    String content = new String(DigestVerifier.readAll(digest1), StandardCharsets.UTF_8);
    writeGz(digest1, content.replace("2026-11-20T10:00:00Z", "2026-11-20T10:30:00Z"));
    assertThat(verify(pem)).isEqualTo(2);
    assertThat(out()).contains("was modified").contains("signature does not verify");
  }

  @Test
  void anotherKeyDoesNotVerify() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    Path other = root.resolve("other.pem");
    Files.writeString(
        other,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(gen.generateKeyPair().getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    assertThat(verify(other)).isEqualTo(2);
    assertThat(out()).contains("signature does not verify with any supplied key");
  }

  @Test
  void theNewestDigestWithoutItsSignatureIsNotTakenOnTrust() throws Exception {
    Files.delete(digest2.resolveSibling(digest2.getFileName() + ".signature"));
    assertThat(verify(pem)).isEqualTo(2);
    assertThat(out()).contains("no signature").contains("1 valid");
  }
}
