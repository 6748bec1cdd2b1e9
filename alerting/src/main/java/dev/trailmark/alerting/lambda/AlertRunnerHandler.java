package dev.trailmark.alerting.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.trailmark.alerting.AlertRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The alert runner as a scheduled Lambda function: each EventBridge schedule event runs one cycle
 * (the same code as {@code ./trailmark alerts run}). Rules: the shipped ones, the {@code *.yaml}
 * files of {@code ALERT_RULES_DIR} inside the deployment package, and those under {@code
 * ALERT_RULES_S3} ({@code s3://bucket/prefix/}), copied to /tmp at cold start. Environment
 * variables: alerting/README.md.
 */
public final class AlertRunnerHandler
    implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  private final AlertRunner runner;

  /** Configured from the environment. */
  public AlertRunnerHandler() {
    this(System.getenv());
  }

  AlertRunnerHandler(Map<String, String> env) {
    String endpoint = env.get("OPENSEARCH_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalStateException("environment variable OPENSEARCH_ENDPOINT is required");
    }
    AlertRunner.Builder b =
        AlertRunner.builder()
            .openSearch(URI.create(endpoint))
            .indexPrefix(env.getOrDefault("INDEX_PREFIX", ""))
            .builtInRules(
                !"false".equalsIgnoreCase(env.getOrDefault("ALERT_BUILTIN_RULES", "true")))
            .stdout(true, System.out);
    String dir = env.get("ALERT_RULES_DIR");
    if (dir != null && !dir.isBlank()) {
      b.rulesDirectory(Path.of(dir));
    }
    String s3 = env.get("ALERT_RULES_S3");
    if (s3 != null && !s3.isBlank()) {
      b.rulesDirectory(copyFromS3(s3));
    }
    String topic = env.get("SNS_TOPIC_ARN");
    if (topic != null && !topic.isBlank()) {
      b.snsTopic(topic);
    }
    String webhook = env.get("ALERT_WEBHOOK_URL");
    if (webhook != null && !webhook.isBlank()) {
      b.webhook(webhook);
    }
    String slack = env.get("ALERT_SLACK_WEBHOOK_URL");
    if (slack != null && !slack.isBlank()) {
      b.slackWebhook(slack);
    }
    this.runner = b.build();
  }

  /**
   * Copies every {@code *.yaml}/{@code *.yml} under {@code s3://bucket/prefix} to a fresh directory
   * in /tmp.
   */
  static Path copyFromS3(String url) {
    if (!url.startsWith("s3://")) {
      throw new IllegalStateException(
          "ALERT_RULES_S3 must look like s3://bucket/prefix/, got " + url);
    }
    String rest = url.substring(5);
    String bucket = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
    String prefix = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
    try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
      Path dir = Files.createTempDirectory("alert-rules");
      for (S3Object o :
          s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
        String name = o.key().substring(o.key().lastIndexOf('/') + 1);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
          byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asByteArray();
          Files.writeString(dir.resolve(name), new String(bytes, StandardCharsets.UTF_8));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    try {
      AlertRunner.CycleReport report = runner.runOnce();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("at", report.at().toString());
      long notices = 0;
      List<String> errors = new java.util.ArrayList<>();
      for (AlertRunner.RuleRun r : report.rules()) {
        notices += r.notices().size();
        if (r.error() != null) {
          errors.add(r.rule() + ": " + r.error());
        }
      }
      report.ruleErrors().forEach(e -> errors.add(e.getMessage()));
      out.put("rulesRun", report.rules().size());
      out.put("notices", notices);
      out.put("errors", errors);
      return out;
    } catch (IOException e) {
      // Fail the invocation: the next scheduled one resumes from the state of the last complete
      // cycle.
      throw new UncheckedIOException("alert cycle failed", e);
    }
  }
}
