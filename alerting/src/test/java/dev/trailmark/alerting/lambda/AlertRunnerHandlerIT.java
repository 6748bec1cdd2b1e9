package dev.trailmark.alerting.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.alerting.Fixture;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduled Lambda handler: one cycle per event, configured from the environment, same code as
 * the CLI.
 */
@ExtendWith(OpenSearchExtension.class)
class AlertRunnerHandlerIT {

  @Test
  void oneCyclePerScheduledEvent(OpenSearchInstance os) throws Exception {
    try (Fixture f = new Fixture(os, "lambda")) {
      f.rule(
          "lambda-errors",
          "type: any\nquery_key: svc\nbuffer_time: {minutes: 2}\nrealert: {minutes: 0}\n");
      String t = Instant.now().truncatedTo(ChronoUnit.MINUTES).minusSeconds(10).toString();
      f.docs(List.of(Fixture.map("@timestamp", t, "svc", "a")));
      AlertRunnerHandler handler =
          new AlertRunnerHandler(
              Map.of(
                  "OPENSEARCH_ENDPOINT",
                  os.baseUri().toString(),
                  "INDEX_PREFIX",
                  os.indexPrefix(),
                  "ALERT_BUILTIN_RULES",
                  "false",
                  "ALERT_RULES_DIR",
                  f.rules.toString(),
                  "ALERT_WEBHOOK_URL",
                  f.webhook()));
      Map<String, Object> out = handler.handleRequest(Map.of("source", "aws.events"), null);
      assertThat(out)
          .containsEntry("rulesRun", 1)
          .containsEntry("notices", 1L)
          .containsEntry("errors", List.of());
      assertThat(f.keysAndStates()).containsExactly("a/firing");
      Map<String, Object> again = handler.handleRequest(Map.of("source", "aws.events"), null);
      assertThat(again.get("notices"))
          .isEqualTo(0L); // not due again within the same minute, or nothing new
    }
  }

  @Test
  void endpointIsRequired() {
    assertThatThrownBy(() -> new AlertRunnerHandler(Map.of()))
        .hasMessageContaining("OPENSEARCH_ENDPOINT is required");
  }
}
