package dev.trailmark.common.sns;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * The subject and the per-protocol message of an SNS publish, so that people and programs
 * subscribed to one topic each get the form they read.
 */
public final class SnsMessages {
  /** SNS refuses a subject longer than this. */
  public static final int MAX_SUBJECT = 100;

  // Subscribers that parse what they receive; they get the notice's JSON, not the prose.
  private static final String[] MACHINE_PROTOCOLS = {"sqs", "lambda", "http", "https", "firehose"};

  private SnsMessages() {}

  /**
   * Publishes one notice: {@code subject} (made SNS-safe) for email and SMS, {@code text} for
   * people, {@code machineJson} for programs, and {@code attributes} as string message attributes
   * that subscription filter policies can match; throws what SNS throws, so the caller can retry.
   */
  public static void publish(
      SnsClient sns,
      String topicArn,
      String subject,
      String text,
      String machineJson,
      Map<String, String> attributes) {
    String safeSubject = subject(subject);
    Map<String, MessageAttributeValue> values = new LinkedHashMap<>();
    attributes.forEach(
        (name, value) ->
            values.put(
                name,
                MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
    sns.publish(
        r ->
            r.topicArn(topicArn)
                .subject(safeSubject)
                .messageStructure("json")
                .message(structure(text, safeSubject, machineJson))
                .messageAttributes(values));
  }

  /**
   * The {@code Message} of a publish with {@code MessageStructure=json}: {@code text} for the
   * default and email, {@code sms} for SMS, {@code machineJson} for queues, functions, HTTP(S) and
   * Firehose.
   */
  static String structure(String text, String sms, String machineJson) {
    ObjectNode structure = Json.object();
    structure.put("default", text);
    structure.put("email", text);
    structure.put("sms", sms);
    for (String protocol : MACHINE_PROTOCOLS) {
      structure.put(protocol, machineJson);
    }
    return Json.write(structure);
  }

  /**
   * {@code text} as SNS accepts a subject: printable ASCII only (others become {@code ?}), at most
   * {@link #MAX_SUBJECT} characters (a longer one ends in {@code ...}).
   */
  public static String subject(String text) {
    String s = text.replaceAll("[^\\x20-\\x7e]", "?");
    return s.length() <= MAX_SUBJECT ? s : s.substring(0, MAX_SUBJECT - 3) + "...";
  }
}
