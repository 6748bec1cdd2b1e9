package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.cli.AuditCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The deploy module's files, the Python tools run as subprocesses, and the transformed template
 * (made once).
 */
final class Tools {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The deploy module (the tests' working directory). */
  static final Path MODULE = Path.of("").toAbsolutePath();

  static final Path ROOT = MODULE.getParent();
  static final Path TEMPLATE = MODULE.resolve("template.yaml");

  private static JsonNode transformed;

  private Tools() {}

  /** What a subprocess printed and how it ended. */
  record Result(int exitCode, String out, String err) {}

  /**
   * Runs a command (at most {@code seconds}); a missing program is a failure that says what to
   * install.
   */
  static Result run(List<String> command, int seconds) {
    try {
      Process p = new ProcessBuilder(command).directory(MODULE.toFile()).start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread a = new Thread(() -> copy(p.getInputStream(), out));
      Thread b = new Thread(() -> copy(p.getErrorStream(), err));
      a.start();
      b.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not finish in " + seconds + " s");
      }
      a.join();
      b.join();
      return new Result(
          p.exitValue(),
          out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(
          command.get(0)
              + " could not be started ("
              + e.getMessage()
              + "): install "
              + "Python 3.11 with cfn-lint 1.51.0 and aws-sam-translator 1.110.0 (pip install cfn-lint==1.51.0 "
              + "aws-sam-translator==1.110.0)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void copy(java.io.InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The template as CloudFormation sees it after the SAM transform. */
  static synchronized JsonNode transformed() {
    if (transformed == null) {
      try {
        Path out = Files.createTempFile("trailmark-transformed-", ".json");
        Result r =
            run(List.of("python3", "sam-translate.py", TEMPLATE.toString(), out.toString()), 120);
        assertThat(r.exitCode()).as("sam-translate.py: %s", r.err()).isZero();
        transformed = JSON.readTree(out.toFile());
        Files.delete(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return transformed;
  }

  static JsonNode resources() {
    return transformed().path("Resources");
  }

  /** The resources of one type, by logical id. */
  static Map<String, JsonNode> ofType(String type) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    resources()
        .properties()
        .forEach(
            e -> {
              if (type.equals(e.getValue().path("Type").asText())) {
                out.put(e.getKey(), e.getValue());
              }
            });
    return out;
  }

  /**
   * What {@code ./trailmark audit rules --format json} prints (optionally for another rules
   * folder).
   */
  static JsonNode auditRules(Path rulesDir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("rules", "--format", "json"));
    if (rulesDir != null) {
      args.addAll(List.of("--rules", rulesDir.toString()));
    }
    int rc =
        AuditCli.run(
            args.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(rc).as("audit rules: %s", err).isZero();
    try {
      return JSON.readTree(out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy with every array of plain values sorted, so that two patterns compare by content. */
  static JsonNode normalized(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JSON.createObjectNode();
      TreeSet<String> keys = new TreeSet<>();
      node.fieldNames().forEachRemaining(keys::add);
      keys.forEach(k -> copy.set(k, normalized(node.get(k))));
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JSON.createArrayNode();
      List<JsonNode> items = new ArrayList<>();
      node.forEach(n -> items.add(normalized(n)));
      items.sort((x, y) -> x.toString().compareTo(y.toString()));
      items.forEach(copy::add);
      return copy;
    }
    return node;
  }
}
