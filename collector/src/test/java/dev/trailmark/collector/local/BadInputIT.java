package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed requests get AWS-shaped 4xx errors ({@code __type}, {@code message}) and the server
 * keeps serving. Authentication is off here ({@code --no-auth}) so the bytes reach the decoders
 * exactly as written.
 */
@ExtendWith(OpenSearchExtension.class)
class BadInputIT {

  @TempDir static Path state;
  static LocalCollector collector;
  static OpenSearchInstance os;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(OpenSearchInstance instance) throws Exception {
    os = instance;
    collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state)
            .authentication(false)
            .maxRequestBytes(2 * 1024 * 1024)
            .build()
            .start();
    send("Logs_20140328.CreateLogGroup", "{\"logGroupName\":\"bad\"}");
    send("Logs_20140328.CreateLogStream", "{\"logGroupName\":\"bad\",\"logStreamName\":\"s\"}");
  }

  @AfterAll
  static void stop() throws Exception {
    collector.close();
  }

  static HttpResponse<String> send(String target, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(collector.httpEndpoint().resolve("/"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (target != null) {
      request.header("X-Amz-Target", target);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertAwsError(
      HttpResponse<String> response, int status, String type, String messagePart) throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = Json.MAPPER.readTree(response.body());
    assertThat(error.path("__type").asText()).isEqualTo(type);
    assertThat(error.path("message").asText()).contains(messagePart);
    assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
    assertGoodRequestStillWorks();
  }

  static void assertGoodRequestStillWorks() throws Exception {
    HttpResponse<String> ok =
        send(
            "Logs_20140328.PutLogEvents",
            "{\"logGroupName\":\"bad\",\"logStreamName\":\"s\","
                + "\"logEvents\":[{\"timestamp\":"
                + System.currentTimeMillis()
                + ",\"message\":\"fine\"}]}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(ok.body()).has("nextSequenceToken")).isTrue();
  }

  @Test
  void malformedJson() throws Exception {
    assertAwsError(
        send("Logs_20140328.PutLogEvents", "{\"logGroupName\": \"bad\", "),
        400,
        "SerializationException",
        "Malformed JSON");
    assertAwsError(
        send("Logs_20140328.PutLogEvents", "[1,2]"), 400, "SerializationException", "JSON object");
    assertAwsError(
        send("Logs_20140328.PutLogEvents", "{\"logGroupName\": 7, \"logStreamName\":\"s\"}"),
        400,
        "SerializationException",
        "logGroupName");
  }

  @Test
  void missingFields() throws Exception {
    assertAwsError(
        send("Logs_20140328.PutLogEvents", "{\"logStreamName\":\"s\",\"logEvents\":[]}"),
        400,
        "InvalidParameterException",
        "'logGroupName' failed to satisfy constraint: Member must not be null");
    assertAwsError(
        send("Logs_20140328.PutLogEvents", "{\"logGroupName\":\"bad\",\"logStreamName\":\"s\"}"),
        400,
        "InvalidParameterException",
        "'logEvents'");
    assertAwsError(
        send(
            "Logs_20140328.PutLogEvents",
            "{\"logGroupName\":\"bad\",\"logStreamName\":\"s\",\"logEvents\":[{\"message\":\"no time\"}]}"),
        400,
        "InvalidParameterException",
        "logEvents.1.timestamp");
    assertAwsError(
        send("Logs_20140328.CreateLogGroup", "{}"),
        400,
        "InvalidParameterException",
        "logGroupName");
  }

  @Test
  void badBase64InFirehoseRecords() throws Exception {
    assertAwsError(
        send(
            "Firehose_20150804.PutRecord",
            "{\"DeliveryStreamName\":\"trailmark-access-logs\",\"Record\":{\"Data\":\"%%%\"}}"),
        400,
        "SerializationException",
        "base64");
    assertAwsError(
        send(
            "Firehose_20150804.PutRecordBatch",
            "{\"DeliveryStreamName\":\"trailmark-access-logs\",\"Records\":[{\"Data\":\"e30=\"},{\"Data\":7}]}"),
        400,
        "InvalidArgumentException",
        "records.2.member.data");
  }

  @Test
  void unknownOrMissingTarget() throws Exception {
    assertAwsError(
        send("Logs_20140328.DoSomethingElse", "{}"),
        400,
        "UnknownOperationException",
        "DoSomethingElse");
    assertAwsError(
        send("Nonsense_2000.Put", "{}"), 400, "UnknownOperationException", "Nonsense_2000.Put");
    assertAwsError(send(null, "{}"), 400, "UnknownOperationException", "X-Amz-Target");
  }

  @Test
  void oversizedBody() throws Exception {
    String huge =
        "{\"logGroupName\":\"bad\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":1,\"message\":\""
            + "x".repeat(3 * 1024 * 1024)
            + "\"}]}";
    assertAwsError(
        send("Logs_20140328.PutLogEvents", huge),
        413,
        "RequestEntityTooLargeException",
        "2097152 bytes");
  }

  @Test
  void rejectionsAreCountedByReason() throws Exception {
    assertGoodRequestStillWorks();
    send("Logs_20140328.Bogus", "{}");
    JsonNode status =
        Json.MAPPER.readTree(
            http.send(
                    HttpRequest.newBuilder(collector.httpEndpoint().resolve("/_trailmark/status"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertThat(status.path("rejectedByReason").path("UnknownOperationException").asLong())
        .isPositive();
    assertThat(status.path("acceptedByApi").path("logs").asLong()).isPositive();
    assertThat(status.has("walBytes")).isTrue();
  }
}
