package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./trailmark status}: the local stack in a few readable lines (OpenSearch, the collector's
 * counters, each file shipper's progress), or with {@code --json} one JSON document for scripts.
 *
 * <p>Exit status: 0 when OpenSearch and the collector both run, 3 when either does not, 2 on bad
 * arguments.
 */
public final class StatusMain {

  static final String USAGE =
      """
      usage: trailmark status [--json]
        --json   one JSON document: {"opensearch":{...},"collector":{...},"shippers":[...]}
      Exit status: 0 OpenSearch and the collector run; 3 one of them does not; 2 bad arguments.
      Environment: TRAILMARK_HOME, TRAILMARK_COLLECTOR_PORT (4318), TRAILMARK_OPENSEARCH_PORT (9200).
      """;

  /** The counters {@link #printCollector} names itself; any other number is listed as it comes. */
  private static final Set<String> NAMED =
      Set.of(
          "status",
          "uptimeSeconds",
          "requests",
          "accepted",
          "acceptedByApi",
          "rejectedByReason",
          "rejected",
          "indexed",
          "retried",
          "rejectedByOpenSearch",
          "bulkRequests",
          "walBytes",
          "openSearchAvailable",
          "storedAsText",
          "deadLettered",
          "deadLetterIndex",
          "setAside",
          "setAsideFile");

  private StatusMain() {}

  /** Entry point of {@code ./trailmark status}. */
  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    boolean json = false;
    for (String a : args) {
      switch (a) {
        case "--json" -> json = true;
        case "-h", "--help" -> {
          out.print(USAGE);
          return 0;
        }
        default -> {
          err.println("trailmark status: unknown argument " + a);
          err.print(USAGE);
          return 2;
        }
      }
    }
    Path home =
        Path.of(
            env.getOrDefault("TRAILMARK_HOME", System.getProperty("user.home") + "/.trailmark"));
    int collectorPort = Integer.parseInt(env.getOrDefault("TRAILMARK_COLLECTOR_PORT", "4318"));

    ObjectNode doc = Json.object();
    ObjectNode os = doc.putObject("opensearch");
    Optional<LocalOpenSearch> node = findOpenSearch(env, os);
    ObjectNode collector = doc.putObject("collector");
    URI collectorUri = URI.create("http://127.0.0.1:" + collectorPort);
    collector.put("url", collectorUri.toString());
    JsonNode counters = get(collectorUri.resolve("/_trailmark/status"));
    collector.put("running", counters != null);
    if (counters != null) {
      collector.set("counters", counters);
    }
    ArrayNode shippers = doc.putArray("shippers");
    readShippers(home.resolve("shipper"), shippers);

    if (json) {
      out.println(doc);
    } else {
      printOpenSearch(os, out);
      printCollector(collector, out);
      printShippers(shippers, out);
    }
    return node.isPresent() && counters != null ? 0 : 3;
  }

  private static Optional<LocalOpenSearch> findOpenSearch(Map<String, String> env, ObjectNode os) {
    Optional<LocalOpenSearch> node;
    try {
      node = new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment()).findRunning();
    } catch (RuntimeException e) {
      os.put("running", false).put("error", e.getMessage());
      return Optional.empty();
    }
    os.put("running", node.isPresent());
    node.ifPresent(
        n -> {
          os.put("url", n.baseUri().toString());
          if (n.pid() > 0) {
            os.put("pid", n.pid());
          }
          JsonNode health = get(n.baseUri().resolve("/_cluster/health"));
          if (health != null) {
            os.put("health", health.path("status").asText("unknown"));
          }
        });
    if (node.isEmpty()) {
      os.put("url", "http://127.0.0.1:" + env.getOrDefault("TRAILMARK_OPENSEARCH_PORT", "9200"));
    }
    return node;
  }

  private static void readShippers(Path dir, ArrayNode into) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> names = Files.newDirectoryStream(dir)) {
      List<Path> sorted = new ArrayList<>();
      names.forEach(sorted::add);
      sorted.sort(null);
      for (Path p : sorted) {
        Path file = p.resolve("status.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          ObjectNode s = (ObjectNode) Json.MAPPER.readTree(file.toFile());
          long pid = s.path("pid").asLong(-1);
          s.put(
              "alive",
              s.path("running").asBoolean()
                  && pid > 0
                  && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
          into.add(s);
        } catch (IOException | ClassCastException e) {
          into.addObject()
              .put("name", p.getFileName().toString())
              .put("error", "unreadable status: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      into.addObject().put("error", "cannot list " + dir + ": " + e.getMessage());
    }
  }

  private static void printOpenSearch(ObjectNode os, PrintStream out) {
    if (os.path("running").asBoolean()) {
      out.println(
          row(
              "OpenSearch",
              "running at "
                  + os.path("url").asText()
                  + (os.has("pid") ? " (pid " + os.path("pid").asLong() + ")" : "")
                  + (os.has("health")
                      ? ", cluster " + os.path("health").asText()
                      : ", cluster health unknown")));
    } else {
      out.println(
          row(
              "OpenSearch",
              "not running"
                  + (os.has("error")
                      ? ": " + os.path("error").asText()
                      : " (./trailmark up starts it at " + os.path("url").asText() + ")")));
    }
  }

  private static void printCollector(ObjectNode collector, PrintStream out) {
    if (!collector.path("running").asBoolean()) {
      out.println(
          row(
              "collector",
              "not running (./trailmark up starts it at " + collector.path("url").asText() + ")"));
      return;
    }
    JsonNode c = collector.path("counters");
    out.println(
        row(
            "collector",
            "running at "
                + collector.path("url").asText()
                + " for "
                + duration(c.path("uptimeSeconds").asLong())
                + ": "
                + c.path("status").asText("?")
                + (c.path("openSearchAvailable").asBoolean(true)
                    ? ""
                    : " (OpenSearch unreachable: events wait in the" + " write-ahead log)")));
    out.println(row("  requests", count(c.path("requests").asLong())));
    out.println(
        row("  accepted", count(c.path("accepted").asLong()) + breakdown(c.path("acceptedByApi"))));
    out.println(
        row(
            "  rejected",
            count(c.path("rejected").asLong()) + breakdown(c.path("rejectedByReason"))));
    out.println(
        row(
            "  indexed",
            count(c.path("indexed").asLong())
                + " in "
                + count(c.path("bulkRequests").asLong())
                + " bulk requests; retried "
                + count(c.path("retried").asLong())
                + "; refused by OpenSearch "
                + count(c.path("rejectedByOpenSearch").asLong())));
    if (c.path("rejectedByOpenSearch").asLong() > 0 || c.path("setAside").asLong() > 0) {
      // acknowledged documents OpenSearch would not take in their own form: say where each one was
      // kept
      out.println(
          row(
              "  kept",
              count(c.path("storedAsText").asLong())
                  + " as text in their own index (query"
                  + " trailmark.rejected.type:*), "
                  + count(c.path("deadLettered").asLong())
                  + " in "
                  + c.path("deadLetterIndex").asText("the dead-letter index")
                  + ", "
                  + count(c.path("setAside").asLong())
                  + " set aside in "
                  + c.path("setAsideFile").asText("the set-aside file")));
    }
    out.println(row("  backlog", bytes(c.path("walBytes").asLong()) + " in the write-ahead log"));
    for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!NAMED.contains(e.getKey())) {
        JsonNode v = e.getValue();
        out.println(
            row(
                "  " + e.getKey(),
                v.isNumber()
                    ? count(v.asLong())
                    : v.isObject() ? breakdown(v).strip() : v.asText()));
      }
    }
  }

  private static void printShippers(ArrayNode shippers, PrintStream out) {
    if (shippers.isEmpty()) {
      out.println(row("file shippers", "none has run (./trailmark ship --help)"));
      return;
    }
    out.println("file shippers");
    for (JsonNode s : shippers) {
      if (s.has("error")) {
        out.println(row("  " + s.path("name").asText("?"), s.path("error").asText()));
        continue;
      }
      long behind = 0;
      for (JsonNode f : s.path("files")) {
        behind += Math.max(0, f.path("size").asLong() - f.path("checkpoint").asLong());
      }
      StringBuilder line = new StringBuilder();
      line.append(
              s.path("alive").asBoolean()
                  ? "running (pid " + s.path("pid").asLong() + ")"
                  : "stopped")
          .append(" -> ")
          .append(s.path("destination").asText())
          .append(": ")
          .append(count(s.path("sent").asLong()))
          .append(" sent, ")
          .append(count(s.path("queued").asLong()))
          .append(" queued, ")
          .append(count(s.path("dropped").asLong()))
          .append(" dropped, ")
          .append(bytes(behind))
          .append(" behind in ")
          .append(s.path("files").size())
          .append(" files");
      String updated = s.path("updatedAt").asText(null);
      if (updated != null) {
        try {
          line.append("; updated ")
              .append(duration(Duration.between(Instant.parse(updated), Instant.now()).toSeconds()))
              .append(" ago");
        } catch (RuntimeException e) {
          // an odd timestamp is not worth failing the status over
        }
      }
      if (!s.path("lastError").isNull() && !s.path("lastError").asText("").isEmpty()) {
        line.append("; last error: ").append(s.path("lastError").asText());
      }
      out.println(row("  " + s.path("name").asText("?"), line.toString()));
    }
  }

  private static JsonNode get(URI uri) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.MAPPER.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static String breakdown(JsonNode byKey) {
    if (!byKey.isObject() || byKey.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder(" (");
    for (Iterator<Map.Entry<String, JsonNode>> it = byKey.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append(e.getKey())
          .append(' ')
          .append(count(e.getValue().asLong()))
          .append(it.hasNext() ? ", " : ")");
    }
    return b.toString();
  }

  private static String row(String label, String text) {
    return String.format(Locale.ROOT, "%-14s %s", label, text);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    return n < 1024 * 1024
        ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
        : String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }

  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min";
    }
    return seconds / 3600 + " h " + (seconds % 3600) / 60 + " min";
  }
}
