package dev.trailmark.audit.internal.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.Finding;
import software.amazon.awssdk.services.s3.model.GetBucketEncryptionResponse;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3control.model.S3ControlException;

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

  static ObjectNode block(
      ObjectNode parent,
      String name,
      Boolean acls,
      Boolean ignore,
      Boolean policy,
      Boolean restrict) {
    ObjectNode b = parent.putObject(name);
    b.put("blockPublicAcls", Boolean.TRUE.equals(acls));
    b.put("ignorePublicAcls", Boolean.TRUE.equals(ignore));
    b.put("blockPublicPolicy", Boolean.TRUE.equals(policy));
    b.put("restrictPublicBuckets", Boolean.TRUE.equals(restrict));
    return b;
  }

  static boolean full(JsonNode block) {
    return block.path("blockPublicAcls").asBoolean()
        && block.path("ignorePublicAcls").asBoolean()
        && block.path("blockPublicPolicy").asBoolean()
        && block.path("restrictPublicBuckets").asBoolean();
  }

  /**
   * Puts a full public access block on a bucket, unless the account-level block already covers it.
   */
  static final class PutPublicAccessBlock implements RemediationAction {
    @Override
    public String name() {
      return "s3-put-public-access-block";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      ObjectNode state = bucketState(f, aws);
      if (state == null) {
        return null;
      }
      try {
        PublicAccessBlockConfiguration c =
            aws.s3()
                .getPublicAccessBlock(r -> r.bucket(f.resourceId()))
                .publicAccessBlockConfiguration();
        block(
            state,
            "bucketBlock",
            c.blockPublicAcls(),
            c.ignorePublicAcls(),
            c.blockPublicPolicy(),
            c.restrictPublicBuckets());
      } catch (S3Exception e) {
        if (!"NoSuchPublicAccessBlockConfiguration".equals(RemediationClients.errorCode(e))) {
          throw e;
        }
        block(state, "bucketBlock", false, false, false, false);
      }
      if (f.accountId() != null) {
        try {
          var c =
              aws.s3Control()
                  .getPublicAccessBlock(r -> r.accountId(f.accountId()))
                  .publicAccessBlockConfiguration();
          block(
              state,
              "accountBlock",
              c.blockPublicAcls(),
              c.ignorePublicAcls(),
              c.blockPublicPolicy(),
              c.restrictPublicBuckets());
        } catch (S3ControlException e) {
          if (!"NoSuchPublicAccessBlockConfiguration".equals(RemediationClients.errorCode(e))) {
            throw e;
          }
          block(state, "accountBlock", false, false, false, false);
        }
      }
      return state;
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
  static final class EnableDefaultEncryption implements RemediationAction {
    @Override
    public String name() {
      return "s3-enable-default-encryption";
    }

    @Override
    public JsonNode read(Finding f, RemediationClients aws) {
      ObjectNode state = bucketState(f, aws);
      if (state == null) {
        return null;
      }
      try {
        GetBucketEncryptionResponse r = aws.s3().getBucketEncryption(b -> b.bucket(f.resourceId()));
        ServerSideEncryptionRule rule = r.serverSideEncryptionConfiguration().rules().get(0);
        state.put("sseAlgorithm", rule.applyServerSideEncryptionByDefault().sseAlgorithmAsString());
      } catch (S3Exception e) {
        if (!"ServerSideEncryptionConfigurationNotFoundError"
            .equals(RemediationClients.errorCode(e))) {
          throw e;
        }
        state.putNull("sseAlgorithm");
      }
      return state;
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
