package dev.trailmark.collector.local;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs clients the project does not build (the AWS CLI, boto3, an older Java SDK) against a
 * collector, the way a user would: credentials from the environment, the endpoint from {@code
 * --endpoint-url}.
 */
final class ExternalClients {

  private ExternalClients() {}

  /** What a finished process printed. */
  record Result(int exitCode, String stdout, String stderr) {
    Result assertSucceeded(String what) {
      if (exitCode != 0) {
        throw new AssertionError(
            what + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
      }
      return this;
    }

    JsonNode json() {
      try {
        return Json.MAPPER.readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + stdout + "\nstderr: " + stderr, e);
      }
    }
  }

  /** Fails the test, saying what to install, when {@code command} is not on the PATH. */
  static Path require(String command, String whatItIs, String howToInstall) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail(
        whatItIs
            + " ('"
            + command
            + "') is not on the PATH, and this test runs it against the collector. "
            + "Install it: "
            + howToInstall);
  }

  /** Fails the test, saying what to install, when python3 or its boto3 package is missing. */
  static Path requireBoto3() {
    Path python = require("python3", "Python 3", "apt-get install python3");
    Result probe =
        run(
            List.of(python.toString(), "-c", "import boto3, botocore; print(botocore.__version__)"),
            Map.of(),
            Duration.ofSeconds(60));
    if (probe.exitCode() != 0) {
      fail(
          "boto3 cannot be imported by "
              + python
              + ", and this test runs it against the collector. Install it: "
              + "pip install boto3 (or apt-get install python3-boto3). python3 said: "
              + probe.stderr());
    }
    return python;
  }

  /**
   * The environment README tells users to set, isolated from whatever the machine's ~/.aws holds.
   */
  static Map<String, String> awsEnvironment(Path home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_ACCESS_KEY_ID", LocalCollector.DEFAULT_ACCESS_KEY_ID);
    env.put("AWS_SECRET_ACCESS_KEY", LocalCollector.DEFAULT_SECRET_ACCESS_KEY);
    env.put("AWS_DEFAULT_REGION", LocalCollector.DEFAULT_REGION);
    env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("credentials").toString());
    env.put("AWS_PAGER", "");
    env.put("HOME", home.toString());
    return env;
  }

  static Result run(List<String> command, Map<String, String> environment, Duration timeout) {
    try {
      Path out = Files.createTempFile("trailmark-client-", ".out");
      Path err = Files.createTempFile("trailmark-client-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("AWS_PROFILE");
        builder.environment().remove("AWS_SESSION_TOKEN");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(command + " did not finish within " + timeout);
        }
        return new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** A random 16-hex-digit word, to find one test's documents among everything else. */
  static String marker() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Documents matching {@code query} (an OpenSearch query object) in the matching indices, after a
   * refresh.
   */
  static long count(OpenSearchInstance os, String indexPattern, String query) {
    os.refresh(indexPattern);
    String body =
        os.post(
            "/" + indexPattern + "/_count?ignore_unavailable=true&allow_no_indices=true",
            "{\"query\":" + query + "}");
    try {
      return Json.MAPPER.readTree(body).path("count").asLong();
    } catch (IOException e) {
      throw new AssertionError(body, e);
    }
  }

  /**
   * Waits until {@code expected} documents match (indexing is asynchronous to the acknowledgement),
   * then checks that no more than that arrived: each accepted item is stored exactly once.
   */
  static void assertStoredExactly(
      OpenSearchInstance os, String indexPattern, String query, long expected) {
    org.awaitility.Awaitility.await()
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(60))
        .until(() -> count(os, indexPattern, query) >= expected);
    org.assertj.core.api.Assertions.assertThat(count(os, indexPattern, query))
        .as(query)
        .isEqualTo(expected);
  }

  /** Log documents whose body holds {@code text} as a phrase. */
  static String bodyPhrase(String text) {
    return "{\"match_phrase\":{\"body\":" + Json.MAPPER.valueToTree(text) + "}}";
  }

  static String term(String field, String value) {
    return "{\"term\":{"
        + Json.MAPPER.valueToTree(field)
        + ":"
        + Json.MAPPER.valueToTree(value)
        + "}}";
  }

  /** The OpenTelemetry trace id (32 hex) of an X-Ray trace id ({@code 1-xxxxxxxx-yyyy…}). */
  static String otelTraceId(String xrayTraceId) {
    return xrayTraceId.substring(2).replace("-", "");
  }
}
