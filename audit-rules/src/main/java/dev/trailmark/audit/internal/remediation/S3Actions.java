package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.model.GetBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;

/** S3 remediations. */
final class S3Actions {
  private S3Actions() {}

  static ObjectNode bucketState(Finding f, RemediationClients aws) {
    ObjectNode state = States.object();
    state.put("bucket", f.resourceId());
    ObjectNode tags = state.putObject("tags");
    try {
      aws.s3()
          .getBucketTagging(r -> r.bucket(f.resourceId()))
          .tagSet()
          .forEach(t -> tags.put(t.key(), t.value()));
    } catch (S3Exception e) {
      String code = RemediationClients.errorCode(e);
      if ("NoSuchBucket".equals(code)) {
        return null;
      }
      if (!"NoSuchTagSet".equals(code)) {
        throw e;
      }
    }
    return state;
  }

  /** The four settings of a public access block, each off when unset. */
  static ObjectNode block(Boolean acls, Boolean ignore, Boolean policy, Boolean restrict) {
    ObjectNode b = States.object();
    b.put("blockPublicAcls", Boolean.TRUE.equals(acls));
    b.put("ignorePublicAcls", Boolean.TRUE.equals(ignore));
    b.put("blockPublicPolicy", Boolean.TRUE.equals(policy));
    b.put("restrictPublicBuckets", Boolean.TRUE.equals(restrict));
    return b;
  }

  /** A bucket's block, in S3's model. */
  static ObjectNode block(PublicAccessBlockConfiguration c) {
    return block(
        c.blockPublicAcls(),
        c.ignorePublicAcls(),
        c.blockPublicPolicy(),
        c.restrictPublicBuckets());
  }

  /** The account's block (which covers every bucket), in S3 Control's model. */
  static ObjectNode block(
      software.amazon.awssdk.services.s3control.model.PublicAccessBlockConfiguration c) {
    return block(
        c.blockPublicAcls(),
        c.ignorePublicAcls(),
        c.blockPublicPolicy(),
        c.restrictPublicBuckets());
  }

  /** The block {@code read} returns, or an all-off one when none is configured. */
  static ObjectNode blockOrNone(Supplier<ObjectNode> read) {
    ObjectNode b = RemediationClients.unlessAbsent("NoSuchPublicAccessBlockConfiguration", read);
    return b != null ? b : block(false, false, false, false);
  }

  static boolean full(JsonNode block) {
    return block.path("blockPublicAcls").asBoolean()
        && block.path("ignorePublicAcls").asBoolean()
        && block.path("blockPublicPolicy").asBoolean()
        && block.path("restrictPublicBuckets").asBoolean();
  }

  /**
   * An action on a bucket: its state is the bucket's name and tags plus the settings {@link
   * #readSettings} adds, or null when the bucket is gone.
   */
  abstract static class BucketAction implements RemediationAction {
    @Override
    public final JsonNode read(Finding f, RemediationClients aws) {
      ObjectNode state = bucketState(f, aws);
      if (state != null) {
        readSettings(state, f, aws);
      }
      return state;
    }

    /** Adds to {@code state} the bucket's settings this action checks. */
    abstract void readSettings(ObjectNode state, Finding f, RemediationClients aws);
  }

  /**
   * Puts a full public access block on a bucket, unless the account-level block already covers it.
   */
  static final class PutPublicAccessBlock extends BucketAction {
    @Override
    public String name() {
      return "s3-put-public-access-block";
    }

    @Override
    void readSettings(ObjectNode state, Finding f, RemediationClients aws) {
      state.set(
          "bucketBlock",
          blockOrNone(
              () ->
                  block(
                      aws.s3()
                          .getPublicAccessBlock(r -> r.bucket(f.resourceId()))
                          .publicAccessBlockConfiguration())));
      if (f.accountId() != null) {
        state.set(
            "accountBlock",
            blockOrNone(
                () ->
                    block(
                        aws.s3Control()
                            .getPublicAccessBlock(r -> r.accountId(f.accountId()))
                            .publicAccessBlockConfiguration())));
      }
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return !full(state.path("bucketBlock")) && !full(state.path("accountBlock"));
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      aws.s3()
          .putPublicAccessBlock(
              r ->
                  r.bucket(f.resourceId())
                      .publicAccessBlockConfiguration(
                          c ->
                              c.blockPublicAcls(true)
                                  .ignorePublicAcls(true)
                                  .blockPublicPolicy(true)
                                  .restrictPublicBuckets(true)));
    }
  }

  /** Enables default encryption: SSE-S3 (AES256), or SSE-KMS with {@code kmsKeyId}. */
  static final class EnableDefaultEncryption extends BucketAction {
    @Override
    public String name() {
      return "s3-enable-default-encryption";
    }

    @Override
    void readSettings(ObjectNode state, Finding f, RemediationClients aws) {
      GetBucketEncryptionResponse r =
          RemediationClients.unlessAbsent(
              "ServerSideEncryptionConfigurationNotFoundError",
              () -> aws.s3().getBucketEncryption(b -> b.bucket(f.resourceId())));
      if (r == null) {
        state.putNull("sseAlgorithm");
        return;
      }
      ServerSideEncryptionRule rule = r.serverSideEncryptionConfiguration().rules().get(0);
      state.put("sseAlgorithm", rule.applyServerSideEncryptionByDefault().sseAlgorithmAsString());
    }

    @Override
    public boolean violates(JsonNode state, Finding f) {
      return state.path("sseAlgorithm").isNull() || state.path("sseAlgorithm").isMissingNode();
    }

    @Override
    public void apply(JsonNode state, Finding f, RemediationClients aws) {
      String algorithm = States.param(f, "algorithm", "AES256");
      String kmsKeyId = States.param(f, "kmsKeyId", null);
      aws.s3()
          .putBucketEncryption(
              r ->
                  r.bucket(f.resourceId())
                      .serverSideEncryptionConfiguration(
                          c ->
                              c.rules(
                                  ServerSideEncryptionRule.builder()
                                      .applyServerSideEncryptionByDefault(
                                          d -> {
                                            d.sseAlgorithm(
                                                ServerSideEncryption.fromValue(algorithm));
                                            if (kmsKeyId != null) {
                                              d.kmsMasterKeyID(kmsKeyId);
                                            }
                                          })
                                      .build())));
    }
  }
}
