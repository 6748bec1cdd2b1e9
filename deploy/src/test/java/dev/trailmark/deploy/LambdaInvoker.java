package dev.trailmark.deploy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the Lambda Java runtime in a forked JVM whose class path is one function's unpacked zip
 * (plus this class): constructs the handler as Lambda does, then hands it one event read from a
 * file. {@code args}: handler class, event file. Stream handlers get the bytes; the SQS worker gets
 * an {@link SQSEvent} built from {@code {"Records":[{"messageId","body","attributes"}]}}. Prints
 * the handler's answer.
 */
public final class LambdaInvoker {
  private LambdaInvoker() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void main(String[] args) throws Exception {
    Object handler = Class.forName(args[0]).getDeclaredConstructor().newInstance();
    byte[] event = Files.readAllBytes(Path.of(args[1]));
    if (handler instanceof RequestStreamHandler) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ((RequestStreamHandler) handler).handleRequest(new ByteArrayInputStream(event), out, null);
      System.out.println(out);
      return;
    }
    JsonNode json = new ObjectMapper().readTree(event);
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (JsonNode r : json.path("Records")) {
      SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
      m.setMessageId(r.path("messageId").asText());
      m.setBody(r.path("body").asText());
      Map<String, String> attributes = new HashMap<>();
      r.path("attributes")
          .properties()
          .forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
      m.setAttributes(attributes);
      records.add(m);
    }
    SQSEvent sqs = new SQSEvent();
    sqs.setRecords(records);
    Object answer = ((RequestHandler) handler).handleRequest(sqs, null);
    System.out.println(new ObjectMapper().writeValueAsString(answer));
  }
}
