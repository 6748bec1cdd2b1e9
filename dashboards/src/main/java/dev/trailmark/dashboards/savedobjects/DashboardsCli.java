package dev.trailmark.dashboards.savedobjects;

import dev.trailmark.dashboards.savedobjects.internal.DashboardsClient;
import dev.trailmark.dashboards.savedobjects.internal.ImportResult;
import dev.trailmark.dashboards.savedobjects.internal.SavedObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * {@code ./trailmark dashboards install|export}: puts Trailmark's OpenSearch Dashboards saved
 * objects (index patterns, searches, visualizations and dashboards) into a Dashboards, or writes
 * them to a file.
 *
 * <p>Exit codes: 0 done; 1 bad usage or Dashboards could not be reached or answered an error; 2
 * Dashboards refused at least one object (each is named).
 */
public final class DashboardsCli {
  static final int OK = 0;
  static final int ERROR = 1;
  static final int REFUSED = 2;

  /**
   * The Observability plugin's mapping of the fields it correlates traces and logs by to our log
   * documents.
   */
  static final String CORRELATED_LOGS_FIELDS_SETTING =
      "observability:traceAnalyticsCorrelatedLogsFieldMappings";

  static final String CORRELATED_LOGS_FIELDS =
      "{\"serviceName\":\"resource.service.name\",\"spanId\":\"spanId\",\"timestamp\":\"@timestamp\",\"traceId\":\"traceId\"}";

  private static final String USAGE =
      String.join(
          "\n",
          "usage: trailmark dashboards install --url URL [--user USER [--password PASSWORD] | --sigv4 [--region REGION]]",
          "                                   [--tenant TENANT] [--index-prefix PREFIX] [--base-path PATH] [--no-settings]",
          "       trailmark dashboards export FILE [--index-prefix PREFIX]",
          "  install         import the saved objects (POST /api/saved_objects/_import?overwrite=true) and print what",
          "                  was created, updated and refused; exit 2 when anything was refused",
          "  --url URL       OpenSearch Dashboards, e.g. http://127.0.0.1:5601 or https://DOMAIN/_dashboards; on an",
          "                  Amazon OpenSearch Service endpoint (*.es.amazonaws.com, *.aos.*.on.aws) /_dashboards is",
          "                  added, and a 404 at the root is retried once under /_dashboards",
          "  --user USER     basic auth; the password comes from --password or TRAILMARK_DASHBOARDS_PASSWORD",
          "  --sigv4         sign with AWS SigV4 (service es) using the default AWS credential chain",
          "  --region REGION the SigV4 region (default AWS_REGION, AWS_DEFAULT_REGION, or the endpoint's region)",
          "  --tenant NAME   the security plugin's tenant (sent as the securitytenant header)",
          "  --index-prefix  the collector's --index-prefix, put in front of every index pattern",
          "                  (default TRAILMARK_INDEX_PREFIX, else none)",
          "  --base-path P   Dashboards' base path when it is neither / nor /_dashboards",
          "  --no-settings   leave the Observability plugin's correlated-logs field mapping alone",
          "  export FILE     write the saved objects as ndjson (the file Dashboards' import takes)");

  private DashboardsCli() {}

  /** Runs the command and exits with its code. */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "trailmark-dashboards-logback.xml");
    }
    System.exit(run(args, System.out, System.err, System.getenv()));
  }

  /**
   * Runs the command with this environment, printing to {@code out} and {@code err}; returns the
   * exit code.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? ERROR : OK;
    }
    try {
      Options o = Options.parse(List.of(args).subList(1, args.length), env);
      switch (args[0]) {
        case "install":
          return install(o, out, err, env);
        case "export":
          return export(o, out);
        default:
          throw new IllegalArgumentException("unknown command '" + args[0] + "'");
      }
    } catch (IllegalArgumentException e) {
      err.println("trailmark dashboards: " + e.getMessage());
      err.println(USAGE);
      return ERROR;
    } catch (IOException e) {
      err.println("trailmark dashboards: " + e.getMessage());
      return ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("trailmark dashboards: interrupted");
      return ERROR;
    }
  }

  private static int export(Options o, PrintStream out) throws IOException {
    if (o.file == null) {
      throw new IllegalArgumentException("export needs a FILE");
    }
    Path file = Path.of(o.file);
    byte[] bytes =
        o.prefix.isEmpty()
            ? resourceBytes()
            : SavedObjects.toNdjson(SavedObjects.withIndexPrefix(SavedObjects.load(), o.prefix));
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, bytes);
    out.println(
        "wrote "
            + SavedObjects.load().size()
            + " saved objects to "
            + file
            + (o.prefix.isEmpty() ? "" : " (index prefix " + o.prefix + ")"));
    return OK;
  }

  private static byte[] resourceBytes() throws IOException {
    try (InputStream in = DashboardsCli.class.getResourceAsStream(SavedObjects.RESOURCE)) {
      if (in == null) {
        throw new IOException(SavedObjects.RESOURCE + " is not on the class path");
      }
      return in.readAllBytes();
    }
  }

  private static int install(Options o, PrintStream out, PrintStream err, Map<String, String> env)
      throws IOException, InterruptedException {
    if (o.url == null) {
      throw new IllegalArgumentException("install needs --url");
    }
    if (o.file != null) {
      throw new IllegalArgumentException("unknown argument '" + o.file + "'");
    }
    URI url;
    try {
      url = URI.create(o.url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url '" + o.url + "' is not a URL");
    }
    DashboardsClient.Builder b =
        DashboardsClient.builder().url(url).tenant(o.tenant).notes(out::println);
    if (o.basePath != null) {
      b.basePath(o.basePath);
    }
    if (o.user != null) {
      String password = o.password != null ? o.password : env.get("TRAILMARK_DASHBOARDS_PASSWORD");
      if (password == null) {
        throw new IllegalArgumentException(
            "--user needs --password or TRAILMARK_DASHBOARDS_PASSWORD");
      }
      b.basicAuth(o.user, password);
    } else if (o.password != null) {
      throw new IllegalArgumentException("--password needs --user");
    }
    if (o.sigv4) {
      b.sigV4(region(o, env, url), credentials());
    } else if (o.region != null) {
      throw new IllegalArgumentException("--region needs --sigv4");
    }
    DashboardsClient client = b.build();
    List<?> objects = SavedObjects.load();
    byte[] ndjson =
        SavedObjects.toNdjson(SavedObjects.withIndexPrefix(SavedObjects.load(), o.prefix));
    ImportResult result = client.importObjects(ndjson);
    String where =
        url.getScheme()
            + "://"
            + url.getAuthority()
            + client.basePath()
            + (o.tenant != null ? " (tenant " + o.tenant + ")" : "");
    if (result.written()) {
      result.created().forEach(s -> out.println("created  " + s));
      result.updated().forEach(s -> out.println("updated  " + s));
    }
    result.refused().forEach(s -> err.println("refused  " + s));
    if (!result.written()) {
      err.println(
          "Dashboards applied none of the "
              + objects.size()
              + " objects: it holds back a whole import "
              + "when an object conflicts or misses a reference.");
      err.println(result.refused().size() + " refused at " + where);
      return REFUSED;
    }
    out.println(
        result.created().size()
            + " created, "
            + result.updated().size()
            + " updated, "
            + result.refused().size()
            + " refused at "
            + where
            + (o.prefix.isEmpty() ? "" : " (index prefix " + o.prefix + ")"));
    if (!result.refused().isEmpty()) {
      return REFUSED;
    }
    if (o.settings) {
      try {
        client.setSettings(Map.of(CORRELATED_LOGS_FIELDS_SETTING, CORRELATED_LOGS_FIELDS));
        out.println(
            "set "
                + CORRELATED_LOGS_FIELDS_SETTING
                + " (Trace analytics finds a span's log lines)");
      } catch (DashboardsClient.DashboardsException e) {
        err.println(
            "warning: the saved objects are installed, but the advanced setting "
                + CORRELATED_LOGS_FIELDS_SETTING
                + " was not set: "
                + e.getMessage());
      }
    }
    return OK;
  }

  private static String region(Options o, Map<String, String> env, URI url) {
    if (o.region != null) {
      return o.region;
    }
    for (String name : List.of("AWS_REGION", "AWS_DEFAULT_REGION")) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    Matcher m =
        Pattern.compile("\\.([a-z]{2}(?:-[a-z]+)+-\\d)\\.(?:es\\.amazonaws\\.com|aos\\.)")
            .matcher(String.valueOf(url.getHost()));
    if (m.find()) {
      return m.group(1);
    }
    throw new IllegalArgumentException(
        "--sigv4 needs a region: --region, AWS_REGION, or an endpoint that names it");
  }

  private static AwsCredentialsProvider credentials() {
    return DefaultCredentialsProvider.builder().build();
  }

  /** Parsed arguments after the command. */
  private static final class Options {
    String url;
    String user;
    String password;
    boolean sigv4;
    String region;
    String tenant;
    String prefix = "";
    String basePath;
    boolean settings = true;
    String file;

    static Options parse(List<String> args, Map<String, String> env) {
      Options o = new Options();
      String envPrefix = env.get("TRAILMARK_INDEX_PREFIX");
      if (envPrefix != null) {
        o.prefix = envPrefix;
      }
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--url" -> o.url = value(args, ++i, a);
          case "--user" -> o.user = value(args, ++i, a);
          case "--password" -> o.password = value(args, ++i, a);
          case "--sigv4" -> o.sigv4 = true;
          case "--region" -> o.region = value(args, ++i, a);
          case "--tenant" -> o.tenant = value(args, ++i, a);
          case "--index-prefix" -> o.prefix = value(args, ++i, a);
          case "--base-path" -> o.basePath = value(args, ++i, a);
          case "--no-settings" -> o.settings = false;
          default -> {
            if (a.startsWith("--") || o.file != null) {
              throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
            o.file = a;
          }
        }
      }
      if (o.user != null && o.sigv4) {
        throw new IllegalArgumentException("choose --user/--password or --sigv4, not both");
      }
      SavedObjects.checkPrefix(o.prefix);
      return o;
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size() || args.get(i).startsWith("--")) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }
  }
}
