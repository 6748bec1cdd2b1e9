package dev.trailmark.agent.it;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The newest JDK on this machine that is newer than the one running the tests, found the way a
 * user's machine has it: {@code TRAILMARK_TEST_JAVA} (a JDK home or its {@code bin/java}) first,
 * then the JDKs installed beside the running one and under {@code /usr/lib/jvm}, {@code /opt/java}
 * and {@code /Library/Java/JavaVirtualMachines}.
 */
final class NewerJdk {
  private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"?(\\d+)");
  private static final Optional<Path> FOUND = find();

  private NewerJdk() {}

  /** The {@code java} launcher of the newer JDK, or empty when this machine has none. */
  static Optional<Path> java() {
    return FOUND;
  }

  /** Why none was found, for the test report. */
  static String noneFound() {
    return "no JDK newer than "
        + Runtime.version().feature()
        + " found (set TRAILMARK_TEST_JAVA to a JDK home"
        + " or its bin/java to run the forked applications on one)";
  }

  private static Optional<Path> find() {
    String chosen = System.getenv("TRAILMARK_TEST_JAVA");
    if (chosen != null && !chosen.isBlank()) {
      Path p = Path.of(chosen);
      Path java = Files.isDirectory(p) ? p.resolve("bin").resolve("java") : p;
      return Files.isExecutable(java) ? Optional.of(java) : Optional.empty();
    }
    List<Path> roots = new ArrayList<>();
    Path home = Path.of(System.getProperty("java.home"));
    if (home.getParent() != null) {
      roots.add(home.getParent());
    }
    roots.add(Path.of("/usr/lib/jvm"));
    roots.add(Path.of("/opt/java"));
    roots.add(Path.of("/Library/Java/JavaVirtualMachines"));
    int current = Runtime.version().feature();
    Path best = null;
    int bestVersion = current;
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (DirectoryStream<Path> jdks = Files.newDirectoryStream(root)) {
        for (Path jdk : jdks) {
          for (Path candidate : List.of(jdk, jdk.resolve("Contents").resolve("Home"))) {
            int v = version(candidate);
            Path java = candidate.resolve("bin").resolve("java");
            if (v > bestVersion && Files.isExecutable(java)) {
              best = java;
              bestVersion = v;
            }
          }
        }
      } catch (IOException e) {
        // an unreadable directory holds no JDK we can run
      }
    }
    return Optional.ofNullable(best);
  }

  /** The feature version in a JDK's {@code release} file, or 0. */
  private static int version(Path jdk) {
    try {
      Matcher m = VERSION.matcher(Files.readString(jdk.resolve("release")));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
