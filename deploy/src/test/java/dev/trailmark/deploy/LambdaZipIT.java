package dev.trailmark.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One check per row of lambda-functions.tsv (a row whose module is not in the tree yet is reported
 * as pending): the zip that the build made is under Lambda's limits, holds the handler class, and
 * the handler loads with nothing but that zip on the class path, laid out as Lambda lays it out
 * (root + lib/*.jar).
 */
class LambdaZipIT {
  static final Path LAMBDA_DIR = Tools.MODULE.resolve("target/lambda");

  static List<LambdaPackager.Function> rows() throws IOException {
    return LambdaPackager.readTable(Tools.MODULE.resolve("lambda-functions.tsv"));
  }

  @Test
  void tableAndTemplateNameTheSameFunctionsAndHandlers() throws IOException {
    Map<String, String> template = new TreeMap<>();
    Tools.ofType("AWS::Lambda::Function")
        .forEach(
            (id, f) ->
                template.put(
                    id,
                    f.path("Properties").path("Handler").asText().replace("::handleRequest", "")));
    Map<String, String> table = new TreeMap<>();
    for (LambdaPackager.Function f : rows()) {
      table.put(f.name(), f.handler());
    }
    assertThat(table).isEqualTo(template);
    for (var e : Tools.ofType("AWS::Lambda::Function").entrySet()) {
      assertThat(e.getValue().path("Properties").path("Code").path("S3Key").asText())
          .isEqualTo("target/lambda/" + e.getKey() + ".zip");
    }
  }

  @Test
  void pendingRowsAreOnlyThoseWhoseModuleIsAbsent() throws IOException {
    List<String> pending = new ArrayList<>();
    for (LambdaPackager.Function f : rows()) {
      boolean present = LambdaPackager.present(Tools.ROOT, f);
      assertThat(Files.exists(LAMBDA_DIR.resolve(f.name() + ".zip")))
          .as(f.name())
          .isEqualTo(present);
      if (!present) {
        pending.add(f.name() + " (module " + f.module() + "/ is not in this tree yet)");
      }
    }
    System.out.println(
        "Lambda zips pending: " + (pending.isEmpty() ? "none" : String.join(", ", pending)));
  }

  @TestFactory
  Stream<DynamicTest> eachZipIsWithinLimitsAndItsHandlerLoadsFromItAlone() throws IOException {
    return rows().stream()
        .filter(f -> LambdaPackager.present(Tools.ROOT, f))
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> check(f)));
  }

  private static void check(LambdaPackager.Function f) throws Exception {
    Path zip = LAMBDA_DIR.resolve(f.name() + ".zip");
    assertThat(zip).exists();
    assertThat(Files.size(zip)).as("zipped").isLessThanOrEqualTo(LambdaPackager.MAX_ZIPPED_BYTES);
    String entry = f.handler().replace('.', '/') + ".class";
    try (ZipFile z = new ZipFile(zip.toFile())) {
      long unzipped = z.stream().mapToLong(ZipEntry::getSize).sum();
      assertThat(unzipped).as("unzipped").isLessThanOrEqualTo(LambdaPackager.MAX_UNZIPPED_BYTES);
      assertThat(z.getEntry(entry)).as(entry).isNotNull();
      assertThat(z.getEntry("logback.xml")).isNotNull();
    }
    Path dir = unzip(zip);
    try (URLClassLoader loader =
        new URLClassLoader(classPath(dir), ClassLoader.getPlatformClassLoader())) {
      Class<?> handler = Class.forName(f.handler(), true, loader);
      assertThat(handler.getProtectionDomain().getCodeSource().getLocation().toURI())
          .isEqualTo(dir.toUri());
      Class<?> requestHandler =
          Class.forName("com.amazonaws.services.lambda.runtime.RequestHandler", false, loader);
      Class<?> streamHandler =
          Class.forName(
              "com.amazonaws.services.lambda.runtime.RequestStreamHandler", false, loader);
      assertThat(
              requestHandler.isAssignableFrom(handler) || streamHandler.isAssignableFrom(handler))
          .as(f.handler() + " is a Lambda handler")
          .isTrue();
      // Linking the handler's methods verifies them against the classes in the zip.
      assertThat(handler.getDeclaredMethods()).as(f.handler() + " methods").isNotEmpty();
      assertThat(handler.getDeclaredConstructor())
          .as(f.handler() + " no-argument constructor")
          .isNotNull();
    }
  }

  /** The zip unpacked into a fresh directory (Lambda's /var/task). */
  static Path unzip(Path zip) throws IOException {
    Path dir = Files.createTempDirectory("lambda-task-");
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        Path target = dir.resolve(e.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("entry outside the zip root: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = z.getInputStream(e)) {
          Files.copy(in, target);
        }
      }
    }
    return dir;
  }

  /** Lambda's Java class path: the task root, then every jar in lib/. */
  static URL[] classPath(Path dir) throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(dir.toUri().toURL());
    Path lib = dir.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        for (Path jar : jars.sorted().toList()) {
          urls.add(jar.toUri().toURL());
        }
      }
    }
    return urls.toArray(URL[]::new);
  }
}
