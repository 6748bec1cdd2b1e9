package dev.trailmark.audit.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.handlers.CloudTrailEventHandler.Outcome;
import dev.trailmark.audit.testing.Fixtures;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the CloudTrail handler does with good, failed, self-inflicted and malformed events. */
class CloudTrailEventHandlerTest {
  private final Harness h = new Harness();
  private final CloudTrailEventHandler handler = new CloudTrailEventHandler(h.context(s -> {}));

  @AfterEach
  void close() {
    h.close();
  }

  static ObjectNode sgEvent() {
    return (ObjectNode) Fixtures.badEvent("ec2-sg-open-admin-ports");
  }

  @Test
  void aViolatingCallIsNotifiedWithSubjectTextAndJson() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    handler.handleRequest(
        new ByteArrayInputStream(Fixtures.eventBridge(sgEvent()).getBytes(StandardCharsets.UTF_8)),
        out,
        null);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("DISPATCHED");
    assertThat(h.notices()).hasSize(1);
    String form = URLDecoder.decode(h.notices().get(0).getBodyAsString(), StandardCharsets.UTF_8);
    assertThat(form)
        .contains(
            "TopicArn=" + Harness.TOPIC,
            "MessageStructure=json",
            "Subject=[CRITICAL] Security group opens SSH, RDP or all ports to the internet: sg-0a1b2c3d4e5f60718",
            "MessageAttributes.entry.1.Name=",
            "StringValue=CRITICAL",
            "StringValue=ec2-sg-open-admin-ports");
    String message =
        form.substring(form.indexOf("Message=") + 8, form.indexOf("&", form.indexOf("Message=")));
    JsonNode structure = Json.read(message);
    assertThat(structure.path("default").asText())
        .contains("Changed by: arn:aws:sts::123456789012:assumed-role/Developer/alice")
        .contains(
            "Remediation (dry-run, nothing will change): revoke only the ingress permissions");
    JsonNode machine = Json.read(structure.path("sqs").asText());
    assertThat(machine.path("ruleId").asText()).isEqualTo("ec2-sg-open-admin-ports");
    assertThat(machine.path("resourceId").asText()).isEqualTo("sg-0a1b2c3d4e5f60718");
  }

  @Test
  void failedCallsAreSkipped() {
    ObjectNode event = sgEvent();
    event.put("errorCode", "Client.UnauthorizedOperation");
    assertThat(handler.handle(Fixtures.eventBridge(event))).isEqualTo(Outcome.SKIPPED_ERROR_CODE);
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void theRemediationRolesOwnCallsAreSkipped() {
    ObjectNode event = sgEvent();
    ObjectNode identity = (ObjectNode) event.path("userIdentity");
    identity.put("arn", "arn:aws:sts::123456789012:assumed-role/trailmark-remediation/1732097700");
    ((ObjectNode) identity.path("sessionContext").path("sessionIssuer"))
        .put("arn", "arn:aws:iam::123456789012:role/trailmark-remediation");
    assertThat(handler.handle(Fixtures.eventBridge(event))).isEqualTo(Outcome.SKIPPED_LOOP_GUARD);
    // Even without the session issuer (older event versions), the assumed-role ARN gives it away.
    identity.remove("sessionContext");
    assertThat(handler.handle(Fixtures.eventBridge(event))).isEqualTo(Outcome.SKIPPED_LOOP_GUARD);
    // A role whose name merely starts the same way is someone else.
    identity.put("arn", "arn:aws:sts::123456789012:assumed-role/trailmark-remediation-test/x");
    assertThat(handler.handle(Fixtures.eventBridge(event))).isEqualTo(Outcome.DISPATCHED);
    assertThat(h.notices()).hasSize(1);
  }

  @Test
  void notifyOnlyRulesAreNotifiedAndRecordedButNeverQueued() {
    assertThat(handler.handle(Fixtures.eventBridge(Fixtures.badEvent("apigw-http-integration"))))
        .isEqualTo(Outcome.DISPATCHED);
    assertThat(h.notices()).hasSize(1);
    assertThat(h.firehoseRecords())
        .extracting(r -> r.path("decision").asText())
        .containsExactly("notified");
  }

  @Test
  void harmlessCallsProduceNothing() {
    ObjectNode event = sgEvent();
    ((ObjectNode)
            event
                .path("requestParameters")
                .path("ipPermissions")
                .path("items")
                .get(0)
                .path("ipRanges")
                .path("items")
                .get(0))
        .put("cidrIp", "10.1.0.0/16");
    // The rule the call created, as AWS recorded it, is what the rule judges.
    ((ObjectNode) event.path("responseElements").path("securityGroupRuleSet").path("items").get(0))
        .put("cidrIpv4", "10.1.0.0/16");
    assertThat(handler.handle(Fixtures.eventBridge(event))).isEqualTo(Outcome.NO_FINDING);
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void malformedEventsAreRejectedWithoutCrashOrNotice() {
    String good = Fixtures.eventBridge(sgEvent());
    assertThat(handler.handle(good.substring(0, good.length() / 2))).isEqualTo(Outcome.REJECTED);
    assertThat(handler.handle("")).isEqualTo(Outcome.REJECTED);
    assertThat(handler.handle("[]")).isEqualTo(Outcome.REJECTED);
    assertThat(handler.handle("\"AWS API Call via CloudTrail\"")).isEqualTo(Outcome.REJECTED);
    assertThat(
            handler.handle(
                good.replace(
                    "AWS API Call via CloudTrail", "EC2 Instance State-change Notification")))
        .isEqualTo(Outcome.REJECTED);
    ObjectNode wrapper = (ObjectNode) Json.read(good);
    wrapper.put("detail", "not an object");
    assertThat(handler.handle(Json.write(wrapper))).isEqualTo(Outcome.REJECTED);
    ObjectNode numberName = sgEvent();
    numberName.put("eventName", 42);
    assertThat(handler.handle(Fixtures.eventBridge(numberName))).isEqualTo(Outcome.REJECTED);
    // Wrong types deep inside the request: the rule finds nothing rather than throwing.
    ObjectNode weird = sgEvent();
    ((ObjectNode) weird.path("requestParameters")).put("ipPermissions", "tcp/22 from anywhere");
    weird.set("responseElements", Json.read("{\"securityGroupRuleSet\":\"sgr-1\"}"));
    assertThat(handler.handle(Fixtures.eventBridge(weird))).isEqualTo(Outcome.NO_FINDING);
    assertThat(h.notices()).isEmpty();
  }

  @Test
  void aViolationWhoseResourceCannotBeNamedIsNotifiedNotDropped() {
    ObjectNode noId = sgEvent();
    ((ObjectNode) noId.path("requestParameters")).remove("groupId");
    noId.putNull("responseElements");
    assertThat(handler.handle(Fixtures.eventBridge(noId))).isEqualTo(Outcome.DISPATCHED);
    assertThat(h.notices()).hasSize(1);
    assertThat(URLDecoder.decode(h.notices().get(0).getBodyAsString(), StandardCharsets.UTF_8))
        .contains("Security group opens SSH, RDP or all ports to the internet: (unknown)");
    // Nothing to change without a resource id: recorded as notified, never queued for remediation.
    assertThat(h.firehoseRecords())
        .extracting(r -> r.path("decision").asText() + "/" + r.path("reason").asText())
        .containsExactly("notified/resource id not found in the event");
  }
}
