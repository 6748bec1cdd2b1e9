package dev.trailmark.deploy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Builds one deployment zip per Lambda function of {@code deploy/lambda-functions.tsv}, in Lambda's
 * Java layout (the module's classes at the root, its runtime jars under {@code lib/}), with only
 * what the function uses: AWS SDK service modules it does not call and jars it never loads are left
 * out, and the EC2 SDK (24 MB, nearly all of it the models of operations nobody here calls) is cut
 * down to the operations the module names.
 *
 * <p>Usage: {@code LambdaPackager ROOT OUTPUT_DIR}: ROOT is the repository (each module already
 * built, with its runtime jars in {@code target/lib}), OUTPUT_DIR receives {@code <function>.zip}.
 * Prints one line per function with its sizes against Lambda's limits; exits 1 when a zip is over a
 * limit or a module is not built.
 */
public final class LambdaPackager {

  /** Lambda's limit for a zip uploaded directly. */
  public static final long MAX_ZIPPED_BYTES = 50L * 1024 * 1024;

  /** Lambda's limit for the unzipped function (layers included; these functions have none). */
  public static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;

  /**
   * Service modules cut to the operations the module's own classes name. Only EC2 needs it: its jar
   * alone is 24 MB, which put the remediation worker over the 50 MB limit.
   */
  static final Set<String> TRIMMED_SERVICES = Set.of("ec2");

  /**
   * Entries are written with this time, so that an unchanged function gives a byte-identical zip.
   */
  private static final long FIXED_TIME = 315532800000L; // 1980-01-01, the zip format's epoch

  private LambdaPackager() {}

  /** One row of {@code lambda-functions.tsv}. */
  public record Function(
      String name, String module, String handler, Set<String> services, Set<String> drop) {}

  /** What was built for one function. */
  public record Built(Function function, Path zip, long zippedBytes, long unzippedBytes) {
    /** True when both of Lambda's size limits hold. */
    public boolean withinLimits() {
      return zippedBytes <= MAX_ZIPPED_BYTES && unzippedBytes <= MAX_UNZIPPED_BYTES;
    }
  }

  /** Reads the table; blank lines and {@code #} comments are skipped. */
  public static List<Function> readTable(Path table) throws IOException {
    List<Function> out = new ArrayList<>();
    int n = 0;
    for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length != 5) {
        throw new IllegalArgumentException(
            table
                + ":"
                + n
                + ": expected 5 tab-separated columns "
                + "(function, module, handler, services, drop), found "
                + f.length);
      }
      out.add(new Function(f[0].trim(), f[1].trim(), f[2].trim(), list(f[3]), list(f[4])));
    }
    return out;
  }

  private static Set<String> list(String column) {
    Set<String> out = new java.util.TreeSet<>();
    if (!column.trim().equals("-")) {
      for (String s : column.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  /**
   * True when the function's module is in the tree (a row can name a module that is still being
   * written).
   */
  public static boolean present(Path root, Function f) {
    return Files.isRegularFile(root.resolve(f.module()).resolve("pom.xml"));
  }

  /** Builds the zip of one function into {@code outputDir}. */
  public static Built build(Path root, Function f, Path outputDir) throws IOException {
    Path classes = root.resolve(f.module()).resolve("target/classes");
    Path lib = root.resolve(f.module()).resolve("target/lib");
    if (!Files.isDirectory(classes) || !Files.isDirectory(lib)) {
      throw new IllegalStateException(
          "module "
              + f.module()
              + " is not built (no target/classes and target/lib): "
              + "run mvn -B -DskipTests -pl deploy -am package first");
    }
    Files.createDirectories(outputDir);
    Path zip = outputDir.resolve(f.name() + ".zip");
    Set<String> ownReferences = references(classes);
    long unzipped = 0;
    Set<String> written = new HashSet<>();
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.setLevel(9);
      List<Path> files;
      try (Stream<Path> s = Files.walk(classes)) {
        files = s.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : files) {
        String name = classes.relativize(file).toString().replace('\\', '/');
        unzipped += put(out, name, Files.readAllBytes(file), written);
      }
      try (InputStream logback = LambdaPackager.class.getResourceAsStream("/lambda-logback.xml")) {
        if (!written.contains("logback.xml")) {
          unzipped += put(out, "logback.xml", logback.readAllBytes(), written);
        }
      }
      List<Path> jars;
      try (Stream<Path> s = Files.list(lib)) {
        jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
      }
      for (Path jar : jars) {
        String file = jar.getFileName().toString();
        if (dropped(file, f.drop())) {
          continue;
        }
        String service = serviceOf(jar);
        if (service != null && !f.services().contains(service)) {
          continue;
        }
        byte[] bytes =
            service != null && TRIMMED_SERVICES.contains(service)
                ? trim(jar, service, ownReferences)
                : Files.readAllBytes(jar);
        unzipped += put(out, "lib/" + file, bytes, written);
      }
    }
    return new Built(f, zip, Files.size(zip), unzipped);
  }

  private static boolean dropped(String jarFile, Set<String> drop) {
    for (String artifact : drop) {
      if (jarFile.startsWith(artifact + "-")
          && Character.isDigit(jarFile.charAt(artifact.length() + 1))) {
        return true;
      }
    }
    return false;
  }

  private static long put(ZipOutputStream out, String name, byte[] bytes, Set<String> written)
      throws IOException {
    if (!written.add(name)) {
      return 0;
    }
    ZipEntry e = new ZipEntry(name);
    e.setTime(FIXED_TIME);
    out.putNextEntry(e);
    out.write(bytes);
    out.closeEntry();
    return bytes.length;
  }

  /**
   * The AWS SDK service a jar is the client of ({@code ec2}, {@code s3}, ...), from its package
   * {@code software/amazon/awssdk/services/<name>/}; null for every other jar.
   */
  static String serviceOf(Path jar) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.stream()
          .map(ZipEntry::getName)
          .map(SERVICE_CLIENT::matcher)
          .filter(Matcher::matches)
          .map(m -> m.group(1))
          .findFirst()
          .orElse(null);
    }
  }

  private static final Pattern SERVICE_CLIENT =
      Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/[A-Za-z0-9]+Client\\.class");

  /** Every class name (slashed) that the class files under {@code dir} mention, in any form. */
  private static Set<String> references(Path dir) throws IOException {
    Set<String> out = new HashSet<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
        out.addAll(mentions(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  private static final Pattern NAME =
      Pattern.compile(
          "software[/.]amazon[/.]awssdk[/.]services[/.][a-z0-9]+[/.][A-Za-z0-9_$/.]*[A-Za-z0-9_$]");

  /**
   * Class names mentioned in a class file's constant pool (descriptors, signatures, class refs,
   * strings).
   */
  static Set<String> mentions(byte[] classFile) {
    Set<String> out = new HashSet<>();
    Matcher m = NAME.matcher(new String(classFile, StandardCharsets.ISO_8859_1));
    while (m.find()) {
      out.add(m.group().replace('.', '/'));
    }
    return out;
  }

  /**
   * The service jar without the model and marshaller classes of operations nobody calls. Kept:
   * every class outside {@code model/} and {@code transform/}; every top-level {@code *Request},
   * {@code *Response} and {@code *Exception} model class (the client's bytecode names them all, and
   * the JVM's verifier loads them when it links the client); and everything the module's own
   * classes name, with the marshallers of the requests they name, closed over what those classes
   * name in turn. The client, its builders, paginators and waiters mention every operation, so
   * their mentions do not pull models in.
   */
  static byte[] trim(Path jar, String service, Set<String> seeds) throws IOException {
    String base = "software/amazon/awssdk/services/" + service + "/";
    Pattern shallow =
        Pattern.compile(
            Pattern.quote(base) + "model/[A-Za-z0-9]+(Request|Response|Exception)\\.class");
    Pattern barrier =
        Pattern.compile(
            Pattern.quote(base)
                + "(?:[A-Za-z0-9]*Client|Default[A-Za-z0-9]*Client|[A-Za-z0-9]*AsyncClient[A-Za-z0-9$]*"
                + "|[A-Za-z0-9]*Utilities[A-Za-z0-9$]*|paginators/.*|waiters/.*)\\.class");
    try (ZipFile z = new ZipFile(jar.toFile())) {
      Map<String, ZipEntry> entries = new TreeMap<>();
      z.stream().forEach(e -> entries.put(e.getName(), e));
      Set<String> keep = new HashSet<>();
      Deque<String> work = new ArrayDeque<>();
      for (String name : entries.keySet()) {
        boolean modelOrTransform =
            name.startsWith(base + "model/") || name.startsWith(base + "transform/");
        if (!modelOrTransform && !barrier.matcher(name).matches()) {
          work.add(name);
        } else if (!modelOrTransform || shallow.matcher(name).matches()) {
          keep.add(name);
        }
      }
      for (String seed : seeds) {
        if (seed.startsWith(base + "model/") || seed.startsWith(base + "transform/")) {
          work.add(seed + ".class");
          if (seed.startsWith(base + "model/") && seed.endsWith("Request")) {
            work.add(
                base
                    + "transform/"
                    + seed.substring((base + "model/").length())
                    + "Marshaller.class");
          }
        }
      }
      Set<String> seen = new HashSet<>();
      while (!work.isEmpty()) {
        String name = work.pop();
        if (!entries.containsKey(name) || !seen.add(name)) {
          continue;
        }
        keep.add(name);
        if (name.endsWith(".class")) {
          try (InputStream in = z.getInputStream(entries.get(name))) {
            for (String ref : mentions(in.readAllBytes())) {
              // Only models and marshallers are followed: every other class is kept anyway, and
              // following the
              // client (which a builder mentions) would pull in every operation again.
              if (ref.startsWith(base + "model/") || ref.startsWith(base + "transform/")) {
                work.add(ref + ".class");
              }
            }
          }
        }
      }
      // Nested classes travel with their outer class.
      for (String name : entries.keySet()) {
        int dollar = name.indexOf('$');
        if (dollar > 0 && keep.contains(name.substring(0, dollar) + ".class")) {
          keep.add(name);
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream out = new ZipOutputStream(bytes)) {
        out.setLevel(9);
        for (Map.Entry<String, ZipEntry> e : entries.entrySet()) {
          if (e.getValue().isDirectory() || !keep.contains(e.getKey())) {
            continue;
          }
          ZipEntry copy = new ZipEntry(e.getKey());
          copy.setTime(FIXED_TIME);
          out.putNextEntry(copy);
          try (InputStream in = z.getInputStream(e.getValue())) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
      return bytes.toByteArray();
    }
  }

  /** Builds every present function's zip; returns the built ones, in table order. */
  public static Map<Function, Built> buildAll(Path root, Path outputDir, PrintStream report)
      throws IOException {
    Map<Function, Built> out = new LinkedHashMap<>();
    for (Function f : readTable(root.resolve("deploy/lambda-functions.tsv"))) {
      if (!present(root, f)) {
        report.printf(
            Locale.ROOT,
            "%-28s pending: module %s/ is not in this tree yet%n",
            f.name(),
            f.module());
        continue;
      }
      Built b = build(root, f, outputDir);
      out.put(f, b);
      report.printf(
          Locale.ROOT,
          "%-28s %6.1f MB zipped (limit 50), %6.1f MB unzipped (limit 250)%s%n",
          f.name(),
          b.zippedBytes() / 1048576.0,
          b.unzippedBytes() / 1048576.0,
          b.withinLimits() ? "" : "  OVER THE LIMIT");
    }
    return out;
  }

  /** Command line: {@code ROOT OUTPUT_DIR}. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: LambdaPackager ROOT OUTPUT_DIR");
      System.exit(2);
    }
    try {
      Map<Function, Built> built = buildAll(Path.of(args[0]), Path.of(args[1]), System.out);
      if (built.values().stream().anyMatch(b -> !b.withinLimits())) {
        System.err.println("a function is over Lambda's size limits");
        System.exit(1);
      }
    } catch (IOException e) {
      System.err.println("packaging failed: " + e);
      System.exit(1);
    } catch (IllegalStateException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }
}
