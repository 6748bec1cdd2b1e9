package dev.trailmark.audit.internal.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.remediation.Plans;
import dev.trailmark.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes one audit record per decision: to S3 as one JSON object, and to the Firehose delivery
 * stream whose destination is the {@code audit-findings-*} index. A record that cannot be written
 * is logged whole at ERROR, so the decision and its pre-change state survive in the function's log.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final DateTimeFormatter DAY_PATH =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  /** What was decided about a finding. */
  public enum Decision {
    REMEDIATED,
    NOTIFIED,
    SKIPPED_DRY_RUN,
    SKIPPED_EXEMPT,
    SKIPPED_COMPLIANT,
    SKIPPED_GONE,
    SKIPPED_NOT_ALLOWED,
    SKIPPED_RATE_LIMITED,
    FAILED;

    /** The lower-case, dashed name stored in records ({@code skipped-dry-run}). */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final FirehoseClient firehose;
  private final String stream;

  /** An audit log; a null client or empty bucket/stream turns that sink off. */
  public AuditLog(
      S3Client s3, String bucket, String prefix, FirehoseClient firehose, String stream) {
    this.s3 = bucket == null || bucket.isBlank() ? null : s3;
    this.bucket = bucket;
    this.prefix = prefix == null ? "" : prefix;
    this.firehose = stream == null || stream.isBlank() ? null : firehose;
    this.stream = stream;
  }

  /** Builds the record of one decision. */
  public static ObjectNode record(
      Finding f,
      Decision decision,
      String reason,
      JsonNode before,
      JsonNode after,
      int attempt,
      boolean dryRun,
      Instant now) {
    ObjectNode r = Json.object();
    r.put("@timestamp", now.toString());
    r.put("recordId", f.findingId() + "-" + decision.label() + "-" + attempt);
    r.put("decision", decision.label());
    r.put("reason", reason);
    r.put("ruleId", f.ruleId());
    r.put("title", f.title());
    r.put("severity", f.severity().name());
    r.put("resourceType", f.resourceType());
    r.put("resourceId", f.resourceId());
    r.put("accountId", f.accountId());
    r.put("region", f.region());
    r.put("action", f.action());
    r.put("plan", Plans.describe(f));
    r.put("dryRun", dryRun);
    r.put("attempt", attempt);
    r.set("finding", Json.MAPPER.valueToTree(f));
    if (before != null) {
      r.set("before", before);
    }
    if (after != null) {
      r.set("after", after);
    }
    return r;
  }

  /**
   * Writes a record to every configured sink; never throws. Returns false when a sink refused it.
   */
  public boolean write(ObjectNode record) {
    String json = Json.write(record);
    boolean ok = true;
    if (s3 != null) {
      String key =
          prefix
              + DAY_PATH.format(Instant.parse(record.path("@timestamp").asText()))
              + "/"
              + record.path("ruleId").asText()
              + "/"
              + record.path("recordId").asText()
              + ".json";
      try {
        s3.putObject(
            r -> r.bucket(bucket).key(key).contentType("application/json"),
            RequestBody.fromString(json, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        ok = false;
        log.error("audit record not written to s3://{}/{}: {}", bucket, key, e.toString());
      }
    }
    if (firehose != null) {
      try {
        firehose.putRecord(
            r ->
                r.deliveryStreamName(stream)
                    .record(b -> b.data(SdkBytes.fromString(json + "\n", StandardCharsets.UTF_8))));
      } catch (RuntimeException e) {
        ok = false;
        log.error("audit record not sent to Firehose stream {}: {}", stream, e.toString());
      }
    }
    if (ok) {
      log.debug(
          "audit {} {} {}",
          record.path("decision").asText(),
          record.path("ruleId").asText(),
          record.path("resourceId").asText());
    } else {
      log.error("audit record kept only in this log: {}", json);
    }
    return ok;
  }
}
