package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;

/**
 * A 5 KB Embedded Metric Format event that multiplies into a million metric documents is bounded as
 * CloudWatch bounds EMF: it is stored, its expansion is cut with a reported reason, and every event
 * behind it is indexed.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class EmfWedgeIT {

  @Test
  void aHostileEmfEventCannotWedgeTheCollector(OpenSearchInstance os, LocalCollector collector)
      throws Exception {
    StringBuilder emf =
        new StringBuilder("{\"_aws\":{\"Timestamp\":")
            .append(System.currentTimeMillis())
            .append(",\"CloudWatchMetrics\":[{\"Namespace\":\"hostile\",\"Dimensions\":[");
    for (int i = 0; i < 1000; i++) {
      emf.append(i == 0 ? "" : ",").append("[]");
    }
    emf.append("],\"Metrics\":[");
    for (int i = 0; i < 150; i++) {
      emf.append(i == 0 ? "" : ",").append("{\"Name\":\"m").append(i % 2).append("\"}");
    }
    emf.append("]}]},\"m0\":[");
    for (int i = 0; i < 1000; i++) {
      emf.append(i == 0 ? "" : ",").append(i);
    }
    emf.append("],\"m1\":1}");
    String hostile = emf.toString();
    assertThat(hostile.length()).isLessThan(10_000);

    long now = System.currentTimeMillis();
    try (CloudWatchLogsClient logs = Clients.logs(collector.httpEndpoint())) {
      logs.createLogGroup(b -> b.logGroupName("/it/emf"));
      logs.createLogStream(b -> b.logGroupName("/it/emf").logStreamName("s"));
      logs.putLogEvents(
          b ->
              b.logGroupName("/it/emf")
                  .logStreamName("s")
                  .logEvents(e -> e.timestamp(now).message(hostile)));
      List<InputLogEvent> after = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        after.add(InputLogEvent.builder().timestamp(now).message("behind-" + i).build());
      }
      logs.putLogEvents(b -> b.logGroupName("/it/emf").logStreamName("s").logEvents(after));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> collector.backlogBytes() == 0);
    String logsPattern = os.indexPrefix() + "logs-it-emf-*";
    os.refresh(logsPattern);
    assertThat(os.count(logsPattern))
        .as("the EMF event itself and the 100 behind it")
        .isEqualTo(101);
    String metrics = os.indexPrefix() + "metrics-*";
    os.refresh(metrics);
    // 100 metrics at most (50 named m0 with 100 values each, 50 named m1 with one), one dimension
    // set.
    assertThat(os.count(metrics)).isEqualTo(50 * 100 + 50);
    ObjectNode status = collector.status();
    assertThat(status.path("status").asText()).isEqualTo("ok");
    assertThat(status.path("rejectedByReason").path("logs.emfTruncated").asLong()).isEqualTo(1);
  }
}
