package dev.trailmark.audit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks CloudTrail digest files offline, as {@code aws cloudtrail validate-logs} does against S3:
 * each digest's SHA256withRSA signature (over its end time, S3 path, the hash of its content and
 * the previous digest's signature), the hash of every log file it lists (SHA-256 of the
 * uncompressed content), and the chain of previous-digest links.
 *
 * <p>S3 keeps a digest's own signature in object metadata ({@code x-amz-meta-signature}); offline
 * it comes from a sidecar file {@code <digest>.signature} (hex), or else from the next digest's
 * {@code previousDigestSignature}.
 */
final class DigestVerifier {
  private final Map<String, PublicKey> keysByFingerprint;
  private final List<PublicKey> keys;
  private final List<String> problems = new ArrayList<>();
  private final List<String> valid = new ArrayList<>();
  private int digestsOk;
  private int logFilesOk;

  DigestVerifier(Map<String, PublicKey> keysByFingerprint) {
    this.keysByFingerprint = keysByFingerprint;
    this.keys = List.copyOf(keysByFingerprint.values());
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<Path> keyFiles = new ArrayList<>();
    Path path = null;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--public-key")) {
        keyFiles.add(Path.of(AuditCli.value(args, ++i, a)));
      } else if (a.startsWith("--")) {
        throw new AuditCli.UsageException("unknown option " + a);
      } else if (path == null) {
        path = Path.of(a);
      } else {
        throw new AuditCli.UsageException("verify-digests takes one PATH");
      }
    }
    if (path == null) {
      throw new AuditCli.UsageException("verify-digests needs a PATH");
    }
    if (keyFiles.isEmpty()) {
      throw new AuditCli.UsageException("verify-digests needs at least one --public-key");
    }
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    try {
      for (Path keyFile : keyFiles) {
        keys.putAll(readKeys(keyFile));
      }
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      err.println("cannot read public key: " + e.getMessage());
      return AuditCli.ERROR;
    }
    DigestVerifier verifier = new DigestVerifier(keys);
    int digests;
    try {
      digests = verifier.verifyAll(path);
    } catch (IOException e) {
      err.println(e.getMessage());
      return AuditCli.ERROR;
    }
    for (String line : verifier.valid) {
      out.println("valid   " + line);
    }
    for (String problem : verifier.problems) {
      out.println("INVALID " + problem);
    }
    out.println(
        digests
            + " digest files, "
            + verifier.digestsOk
            + " valid; "
            + verifier.logFilesOk
            + " log files valid; "
            + verifier.problems.size()
            + " problems");
    if (digests == 0) {
      err.println("no digest files under " + path);
      return AuditCli.ERROR;
    }
    return verifier.problems.isEmpty() ? AuditCli.OK : AuditCli.FAILED;
  }

  /** The problems found so far, one line each. */
  List<String> problems() {
    return problems;
  }

  /** Verifies every digest file under {@code path}; returns how many were found. */
  int verifyAll(Path path) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(path)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(
                  p ->
                      p.getFileName().toString().contains("_CloudTrail-Digest_")
                          && CloudTrailFiles.isLogFileName(p.getFileName().toString()))
              .sorted()
              .toList();
    }
    // Read every digest first: a digest's signature may live in its successor.
    Map<String, Digest> byKey = new HashMap<>();
    List<Digest> digests = new ArrayList<>();
    for (Path file : files) {
      try {
        byte[] content = readAll(file);
        JsonNode json = Json.read(new String(content, StandardCharsets.UTF_8));
        Digest d = new Digest(file, content, json);
        digests.add(d);
        byKey.put(d.bucket + "/" + d.key, d);
      } catch (IOException | IllegalArgumentException e) {
        problems.add(file + ": unreadable digest: " + e.getMessage());
      }
    }
    Map<String, String> signatureFromSuccessor = new HashMap<>();
    for (Digest d : digests) {
      String prevBucket = d.json.path("previousDigestS3Bucket").asText(null);
      String prevKey = d.json.path("previousDigestS3Object").asText(null);
      if (prevBucket != null && prevKey != null) {
        String prevSig = d.json.path("previousDigestSignature").asText(null);
        signatureFromSuccessor.put(prevBucket + "/" + prevKey, prevSig);
      }
    }
    for (Digest d : digests) {
      verify(d, byKey, signatureFromSuccessor.get(d.bucket + "/" + d.key));
    }
    return files.size();
  }

  private void verify(Digest d, Map<String, Digest> byKey, String successorSignature) {
    int before = problems.size();
    if (!d.file.toString().replace('\\', '/').endsWith(d.key)) {
      problems.add(d.file + ": digestS3Object " + d.key + " does not match where the file lies");
    }
    // Signature.
    String signature = null;
    Path sidecar = d.file.resolveSibling(d.file.getFileName() + ".signature");
    try {
      if (Files.isRegularFile(sidecar)) {
        signature = Files.readString(sidecar, StandardCharsets.US_ASCII).trim();
      }
    } catch (IOException e) {
      problems.add(sidecar + ": unreadable signature: " + e.getMessage());
    }
    if (signature == null) {
      signature = successorSignature;
    }
    if (signature == null) {
      problems.add(
          d.file
              + ": no signature (no "
              + sidecar.getFileName()
              + " and no later digest names this one)");
    } else if (!signatureValid(d, signature)) {
      problems.add(
          d.file
              + ": signature does not verify with "
              + (keysByFingerprint.containsKey(d.fingerprint)
                  ? "key " + d.fingerprint
                  : "any supplied key"));
    }
    // Chain.
    String prevKey = d.json.path("previousDigestS3Object").asText(null);
    if (prevKey != null && !d.json.path("previousDigestS3Object").isNull()) {
      String prevBucket = d.json.path("previousDigestS3Bucket").asText("");
      Digest prev = byKey.get(prevBucket + "/" + prevKey);
      if (prev == null) {
        problems.add(d.file + ": chain broken: previous digest " + prevKey + " is missing");
      } else if (!sha256Hex(prev.content).equals(d.json.path("previousDigestHashValue").asText())) {
        problems.add(d.file + ": chain broken: previous digest " + prevKey + " was modified");
      }
    }
    // Log files.
    int logsOk = 0;
    Path root = root(d);
    for (JsonNode log : d.json.path("logFiles")) {
      String key = log.path("s3Object").asText("");
      Path logFile = root.resolve(key);
      if (!Files.isRegularFile(logFile)) {
        problems.add(logFile + ": log file listed in " + d.file.getFileName() + " is missing");
        continue;
      }
      try {
        if (sha256Hex(logFile).equals(log.path("hashValue").asText())) {
          logFilesOk++;
          logsOk++;
        } else {
          problems.add(
              logFile + ": log file was modified (hash differs from " + d.file.getFileName() + ")");
        }
      } catch (IOException e) {
        problems.add(logFile + ": unreadable: " + e.getMessage());
      }
    }
    if (problems.size() == before) {
      digestsOk++;
      valid.add(d.file.getFileName() + " (signature, chain, " + logsOk + " log files)");
    }
  }

  private boolean signatureValid(Digest d, String signatureHex) {
    byte[] signature;
    try {
      signature = HexFormat.of().parseHex(signatureHex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    String previousSignature =
        d.json.path("previousDigestSignature").isTextual()
            ? d.json.path("previousDigestSignature").asText()
            : "null";
    String signed =
        d.json.path("digestEndTime").asText()
            + "\n"
            + d.bucket
            + "/"
            + d.key
            + "\n"
            + sha256Hex(d.content)
            + "\n"
            + previousSignature;
    List<PublicKey> candidates =
        keysByFingerprint.containsKey(d.fingerprint)
            ? List.of(keysByFingerprint.get(d.fingerprint))
            : keys;
    for (PublicKey key : candidates) {
      try {
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(key);
        verifier.update(signed.getBytes(StandardCharsets.UTF_8));
        if (verifier.verify(signature)) {
          return true;
        }
      } catch (GeneralSecurityException e) {
        // A malformed signature or key simply does not verify.
      }
    }
    return false;
  }

  /** The bucket root: the digest's path with its own key removed from the end. */
  private static Path root(Digest d) {
    String path = d.file.toAbsolutePath().toString().replace('\\', '/');
    if (path.endsWith("/" + d.key)) {
      return Path.of(path.substring(0, path.length() - d.key.length()));
    }
    return d.file.toAbsolutePath().getParent();
  }

  static byte[] readAll(Path file) throws IOException {
    try (InputStream in = CloudTrailFiles.open(file)) {
      return in.readAllBytes();
    }
  }

  /** Hashes a (gunzipped) file as it streams: log files are never held in memory whole. */
  static String sha256Hex(Path file) throws IOException {
    try (InputStream in = CloudTrailFiles.open(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256Hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads public keys: PEM {@code PUBLIC KEY} (X.509) or {@code RSA PUBLIC KEY} (PKCS#1), or the
   * JSON of {@code aws cloudtrail list-public-keys} (base64 PKCS#1 DER values with fingerprints).
   * Keys without a given fingerprint are keyed by the MD5 of their DER bytes.
   */
  static Map<String, PublicKey> readKeys(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    Map<String, PublicKey> out = new LinkedHashMap<>();
    if (text.startsWith("{")) {
      JsonNode list = Json.read(text).path("PublicKeyList");
      for (JsonNode k : list) {
        byte[] der = Base64.getDecoder().decode(k.path("Value").asText());
        out.put(k.path("Fingerprint").asText(md5Hex(der)), pkcs1OrX509(der));
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException(file + ": no PublicKeyList entries");
      }
      return out;
    }
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(body);
    out.put(md5Hex(der), text.contains("RSA PUBLIC KEY") ? pkcs1(der) : pkcs1OrX509(der));
    return out;
  }

  private static PublicKey pkcs1OrX509(byte[] der) throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      return pkcs1(der);
    }
  }

  /** PKCS#1 RSAPublicKey: SEQUENCE { INTEGER modulus, INTEGER publicExponent }. */
  static PublicKey pkcs1(byte[] der) throws GeneralSecurityException {
    int[] pos = {0};
    if (der.length < 2 || der[pos[0]++] != 0x30) {
      throw new GeneralSecurityException("not a DER RSA public key");
    }
    derLength(der, pos);
    BigInteger modulus = derInteger(der, pos);
    BigInteger exponent = derInteger(der, pos);
    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
  }

  private static BigInteger derInteger(byte[] der, int[] pos) throws GeneralSecurityException {
    if (pos[0] >= der.length || der[pos[0]++] != 0x02) {
      throw new GeneralSecurityException("malformed DER integer");
    }
    int len = derLength(der, pos);
    if (pos[0] + len > der.length) {
      throw new GeneralSecurityException("truncated DER integer");
    }
    byte[] value = Arrays.copyOfRange(der, pos[0], pos[0] + len);
    pos[0] += len;
    return new BigInteger(value);
  }

  private static int derLength(byte[] der, int[] pos) throws GeneralSecurityException {
    if (pos[0] >= der.length) {
      throw new GeneralSecurityException("truncated DER");
    }
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int bytes = first & 0x7f;
    if (bytes > 4 || pos[0] + bytes > der.length) {
      throw new GeneralSecurityException("bad DER length");
    }
    int len = 0;
    for (int i = 0; i < bytes; i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }

  static String md5Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Digest {
    final Path file;
    final byte[] content;
    final JsonNode json;
    final String bucket;
    final String key;
    final String fingerprint;

    Digest(Path file, byte[] content, JsonNode json) {
      this.file = file;
      this.content = content;
      this.json = json;
      this.bucket = json.path("digestS3Bucket").asText("");
      this.key = json.path("digestS3Object").asText("");
      this.fingerprint = json.path("digestPublicKeyFingerprint").asText("");
      if (key.isEmpty() || bucket.isEmpty()) {
        throw new IllegalArgumentException("no digestS3Bucket/digestS3Object");
      }
    }
  }
}
