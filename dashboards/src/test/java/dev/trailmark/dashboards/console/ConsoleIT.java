package dev.trailmark.dashboards.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.audit.cli.AuditCli;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.local.TogglingProxy;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.demo.DemoStack;
import dev.trailmark.demo.LoadDriver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium, over what the demo services really produced (three JVMs
 * with the agent and the log shipper, through the collector into OpenSearch), plus bulk-loaded
 * lines for paging and alert notices in the alerting contract's shape. The console reads OpenSearch
 * through a proxy the test can take down.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  private static final int REQUESTS = 40;
  private static final int BULK_LINES = 10_600;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHOTS = Path.of("target/screenshots");

  private static OpenSearchInstance os;
  private static TogglingProxy proxy;
  private static Console console;
  private static ChromeDriver browser;
  private static String fullTraceId;
  private static Path userDataDir;

  @BeforeAll
  static void produceDataAndOpenTheBrowser(OpenSearchInstance openSearch, LocalCollector collector)
      throws Exception {
    os = openSearch;
    Path work = Files.createTempDirectory("trailmark-console-it-");
    Path demoDir = Path.of(System.getProperty("trailmark.demo.dir", "../demo"));
    Path agent =
        Path.of(
            System.getProperty("trailmark.agent.jar", "../java-agent/target/trailmark-agent.jar"));
    assertThat(agent).as("the agent jar, built before this module").isRegularFile();
    String classpath =
        demoDir.resolve("target/classes")
            + java.io.File.pathSeparator
            + demoDir.resolve("target/lib/*");
    String token = "runconsole" + Long.toHexString(System.nanoTime());
    try (DemoStack services =
        DemoStack.start(
            new DemoStack.Options(
                collector.httpEndpoint(),
                collector.xrayUdpPort(),
                agent,
                work.resolve("services"),
                classpath,
                Path.of(System.getProperty("java.home"))))) {
      Map<Integer, Integer> statuses = LoadDriver.run(services.frontend(), token, REQUESTS, 2);
      assertThat(statuses).containsKeys(201, 409);
      Thread.sleep(
          6_000); // one metrics step (5 s in DemoStack) so the agents publish their RED metrics
    }
    ByteArrayOutputStream replayOut = new ByteArrayOutputStream();
    int rc =
        AuditCli.run(
            new String[] {
              "replay",
              "--endpoint",
              collector.httpEndpoint().toString(),
              Path.of("../audit-rules/samples").toString()
            },
            new PrintStream(replayOut, true, StandardCharsets.UTF_8),
            System.err);
    assertThat(rc).as("audit replay: %s", replayOut).isZero();

    String p = os.indexPrefix();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                count(
                        p + "logs-*",
                        "{\"query\":{\"query_string\":{\"query\":\"body:" + token + "*\"}}}")
                    >= 3L * REQUESTS);
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                fullTrace() != null
                    && count(p + "otel-v1-apm-service-map*", null) >= 2
                    && count(p + "audit-findings-*", null) > 0
                    && count(p + "metrics-*", null) > 0);
    fullTraceId = fullTrace();

    bulkLoadLines(p);
    writeAlerts(p);

    proxy = new TogglingProxy(os.baseUri());
    console =
        Console.builder()
            .openSearch(proxy.uri())
            .indexPrefix(p)
            .port(0)
            .queryTimeout(Duration.ofSeconds(5))
            .start();
    Files.createDirectories(SHOTS);
    userDataDir = Files.createTempDirectory("trailmark-console-chromium-");
    ChromeOptions options = new ChromeOptions();
    String chromium = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    if (chromium != null) {
      options.setBinary(chromium);
    }
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--user-data-dir=" + userDataDir);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(
                Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"))
                    .toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void close() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (console != null) {
      console.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  /**
   * No page may log a JavaScript error (an uncaught exception, a failed module load, a failed
   * request).
   */
  @AfterEach
  void noJavaScriptErrors() {
    List<String> severe = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
        severe.add(e.getMessage());
      }
    }
    assertThat(severe).as("browser console errors").isEmpty();
  }

  @Test
  @Order(1)
  void servicesPageShowsTheThreeDemoServicesWithRatesAndLatencies() throws Exception {
    open("services");
    WebElement table = waitFor("#services-table");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> serviceNames().containsAll(Set.of("frontend", "orders", "inventory")));
    WebElement frontend = table.findElement(By.cssSelector("tr.svc[data-service='frontend']"));
    assertThat(frontend.getText()).containsPattern("\\d+(\\.\\d+)? (ms|s)").contains("/s");
    // The operations of a service open under it, each a link to its traces.
    frontend.findElement(By.cssSelector("button.tog")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !browser.findElements(By.cssSelector("tr.op[data-service='frontend']")).isEmpty());
    screenshot("services");
  }

  @Test
  @Order(2)
  void serviceMapDrawsTheDemoEdges() throws Exception {
    open("map");
    waitFor("#cy canvas");
    JsonNode map = apiFromBrowser("/api/map?from=now-1h");
    Set<String> edges = new HashSet<>();
    map.path("edges")
        .forEach(e -> edges.add(e.path("source").asText() + ">" + e.path("target").asText()));
    assertThat(edges).contains("frontend>orders", "orders>inventory");
    // the database inventory reads and the queue between orders and shipping are nodes, as in X-Ray
    assertThat(edges).contains("inventory>stock", "orders>SQS", "SQS>shipping");
    map.path("edges")
        .forEach(e -> assertThat(e.path("count").asLong()).as("calls on %s", e).isPositive());
    Thread.sleep(800); // the layout settles
    screenshot("map");
  }

  @Test
  @Order(3)
  void aTraceOpensAsAWaterfallOfAllThreeServicesWithTheSameLogLinesAsOpenSearch() throws Exception {
    open("traces");
    waitFor("#traces-table tr.trace");
    screenshot("traces");
    // Search by the X-Ray form of the id, as people paste it from a log line or the X-Ray console.
    String xray = "1-" + fullTraceId.substring(0, 8) + "-" + fullTraceId.substring(8);
    WebElement id = browser.findElement(By.id("f-traceId"));
    id.sendKeys(xray, Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              List<WebElement> rows =
                  browser.findElements(By.cssSelector("#traces-table tr.trace"));
              return rows.size() == 1
                  && fullTraceId.equals(rows.get(0).getAttribute("data-trace-id"));
            });
    browser.findElement(By.cssSelector("#traces-table tr.trace")).click();
    waitFor("#waterfall .row.span");
    assertThat(browser.getCurrentUrl()).contains("id=" + fullTraceId);
    Set<String> services =
        browser.findElements(By.cssSelector("#waterfall .row.span")).stream()
            .map(r -> r.getAttribute("data-service"))
            .collect(Collectors.toSet());
    assertThat(services).containsExactlyInAnyOrder("frontend", "orders", "inventory", "shipping");
    assertThat(browser.findElements(By.cssSelector("#waterfall .row.span.crit"))).isNotEmpty();
    // Attributes on click.
    browser.findElements(By.cssSelector("#waterfall .row.span")).get(0).click();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElement(By.id("span-detail")).getText().contains("spanId"));

    Set<String> shown =
        browser.findElements(By.cssSelector("#page-trace table.loglines tr.line")).stream()
            .map(r -> r.getAttribute("data-id"))
            .collect(Collectors.toSet());
    JsonNode direct =
        JSON.readTree(
            os.post(
                "/" + os.indexPrefix() + "logs-*/_search",
                "{\"size\":1000,\"query\":{\"term\":{\"traceId\":\"" + fullTraceId + "\"}}}"));
    Set<String> expected = new HashSet<>();
    direct.path("hits").path("hits").forEach(h -> expected.add(h.path("_id").asText()));
    assertThat(expected).as("log lines of the trace in OpenSearch").hasSizeGreaterThanOrEqualTo(3);
    assertThat(shown).isEqualTo(expected);
    screenshot("trace");
  }

  @Test
  @Order(4)
  void aLogLinesTraceLinkOpensThatTrace() throws Exception {
    open("logs", "service=inventory");
    waitFor("#log-table tr.line a.tracelink");
    screenshot("logs");
    WebElement line =
        browser.findElement(
            By.cssSelector("#log-table tr.line[data-trace-id]:not([data-trace-id=''])"));
    String traceId = line.getAttribute("data-trace-id");
    line.findElement(By.cssSelector("a.tracelink")).click();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                !browser.findElements(By.id("trace-id")).isEmpty()
                    && traceId.equals(browser.findElement(By.id("trace-id")).getText()));
    // The line itself is among the trace's log lines.
    waitFor("#page-trace table.loglines tr.line");
    assertThat(
            browser.findElements(By.cssSelector("#page-trace table.loglines tr.line")).stream()
                .map(r -> r.getAttribute("data-trace-id")))
        .containsOnly(traceId);
  }

  @Test
  @Order(5)
  void filtersNarrowTheResults() throws Exception {
    open("logs");
    waitFor("#log-table tr.line");
    long all = matched();
    // Keyboard: '/' focuses the search field, Enter applies it.
    browser.findElement(By.tagName("body")).sendKeys("/");
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("f-q");
    browser.switchTo().activeElement().sendKeys("order rejected", Keys.ENTER);
    await().atMost(Duration.ofSeconds(15)).until(() -> browser.getCurrentUrl().contains("q=order"));
    await().atMost(Duration.ofSeconds(15)).until(() -> matched() < all && matched() > 0);
    long direct =
        count(
            os.indexPrefix() + "logs-*",
            "{\"query\":{\"bool\":{\"must\":[{\"simple_query_string\":{\"query\":\"order rejected\","
                + "\"fields\":[\"body\",\"attributes.exception.message\",\"attributes.exception.type\"],\"default_operator\":\"and\"}}],"
                + "\"filter\":[{\"range\":{\"@timestamp\":{\"gte\":\"now-1h\"}}}]}}}");
    assertThat(matched()).isEqualTo(direct);

    open("traces", "service=inventory");
    waitFor("#traces-table tr.trace");
    assertThat(browser.findElements(By.cssSelector("#traces-table tr.trace")))
        .allSatisfy(r -> assertThat(r.getText()).contains("inventory"));
    open("traces", "status=error");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                !browser
                    .findElements(
                        By.cssSelector("#traces-table tr.trace, #page-traces .empty:not(.loading)"))
                    .isEmpty());
    int errors = browser.findElements(By.cssSelector("#traces-table tr.trace")).size();
    open("traces");
    waitFor("#traces-table tr.trace");
    assertThat(browser.findElements(By.cssSelector("#traces-table tr.trace")).size())
        .isGreaterThan(errors);
  }

  @Test
  @Order(6)
  void pagingWithSearchAfterGoesPastTenThousandLines() {
    open("logs", "service=bulkload&size=500&from=now-6h");
    waitFor("#log-table tr.line");
    assertThat(matched()).isEqualTo(BULK_LINES);
    for (int page = 0;
        page < BULK_LINES / 500 + 2 && browser.findElement(By.id("older")).isDisplayed();
        page++) {
      int before = rows();
      browser.findElement(By.id("older")).click();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> rows() > before || !browser.findElement(By.id("older")).isDisplayed());
    }
    @SuppressWarnings("unchecked")
    List<String> ids =
        (List<String>)
            browser.executeScript(
                "return [...document.querySelectorAll('#log-table tr.line')].map(r => r.dataset.id)");
    assertThat(ids).hasSize(BULK_LINES).doesNotHaveDuplicates();
    // newest first; lines of one millisecond by _id
    assertThat(ids.get(0)).isEqualTo("bulk-" + (BULK_LINES - 2));
    assertThat(ids.get(BULK_LINES - 1)).isEqualTo("bulk-1");
  }

  @Test
  @Order(7)
  void metricsPageChartsTheAgentsRedMetrics() throws Exception {
    open("metrics");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                browser.findElements(By.cssSelector("#metric-list a")).stream()
                    .anyMatch(a -> a.getText().equals("http.server.requests.count")));
    browser.findElements(By.cssSelector("#metric-list a")).stream()
        .filter(a -> a.getText().equals("http.server.requests.count"))
        .findFirst()
        .orElseThrow()
        .click();
    waitFor("#metric-chart .uplot");
    assertThat(browser.findElement(By.cssSelector("#metric-chart .u-legend")).getText())
        .contains("frontend");
    screenshot("metrics");
  }

  @Test
  @Order(8)
  void auditPageListsTheFindingsWithTheirTriggerAndOutcome() throws Exception {
    open("audit");
    waitFor("#findings-table tr.item");
    int all = browser.findElements(By.cssSelector("#findings-table tr.item")).size();
    browser.findElement(By.cssSelector("#findings-table tr.item")).click();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                browser
                    .findElement(By.id("findings-detail"))
                    .getText()
                    .contains("Triggering event"));
    assertThat(browser.findElement(By.id("findings-detail")).getText()).contains("Remediation");
    screenshot("audit");
    List<WebElement> severities =
        browser.findElements(By.cssSelector("[data-facet='severity'] a.chip"));
    if (severities.size() > 1) {
      severities.get(severities.size() - 1).click();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> browser.findElements(By.cssSelector("#findings-table tr.item")).size() < all);
    }
  }

  @Test
  @Order(9)
  void alertsPageShowsTheNoticesAndLinksToTheirTrace() throws Exception {
    open("alerts");
    waitFor("#alerts-table tr.item");
    assertThat(browser.findElements(By.cssSelector("#alerts-table tr.item"))).hasSize(2);
    screenshot("alerts");
    browser
        .findElement(By.cssSelector("[data-facet='state'] a.chip"))
        .click(); // the first value: one of two
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElements(By.cssSelector("#alerts-table tr.item")).size() == 1);
    open("alerts");
    waitFor("#alerts-table tr.item a.tracelink");
    browser.findElement(By.cssSelector("#alerts-table tr.item a.tracelink")).click();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                !browser.findElements(By.id("trace-id")).isEmpty()
                    && fullTraceId.equals(browser.findElement(By.id("trace-id")).getText()));
    // and the trace names the alert that concerns it
    waitFor("#trace-alerts tr");
  }

  @Test
  @Order(10)
  void whenOpenSearchIsUnreachableThePageSaysSoKeepsItsDataAndRecovers() throws Exception {
    open("services", "refresh=5s");
    waitFor("#services-table tr.svc");
    proxy.down();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> browser.findElement(By.id("banner")).isDisplayed());
      assertThat(browser.findElement(By.id("banner")).getText()).contains("unreachable");
      assertThat(browser.findElements(By.cssSelector("#services-table tr.svc")))
          .as("the last data stays")
          .isNotEmpty();
      screenshot("outage");
    } finally {
      proxy.up();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !browser.findElement(By.id("banner")).isDisplayed());
    assertThat(browser.findElements(By.cssSelector("#services-table tr.svc"))).isNotEmpty();
    // The refused requests of the outage were logged by the browser as failed loads: expected here,
    // not an error.
    browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> !e.getMessage().contains("503"))
        .forEach(
            e -> {
              if (e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
                throw new AssertionError("browser console error: " + e.getMessage());
              }
            });
  }

  @Test
  @Order(11)
  void whenOpenSearchAnswersOnlyInPartThePageSaysSoUntilItAnswersWhole() throws Exception {
    // One daily span index maps serviceName as text: the services page's aggregation fails on its
    // shard, and OpenSearch answers from the others (as it does while a new index's shard starts).
    String mismapped = os.indexPrefix() + "otel-v1-apm-span-mismapped";
    os.put(
        "/" + mismapped, "{\"mappings\":{\"properties\":{\"serviceName\":{\"type\":\"text\"}}}}");
    try {
      os.post(
          "/" + mismapped + "/_doc?refresh=true",
          "{\"startTime\":\""
              + Instant.now()
              + "\",\"kind\":\"SPAN_KIND_SERVER\",\"serviceName\":\"mismapped\"}");
      open("services", "refresh=5s");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> browser.findElement(By.id("banner")).isDisplayed());
      assertThat(browser.findElement(By.id("banner")).getText())
          .contains("Incomplete results")
          .contains("shards answered")
          .contains(mismapped);
      assertThat(serviceNames())
          .as("what the other shards answered is shown")
          .contains("frontend", "orders", "inventory");
      screenshot("incomplete");
    } finally {
      os.delete("/" + mismapped);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !browser.findElement(By.id("banner")).isDisplayed());
  }

  // ---- helpers

  private static void open(String page, String... query) {
    browser.get(
        console.url() + "#/" + page + (query.length > 0 ? "?" + String.join("&", query) : ""));
  }

  private static WebElement waitFor(String css) {
    return new WebDriverWait(browser, Duration.ofSeconds(30))
        .until(
            d -> {
              List<WebElement> found = d.findElements(By.cssSelector(css));
              return found.isEmpty() ? null : found.get(0);
            });
  }

  private static Set<String> serviceNames() {
    return browser.findElements(By.cssSelector("#services-table tr.svc")).stream()
        .map(r -> r.getAttribute("data-service"))
        .collect(Collectors.toSet());
  }

  private static long matched() {
    String text = browser.findElement(By.id("log-summary")).getText();
    return text.isEmpty() ? -1 : Long.parseLong(text.split(" ")[0].replace(",", ""));
  }

  private static int rows() {
    return ((Number)
            browser.executeScript("return document.querySelectorAll('#log-table tr.line').length"))
        .intValue();
  }

  private static JsonNode apiFromBrowser(String path) throws Exception {
    Object text =
        browser.executeAsyncScript(
            "const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('ERR ' + e));",
            path);
    return JSON.readTree(String.valueOf(text));
  }

  private static void screenshot(String name) throws Exception {
    Files.write(
        SHOTS.resolve(name + ".png"),
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }

  private static long count(String index, String query) throws Exception {
    String body = query == null ? "{}" : query;
    JsonNode n =
        JSON.readTree(
            os.post("/" + index + "/_count?ignore_unavailable=true&allow_no_indices=true", body));
    return n.path("count").asLong();
  }

  /**
   * A trace whose spans come from all three services (sampled; X-Ray samples the first request of
   * each second).
   */
  private static String fullTrace() throws Exception {
    os.refresh(os.indexPrefix() + "otel-v1-apm-span-*");
    JsonNode r =
        JSON.readTree(
            os.post(
                "/"
                    + os.indexPrefix()
                    + "otel-v1-apm-span-*/_search?ignore_unavailable=true&allow_no_indices=true",
                "{\"size\":0,\"aggs\":{\"t\":{\"terms\":{\"field\":\"traceId\",\"size\":200},"
                    + "\"aggs\":{\"s\":{\"cardinality\":{\"field\":\"serviceName\"}}}}}}"));
    for (JsonNode b : r.path("aggregations").path("t").path("buckets")) {
      // a placed order: frontend, orders, inventory, and shipping consuming its message
      if (b.path("s").path("value").asInt() == 4) {
        String id = b.path("key").asText();
        if (count(
                os.indexPrefix() + "logs-*", "{\"query\":{\"term\":{\"traceId\":\"" + id + "\"}}}")
            >= 3) {
          return id;
        }
      }
    }
    return null;
  }

  /**
   * Lines of a made-up service, one a millisecond apart, enough to page past OpenSearch's
   * 10,000-hit window.
   */
  private static void bulkLoadLines(String prefix) throws Exception {
    Instant start = Instant.now().minusSeconds(3600);
    String index =
        prefix
            + "logs-bulkload-"
            + DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC).format(start);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < BULK_LINES; i++) {
      // Pairs of lines share a millisecond: paging must still neither skip nor repeat one.
      Instant t = start.plusMillis(i / 2);
      bulk.append("{\"index\":{\"_index\":\"")
          .append(index)
          .append("\",\"_id\":\"bulk-")
          .append(i)
          .append("\"}}\n");
      bulk.append("{\"@timestamp\":\"")
          .append(t)
          .append("\",\"severity\":{\"text\":\"INFO\",\"number\":9},")
          .append("\"body\":\"bulk line ")
          .append(i)
          .append("\",\"resource\":{\"service\":{\"name\":\"bulkload\"}}}\n");
      if (bulk.length() > 2_000_000 || i == BULK_LINES - 1) {
        JsonNode r = JSON.readTree(os.post("/_bulk", bulk.toString()));
        assertThat(r.path("errors").asBoolean()).as("bulk errors").isFalse();
        bulk.setLength(0);
      }
    }
    os.refresh(index);
  }

  /**
   * A firing and a resolved notice of one episode, in the shape CONTRACTS.md gives the alerts
   * index.
   */
  private static void writeAlerts(String prefix) throws Exception {
    Instant now = Instant.now();
    String index =
        prefix
            + "alerts-"
            + DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC).format(now);
    // The alerting module owns the real template; this index gets the contract's field types by
    // hand.
    os.put(
        "/" + index,
        "{\"mappings\":{\"dynamic_templates\":[{\"s\":{\"match_mapping_type\":\"string\","
            + "\"mapping\":{\"type\":\"keyword\"}}}],\"properties\":{\"@timestamp\":{\"type\":\"date\"},"
            + "\"message\":{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\"}}},"
            + "\"window\":{\"properties\":{\"start\":{\"type\":\"date\"},\"end\":{\"type\":\"date\"}}},"
            + "\"match_count\":{\"type\":\"long\"}}}}");
    for (String state : List.of("firing", "resolved")) {
      Instant t = state.equals("firing") ? now.minusSeconds(120) : now.minusSeconds(30);
      String doc =
          "{\"@timestamp\":\""
              + t
              + "\",\"alert_id\":\"a-1\",\"rule\":{\"name\":\"checkout errors\",\"type\":\"frequency\"},"
              + "\"severity\":\"high\",\"state\":\""
              + state
              + "\",\"query_key\":\"resource.service.name\",\"key\":\"inventory\","
              + "\"match_count\":4,\"window\":{\"start\":\""
              + t.minusSeconds(300)
              + "\",\"end\":\""
              + t
              + "\"},"
              + "\"message\":\"4 out-of-stock answers from inventory in 5 minutes\",\"index\":\"logs-*\","
              + "\"sample\":{\"traceId\":\""
              + fullTraceId
              + "\"},\"resource\":{\"service\":{\"name\":\"inventory\"}},"
              + "\"delivery\":[{\"alerter\":\"sns\",\"status\":\"sent\",\"attempts\":1}]}";
      os.post("/" + index + "/_doc?refresh=true", doc);
    }
  }
}
