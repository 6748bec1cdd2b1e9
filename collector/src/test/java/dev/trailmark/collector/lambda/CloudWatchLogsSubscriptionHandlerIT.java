package dev.trailmark.collector.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.CloudWatchLogsEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The subscription handler against a real OpenSearch, fed payloads as CloudWatch Logs delivers
 * them.
 */
@ExtendWith(OpenSearchExtension.class)
class CloudWatchLogsSubscriptionHandlerIT {

  static OpenSearchInstance os;

  static CloudWatchLogsEvent event(byte[] raw) {
    CloudWatchLogsEvent.AWSLogs logs = new CloudWatchLogsEvent.AWSLogs();
    logs.setData(Base64.getEncoder().encodeToString(raw));
    CloudWatchLogsEvent event = new CloudWatchLogsEvent();
    event.setAwsLogs(logs);
    return event;
  }

  @Test
  void dataMessagesAreIndexedOnceEvenWhenLambdaRetries(OpenSearchInstance instance)
      throws Exception {
    os = instance;
    CloudWatchLogsSubscriptionHandler handler =
        new CloudWatchLogsSubscriptionHandler(os.baseUri(), os.indexPrefix());
    long ts = System.currentTimeMillis();
    CloudWatchLogsEvent event =
        event(
            Payloads.gzip(
                Payloads.data(
                    "/trailmark/demo",
                    "orders-1",
                    ts,
                    "{\"body\":\"hello\",\"severity\":{\"text\":\"WARN\"}}",
                    "second line")));
    assertThat(handler.handleRequest(event, null))
        .isEqualTo("indexed 2 of 2 events from /trailmark/demo");
    handler.handleRequest(event, null); // a Lambda retry of the same delivery
    String index = IndexNames.logs(os.indexPrefix(), "/trailmark/demo", ts);
    assertThat(os.count(index)).isEqualTo(2);
    JsonNode doc =
        Json.MAPPER
            .readTree(os.get("/" + index + "/_doc/37123981238712398712398712398712398710"))
            .path("_source");
    assertThat(doc.path("severity").path("text").asText()).isEqualTo("WARN");
    assertThat(doc.path("attributes").path("aws").path("cloudwatch").path("log_stream").asText())
        .isEqualTo("orders-1");

    assertThat(handler.handleRequest(event(Payloads.gzip(Payloads.control())), null))
        .isEqualTo("skipped CONTROL_MESSAGE");
  }

  @Test
  void undecodablePayloadsAreRefusedAndAnUnreachableOpenSearchFailsTheInvocation(
      OpenSearchInstance instance) throws Exception {
    os = instance;
    CloudWatchLogsSubscriptionHandler handler =
        new CloudWatchLogsSubscriptionHandler(os.baseUri(), os.indexPrefix());
    CloudWatchLogsEvent notBase64 = new CloudWatchLogsEvent();
    CloudWatchLogsEvent.AWSLogs logs = new CloudWatchLogsEvent.AWSLogs();
    logs.setData("%%% not base64");
    notBase64.setAwsLogs(logs);
    assertThatThrownBy(() -> handler.handleRequest(notBase64, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> handler.handleRequest(event("plain".getBytes()), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gzip");

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    CloudWatchLogsSubscriptionHandler offline =
        new CloudWatchLogsSubscriptionHandler(
            URI.create("http://127.0.0.1:" + closed), os.indexPrefix());
    assertThatThrownBy(
            () ->
                offline.handleRequest(event(Payloads.gzip(Payloads.data("g", "s", 1L, "x"))), null))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("Lambda will retry");
  }
}
