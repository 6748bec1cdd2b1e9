package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * A malformed log group or stream name is a bad parameter on every operation, as CloudWatch Logs
 * answers it ({@code InvalidParameterException}), not a group that "does not exist"; a well-formed
 * unknown name still is.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class LogGroupNameValidationIT {

  static CloudWatchLogsClient logs;

  @BeforeAll
  static void start(LocalCollector collector) {
    logs = Clients.logs(collector.httpEndpoint());
    logs.createLogGroup(r -> r.logGroupName("names/ok"));
    logs.createLogStream(r -> r.logGroupName("names/ok").logStreamName("s1"));
  }

  @AfterAll
  static void stop() {
    logs.close();
  }

  static void assertInvalid(String field, String value, Consumer<CloudWatchLogsClient> call) {
    assertThatThrownBy(() -> call.accept(logs))
        .isInstanceOfSatisfying(
            InvalidParameterException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorMessage())
                  .startsWith(
                      "1 validation error detected: Value '"
                          + value
                          + "' at '"
                          + field
                          + "' failed to satisfy constraint: Member must satisfy regular expression pattern");
            });
  }

  @Test
  void aMalformedGroupNameIsAnInvalidParameterOnEveryOperation() {
    String bad = "no spaces allowed";
    InputLogEvent event =
        InputLogEvent.builder().timestamp(System.currentTimeMillis()).message("m").build();
    assertInvalid("logGroupName", bad, c -> c.createLogGroup(r -> r.logGroupName(bad)));
    assertInvalid(
        "logGroupName", bad, c -> c.createLogStream(r -> r.logGroupName(bad).logStreamName("s1")));
    assertInvalid(
        "logGroupName",
        bad,
        c -> c.putLogEvents(r -> r.logGroupName(bad).logStreamName("s1").logEvents(event)));
    assertInvalid(
        "logGroupName", bad, c -> c.getLogEvents(r -> r.logGroupName(bad).logStreamName("s1")));
    assertInvalid("logGroupName", bad, c -> c.filterLogEvents(r -> r.logGroupName(bad)));
    assertInvalid("logGroupName", bad, c -> c.describeLogStreams(r -> r.logGroupName(bad)));
    assertInvalid(
        "logGroupName",
        bad,
        c -> c.putRetentionPolicy(r -> r.logGroupName(bad).retentionInDays(7)));
    assertInvalid("logGroupName", bad, c -> c.deleteLogGroup(r -> r.logGroupName(bad)));
  }

  @Test
  void aMalformedStreamNameIsAnInvalidParameter() {
    InputLogEvent event =
        InputLogEvent.builder().timestamp(System.currentTimeMillis()).message("m").build();
    assertInvalid(
        "logStreamName",
        "a:b",
        c -> c.putLogEvents(r -> r.logGroupName("names/ok").logStreamName("a:b").logEvents(event)));
    assertInvalid(
        "logStreamName",
        "a*b",
        c -> c.getLogEvents(r -> r.logGroupName("names/ok").logStreamName("a*b")));
  }

  @Test
  void aWellFormedUnknownNameIsStillNotFoundAndTheCollectorKeepsServing() {
    assertThatThrownBy(
            () ->
                logs.putLogEvents(
                    r ->
                        r.logGroupName("names/missing")
                            .logStreamName("s1")
                            .logEvents(
                                InputLogEvent.builder()
                                    .timestamp(System.currentTimeMillis())
                                    .message("m")
                                    .build())))
        .isInstanceOf(ResourceNotFoundException.class);
    logs.putLogEvents(
        r ->
            r.logGroupName("names/ok")
                .logStreamName("s1")
                .logEvents(
                    InputLogEvent.builder()
                        .timestamp(System.currentTimeMillis())
                        .message("m")
                        .build()));
    assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix("names/")).logGroups())
        .extracting(g -> g.logGroupName())
        .isEqualTo(List.of("names/ok"));
  }
}
