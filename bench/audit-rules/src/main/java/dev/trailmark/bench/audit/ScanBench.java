package dev.trailmark.bench.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.audit.cli.AuditCli;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * {@code audit scan} over a generated day of CloudTrail logs, side by side in one JVM with the raw
 * Jackson parse of the same files (gunzip + parse, nothing else) as the limit. Rounds alternate the
 * three measurements so JIT warm-up and page cache favour none; the best round of each is reported.
 *
 * <p>Usage: {@code ScanBench [--events N] [--rounds R] [--dir DIR]}
 */
public final class ScanBench {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private ScanBench() {}

  /** Runs the benchmark and prints the table. */
  public static void main(String[] args) throws Exception {
    long events = 1_000_000;
    int rounds = 3;
    Path dir = Path.of("bench/audit-rules/target/cloudtrail-day");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Long.parseLong(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path data = dir.resolve(events + "-events");
    if (!Files.isDirectory(data)) {
      long t0 = System.nanoTime();
      Path tmp = dir.resolve(events + "-events.tmp");
      CloudTrailDay.write(tmp, events);
      Files.move(tmp, data);
      System.out.printf("generated %,d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
    }
    final long total = events;
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(p -> p.toString().endsWith(".json.gz")).sorted().toList();
    }
    long gz = 0;
    for (Path f : files) {
      gz += Files.size(f);
    }
    System.out.printf("%d files, %.1f MB gzipped, %s%n", files.size(), gz / 1e6, machine());

    double[] tree = new double[rounds];
    double[] stream = new double[rounds];
    double[] scan = new double[rounds];
    long findings = 0;
    for (int round = 0; round < rounds; round++) {
      tree[round] = rate(total, () -> parseTrees(files, total));
      stream[round] = rate(total, () -> parseTokens(files, total));
      long[] found = {0};
      scan[round] = rate(events, () -> found[0] = scan(data));
      findings = found[0];
      System.out.printf(
          "round %d: tree %,.0f  tokens %,.0f  scan %,.0f events/s%n",
          round + 1, tree[round], stream[round], scan[round]);
    }
    double bestTree = Arrays.stream(tree).max().orElseThrow();
    double bestStream = Arrays.stream(stream).max().orElseThrow();
    double bestScan = Arrays.stream(scan).max().orElseThrow();
    System.out.println();
    System.out.printf(
        "| what (%,d events, best of %d) | events/s | vs raw tree parse |%n", events, rounds);
    System.out.println("|---|---:|---:|");
    System.out.printf(
        "| raw Jackson parse, tokens only (gunzip + JsonParser) | %,.0f | %.2f |%n",
        bestStream, bestStream / bestTree);
    System.out.printf(
        "| raw Jackson parse to trees (gunzip + readTree per file) | %,.0f | 1.00 |%n", bestTree);
    System.out.printf(
        "| `audit scan` (15 rules, table output, %,d findings) | %,.0f | **%.2f** |%n",
        findings, bestScan, bestScan / bestTree);
  }

  interface Work {
    void run() throws Exception;
  }

  static double rate(long events, Work work) throws Exception {
    long t0 = System.nanoTime();
    work.run();
    return events / ((System.nanoTime() - t0) / 1e9);
  }

  static InputStream open(Path f) throws IOException {
    return new BufferedInputStream(new GZIPInputStream(Files.newInputStream(f), 1 << 16), 1 << 16);
  }

  static void parseTrees(List<Path> files, long expected) throws IOException {
    long n = 0;
    for (Path f : files) {
      try (InputStream in = open(f)) {
        JsonNode root = MAPPER.readTree(in);
        n += root.path("Records").size();
      }
    }
    check(n, expected);
  }

  static void parseTokens(List<Path> files, long expected) throws IOException {
    long n = 0;
    for (Path f : files) {
      try (InputStream in = open(f);
          JsonParser p = FACTORY.createParser(in)) {
        int depth = 0;
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.START_OBJECT) {
            if (depth == 2) {
              n++;
            }
            depth++;
          } else if (t == JsonToken.END_OBJECT) {
            depth--;
          } else if (t == JsonToken.START_ARRAY) {
            depth++;
          } else if (t == JsonToken.END_ARRAY) {
            depth--;
          }
        }
      }
    }
    check(n, expected);
  }

  /** The real command, in process: exactly what {@code ./trailmark audit scan DIR} runs. */
  static long scan(Path data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream sink = new PrintStream(out, false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(OutputStream.nullOutputStream());
    int code = AuditCli.run(new String[] {"scan", data.toString()}, sink, err);
    sink.flush();
    if (code != 0) {
      throw new IllegalStateException("scan exited " + code);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    String summary = text.substring(text.lastIndexOf('\n', text.length() - 2) + 1);
    // "N events in M files, K findings (...)"
    String[] words = summary.trim().split("[ ,]+");
    List<String> list = new ArrayList<>(List.of(words));
    return Long.parseLong(list.get(list.indexOf("findings") - 1));
  }

  static void check(long n, long expected) {
    if (n != expected) {
      throw new IllegalStateException("parsed " + n + " events, expected " + expected);
    }
  }

  static String machine() {
    return Runtime.getRuntime().availableProcessors()
        + " cores, Java "
        + System.getProperty("java.version");
  }
}
