package dev.trailmark.demo;

import dev.trailmark.audit.cli.AuditCli;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.opensearch.LocalOpenSearch;
import dev.trailmark.collector.opensearch.OpenSearchLauncher;
import dev.trailmark.collector.opensearch.OpenSearchLauncherConfig;
import dev.trailmark.collector.opensearch.OpenSearchLauncherException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ./trailmark demo}: starts (or reuses) OpenSearch and the collector, runs the four demo
 * services with the agent attached (inventory reads a database, shipping consumes an SQS queue),
 * drives requests at them, waits until every log line is searchable, prints what was stored, and
 * stops everything it started, also on Ctrl-C.
 */
public final class DemoMain {
  private static final int REQUESTS = Integer.getInteger("trailmark.demo.requests", 300);

  /** Where {@code ./trailmark up} runs the collector (reused when it answers). */
  private static final URI DEFAULT_COLLECTOR =
      URI.create(
          "http://127.0.0.1:" + System.getenv().getOrDefault("TRAILMARK_COLLECTOR_PORT", "4318"));

  private final PrintStream out = System.out;
  private OpenSearchLauncher launcher;
  private LocalOpenSearch openSearch;
  private LocalCollector collector;
  private DemoStack services;
  private DemoAlerts alerts;
  private volatile boolean interrupted;

  public static void main(String[] args) {
    // The runner shares the services' classpath; their logback.xml ships logs, the runner's must
    // not.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-demo-runner.xml");
    }
    DemoMain demo = new DemoMain();
    Thread cleanup =
        new Thread(
            () -> {
              demo.interrupted = true;
              demo.stopAll();
            },
            "trailmark-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    int rc;
    try {
      rc = demo.run();
    } catch (OpenSearchLauncherException e) {
      System.err.println("trailmark: " + e.getMessage());
      rc = 1;
    } catch (Exception e) {
      if (demo.interrupted) {
        System.err.println("trailmark: demo interrupted; everything it started is stopped");
        return; // the JVM is already exiting (Ctrl-C)
      }
      System.err.println("trailmark: demo failed: " + e);
      rc = 1;
    }
    demo.stopAll();
    Runtime.getRuntime().removeShutdownHook(cleanup);
    System.exit(rc);
  }

  int run() throws Exception {
    Path home =
        Path.of(
            System.getenv()
                .getOrDefault("TRAILMARK_HOME", System.getProperty("user.home") + "/.trailmark"));
    Path work = home.resolve("demo");
    Files.createDirectories(work);
    Instant since = Instant.now().minusSeconds(1);
    String token = "run" + UUID.randomUUID().toString().substring(0, 8);

    step(2, "OpenSearch: starting (the first start unpacks it)");
    launcher = new OpenSearchLauncher(OpenSearchLauncherConfig.fromEnvironment());
    openSearch = launcher.start();
    note(
        "OpenSearch "
            + (openSearch.startedHere() ? "started" : "reused")
            + " at "
            + openSearch.baseUri());

    step(3, "collector: starting the local AWS ingest endpoints");
    URI endpoint;
    int xrayPort;
    if (answers(DEFAULT_COLLECTOR.resolve("/_trailmark/status"))) {
      endpoint = DEFAULT_COLLECTOR;
      xrayPort = Integer.parseInt(System.getenv().getOrDefault("TRAILMARK_XRAY_PORT", "2000"));
      note("collector reused at " + endpoint + " (started by ./trailmark up)");
    } else {
      collector =
          LocalCollector.builder()
              .openSearch(openSearch.baseUri())
              .indexPrefix("")
              .httpPort(0)
              .xrayUdpPort(0)
              .stateDir(home.resolve("collector"))
              .build()
              .start();
      endpoint = collector.httpEndpoint();
      xrayPort = collector.xrayUdpPort();
      note(
          "collector listening at "
              + endpoint
              + " (AWS JSON APIs and OTLP)"
              + (xrayPort > 0 ? ", X-Ray UDP on 127.0.0.1:" + xrayPort : ""));
    }

    alerts = new DemoAlerts(openSearch.baseUri(), "", work);
    note(
        "alert runner started (rule "
            + DemoAlerts.RULE
            + "), notices to the local webhook "
            + alerts.webhook());

    step(
        4,
        "demo services: frontend -> orders -> inventory -> its database, orders -> SQS queue ->"
            + " shipping, each in its own JVM with the agent");
    Path agent =
        Path.of(System.getProperty("trailmark.agent.jar", "java-agent/target/trailmark-agent.jar"));
    if (!Files.isRegularFile(agent)) {
      note("agent jar not found at " + agent + ": services run without it (no trace ids)");
      agent = null;
    }
    services =
        DemoStack.start(
            new DemoStack.Options(
                endpoint,
                xrayPort,
                agent,
                work,
                System.getProperty("java.class.path"),
                Path.of(System.getProperty("java.home"))));
    note("frontend at " + services.frontend());

    step(5, "driving " + REQUESTS + " checkout requests");
    Map<Integer, Integer> statuses = LoadDriver.run(services.frontend(), token, REQUESTS, 4);
    note("answers by HTTP status: " + statuses);
    int burst = Integer.getInteger("trailmark.demo.burst", 40);
    Map<Integer, Integer> failed =
        LoadDriver.run(services.frontend(), "burst" + token, burst, 4, i -> "boom");
    note("inventory failed a burst of " + burst + " requests (its store unavailable): " + failed);
    services.close(); // a stop flushes each service's appenders, as a container stop would

    step(
        6,
        "audit: CloudTrail events that violate rules, replayed through the rules (dry-run: no account attached)");
    Path samples = Path.of(System.getProperty("trailmark.audit.samples", "audit-rules/samples"));
    int findingsSent = 0;
    if (Files.isDirectory(samples)) {
      java.io.ByteArrayOutputStream replayOut = new java.io.ByteArrayOutputStream();
      int replayRc =
          AuditCli.run(
              new String[] {"replay", "--endpoint", endpoint.toString(), samples.toString()},
              new PrintStream(replayOut, true, java.nio.charset.StandardCharsets.UTF_8),
              System.err);
      note(
          replayOut
              .toString(java.nio.charset.StandardCharsets.UTF_8)
              .strip()
              .replace("\n", "\n      "));
      findingsSent = replayRc == 0 ? 1 : 0;
    } else {
      note("no CloudTrail samples at " + samples);
    }

    step(7, "waiting until every log line is searchable");
    DemoReport report = new DemoReport(openSearch.baseUri(), "", since);
    // frontend, orders and inventory each log one line per checkout, shipping one per placed order
    long expected = 3L * REQUESTS + statuses.getOrDefault(201, 0);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    long found = 0;
    while (Instant.now().isBefore(deadline)) {
      found = report.logs(token).size();
      if (found >= expected) {
        break;
      }
      Thread.sleep(500);
    }
    note(found + " of " + expected + " request log lines searchable");
    boolean resolved = alerts.awaitResolved("inventory", Duration.ofSeconds(90));
    report.print(out, token);
    alerts.print(out);
    if (findingsSent > 0) {
      out.println();
      out.println(
          "Audit findings ("
              + DemoReport.AUDIT_INDEX
              + " in OpenSearch: "
              + report.countSince(DemoReport.AUDIT_INDEX, "@timestamp")
              + " records); what the rules found and what remediation would do:");
      AuditCli.run(new String[] {"scan", samples.toString()}, out, System.err);
    }
    out.println();
    out.println(
        "OpenSearch: "
            + openSearch.baseUri()
            + "   collector: "
            + endpoint
            + "   X-Ray UDP: 127.0.0.1:"
            + xrayPort);
    String console = System.getProperty("trailmark.console.url");
    if (console != null) {
      // ./trailmark starts the console beside this JVM (the dashboards module depends on this one,
      // not the reverse).
      out.println(
          "Console: "
              + console
              + "   (services, service map, traces with their logs, audit findings)");
    }
    return found >= expected && resolved ? 0 : 1;
  }

  private void step(int n, String what) {
    out.println("[" + n + "/7] " + what);
  }

  private void note(String what) {
    out.println("      " + what);
  }

  private static boolean answers(URI uri) {
    try {
      HttpResponse<Void> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** Stops what this run started, in reverse order; safe to call twice (normal end and Ctrl-C). */
  synchronized void stopAll() {
    if (alerts != null) {
      try {
        alerts.close();
      } catch (Exception e) {
        System.err.println("trailmark: alert runner stop: " + e);
      }
      alerts = null;
    }
    if (services != null) {
      services.close();
      services = null;
    }
    if (collector != null) {
      try {
        collector.close();
      } catch (Exception e) {
        System.err.println("trailmark: collector stop: " + e);
      }
      collector = null;
    }
    if (openSearch != null) {
      launcher.stopIfStartedHere(openSearch);
      openSearch = null;
    }
  }
}
