package dev.trailmark.audit.handlers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.trailmark.audit.internal.remediation.ActionNames;
import dev.trailmark.audit.internal.remediation.RemediationClients;
import dev.trailmark.audit.internal.rules.RuleLoader;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.testing.AwsStub;
import dev.trailmark.common.json.Json;
import dev.trailmark.common.testing.MutableClock;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/** Builds handler contexts against a WireMock stub: SNS, S3 audit bucket and Firehose answered. */
final class Harness implements AutoCloseable {
  static final RuleSet RULES = new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn();
  static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:trailmark-findings";
  static final String BUCKET = "trailmark-audit-123456789012";

  final AwsStub stub = new AwsStub();
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:15:00Z"));
  private final List<RemediationClients> clients = new ArrayList<>();

  Harness() {
    stubSinks();
  }

  void stubSinks() {
    stub.query(
        "Publish",
        "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
            + "<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>"
            + "<ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>");
    stub.server.stubFor(
        put(urlMatching("/" + BUCKET + "/.*"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("ETag", "\"6805f2cfc46c0f04559748bb039d69ae\"")));
    stubRateLimitCount(null, 0);
    stub.json(
        "Firehose_20150804.PutRecord",
        "{\"RecordId\":\"49543463076548007577105092703039560359975228518395019266\",\"Encrypted\":false}");
  }

  /**
   * ListObjectsV2 of the rate-limit markers answers {@code count} keys (in a scenario state, if
   * given).
   */
  void stubRateLimitCount(String state, int count) {
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>"
                + BUCKET
                + "</Name>"
                + "<Prefix>audit/ratelimit/</Prefix><KeyCount>"
                + count
                + "</KeyCount><MaxKeys>10</MaxKeys>"
                + "<IsTruncated>false</IsTruncated>");
    for (int i = 0; i < count; i++) {
      xml.append("<Contents><Key>audit/ratelimit/rule/")
          .append(1795169700000L + i)
          .append("-f</Key><LastModified>2026-11-20T10:15:00.000Z</LastModified>")
          .append("<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size>")
          .append("<StorageClass>STANDARD</StorageClass></Contents>");
    }
    xml.append("</ListBucketResult>");
    var mapping =
        com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/" + BUCKET))
            .withQueryParam(
                "list-type", com.github.tomakehurst.wiremock.client.WireMock.equalTo("2"));
    if (state != null) {
      mapping = mapping.inScenario("rate-limit").whenScenarioStateIs(state);
    }
    stub.server.stubFor(
        mapping.willReturn(
            aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/xml")
                .withBody(xml.toString())));
  }

  AuditContext context(Consumer<Settings.Builder> settings) {
    return context(settings, null);
  }

  AuditContext context(Consumer<Settings.Builder> settings, URI sqsEndpoint) {
    return context(
        settings,
        c -> {
          if (sqsEndpoint != null) {
            c.serviceEndpoint("sqs", sqsEndpoint);
          }
        },
        clock);
  }

  AuditContext context(
      Consumer<Settings.Builder> settings,
      Consumer<RemediationClients.Builder> endpoints,
      Clock clock) {
    Settings.Builder b =
        Settings.builder()
            .topicArn(TOPIC)
            .auditBucket(BUCKET)
            .remediationRoleArns(
                java.util.Set.of("arn:aws:iam::123456789012:role/trailmark-remediation"));
    settings.accept(b);
    RemediationClients.Builder cb = stub.clients();
    endpoints.accept(cb);
    RemediationClients aws = cb.build();
    clients.add(aws);
    return new AuditContext(b.build(), RULES, aws, clock);
  }

  /** The audit records sent to Firehose, oldest first. */
  List<JsonNode> firehoseRecords() {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest r : stub.requests(stub.jsonRequest("Firehose_20150804.PutRecord"))) {
      JsonNode body = Json.read(r.getBodyAsString());
      String data =
          new String(
              Base64.getDecoder().decode(body.path("Record").path("Data").asText()),
              java.nio.charset.StandardCharsets.UTF_8);
      out.add(Json.read(data));
    }
    return out;
  }

  /** The audit records written to the S3 bucket, oldest first. */
  List<LoggedRequest> s3Records() {
    return stub.requests(putRequestedFor(urlMatching("/" + BUCKET + "/audit/(?!ratelimit/).*")));
  }

  /** The JSON of an S3 audit record, undoing the SDK's aws-chunked upload encoding when used. */
  static JsonNode s3Body(LoggedRequest r) {
    String body = r.getBodyAsString();
    if (!body.startsWith("{")) {
      int start = body.indexOf("\r\n") + 2;
      int size =
          Integer.parseInt(
              body.substring(
                  0,
                  body.indexOf(';') > 0 && body.indexOf(';') < start
                      ? body.indexOf(';')
                      : start - 2),
              16);
      body = body.substring(start, start + size);
    }
    return Json.read(body);
  }

  /** The SNS Publish requests. */
  List<LoggedRequest> notices() {
    return stub.requests(stub.queryRequest("Publish"));
  }

  @Override
  public void close() {
    clients.forEach(RemediationClients::close);
    stub.close();
  }
}
