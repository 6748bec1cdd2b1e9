package dev.trailmark.audit.handlers;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The safety and wiring settings of the audit handlers. Immutable; read from the environment by
 * {@link #fromEnvironment(Map)} (variable names in the README) or built in tests.
 */
final class Settings {
  final boolean dryRun;
  final Set<String> dryRunRules;
  final Set<String> allowedAccounts;
  final Set<String> allowedRegions;
  final Set<String> remediationRoleArns;
  final int maxRemediationsPerRulePerHour;
  final int maxAttempts;
  final String topicArn;
  final String queueUrl;
  final String auditBucket;
  final String auditPrefix;
  final String auditStream;
  final String rulesDir;

  private Settings(Builder b) {
    this.dryRun = b.dryRun;
    this.dryRunRules = Set.copyOf(b.dryRunRules);
    this.allowedAccounts = Set.copyOf(b.allowedAccounts);
    this.allowedRegions = Set.copyOf(b.allowedRegions);
    this.remediationRoleArns = Set.copyOf(b.remediationRoleArns);
    this.maxRemediationsPerRulePerHour = b.maxRemediationsPerRulePerHour;
    this.maxAttempts = b.maxAttempts;
    this.topicArn = b.topicArn;
    this.queueUrl = b.queueUrl;
    this.auditBucket = b.auditBucket;
    this.auditPrefix = b.auditPrefix;
    this.auditStream = b.auditStream;
    this.rulesDir = b.rulesDir;
  }

  /**
   * A builder with the safe defaults: dry-run on, 10 remediations per rule per hour, 3 attempts.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings from {@code TRAILMARK_*} environment variables; a bad value is a clear error. */
  public static Settings fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    String dry = env.get("TRAILMARK_DRY_RUN");
    if (dry != null && !dry.isBlank()) {
      String v = dry.trim().toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException(
            "TRAILMARK_DRY_RUN must be true or false, not '" + dry + "'");
      }
      b.dryRun(v.equals("true"));
    }
    b.dryRunRules(list(env.get("TRAILMARK_DRY_RUN_RULES")));
    b.allowedAccounts(list(env.get("TRAILMARK_ALLOWED_ACCOUNTS")));
    b.allowedRegions(list(env.get("TRAILMARK_ALLOWED_REGIONS")));
    b.remediationRoleArns(list(env.get("TRAILMARK_REMEDIATION_ROLE_ARNS")));
    b.maxRemediationsPerRulePerHour(
        number(env, "TRAILMARK_MAX_REMEDIATIONS_PER_RULE_PER_HOUR", 10));
    b.maxAttempts(number(env, "TRAILMARK_MAX_ATTEMPTS", 3));
    b.topicArn(env.get("TRAILMARK_TOPIC_ARN"));
    b.queueUrl(env.get("TRAILMARK_QUEUE_URL"));
    b.auditBucket(env.get("TRAILMARK_AUDIT_BUCKET"));
    if (env.containsKey("TRAILMARK_AUDIT_PREFIX")) {
      b.auditPrefix(env.get("TRAILMARK_AUDIT_PREFIX"));
    }
    if (env.containsKey("TRAILMARK_AUDIT_STREAM")) {
      b.auditStream(env.get("TRAILMARK_AUDIT_STREAM"));
    }
    b.rulesDir(env.get("TRAILMARK_RULES_DIR"));
    return b.build();
  }

  private static Set<String> list(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  private static int number(Map<String, String> env, String name, int defaultValue) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a positive whole number, not '" + v + "'");
    }
  }

  /** True when remediations of this rule only report what they would do. */
  boolean dryRunFor(String ruleId, boolean ruleDryRun) {
    return dryRun || ruleDryRun || dryRunRules.contains(ruleId);
  }

  /** True when the account and region are on the allow-lists (an empty list allows all). */
  boolean allowed(String account, String region) {
    return (allowedAccounts.isEmpty() || allowedAccounts.contains(account))
        && (allowedRegions.isEmpty() || allowedRegions.contains(region));
  }

  /** Builds {@link Settings}. */
  public static final class Builder {
    private boolean dryRun = true;
    private Set<String> dryRunRules = Set.of();
    private Set<String> allowedAccounts = Set.of();
    private Set<String> allowedRegions = Set.of();
    private Set<String> remediationRoleArns = Set.of();
    private int maxRemediationsPerRulePerHour = 10;
    private int maxAttempts = 3;
    private String topicArn;
    private String queueUrl;
    private String auditBucket;
    private String auditPrefix = "audit/";
    private String auditStream = "trailmark-audit-findings";
    private String rulesDir;

    private Builder() {}

    /** Report what remediations would do instead of doing it (default true). */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    /** Rules kept in dry-run even when the global switch is off. */
    public Builder dryRunRules(Set<String> ids) {
      this.dryRunRules = ids;
      return this;
    }

    /** Accounts remediations may touch (empty: any). */
    public Builder allowedAccounts(Set<String> accounts) {
      this.allowedAccounts = accounts;
      return this;
    }

    /** Regions remediations may touch (empty: any). */
    public Builder allowedRegions(Set<String> regions) {
      this.allowedRegions = regions;
      return this;
    }

    /** The roles the remediation worker runs as; their own API calls are never findings. */
    public Builder remediationRoleArns(Set<String> arns) {
      this.remediationRoleArns = arns;
      return this;
    }

    /** At most this many remediations per rule in any 60 minutes (default 10). */
    public Builder maxRemediationsPerRulePerHour(int max) {
      this.maxRemediationsPerRulePerHour = max;
      return this;
    }

    /**
     * Receives of one message before it is recorded as failed (match the queue's maxReceiveCount).
     */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** The SNS topic for notices (unset: no notices). */
    public Builder topicArn(String arn) {
      this.topicArn = arn;
      return this;
    }

    /** The SQS queue remediations are queued on (unset: nothing queued). */
    public Builder queueUrl(String url) {
      this.queueUrl = url;
      return this;
    }

    /** The S3 bucket for audit records (unset: none written to S3). */
    public Builder auditBucket(String bucket) {
      this.auditBucket = bucket;
      return this;
    }

    /** The key prefix of audit records in the bucket (default {@code audit/}). */
    public Builder auditPrefix(String prefix) {
      this.auditPrefix = prefix == null ? "" : prefix;
      return this;
    }

    /**
     * The Firehose delivery stream of audit records (default trailmark-audit-findings; empty:
     * none).
     */
    public Builder auditStream(String stream) {
      this.auditStream = stream;
      return this;
    }

    /** A directory of rule files replacing the built-in rules. */
    public Builder rulesDir(String dir) {
      this.rulesDir = dir;
      return this;
    }

    /** The settings. */
    public Settings build() {
      return new Settings(this);
    }
  }
}
