package dev.trailmark.shipper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.ForkedJvm;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application logs through a spooling appender with a wrong access key (the collector answers
 * {@code UnrecognizedClientException}, a 400), exits, and is started again with the right key:
 * every event of the first run is delivered, once. A credential error is something a person fixes;
 * it is never a verdict on the events.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class WrongKeyRestartIT {
  @TempDir Path spool;

  private String run(LocalCollector collector, String key, int count, int shutdownMillis)
      throws Exception {
    Process p =
        ForkedJvm.start(
            "128m",
            CredentialsApp.class,
            collector.httpEndpoint().toString(),
            spool.toString(),
            key,
            Integer.toString(count),
            Integer.toString(shutdownMillis));
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }

  @Test
  void eventsLoggedWithAWrongKeyAreDeliveredAfterARestartWithTheRightKey(
      OpenSearchInstance os, LocalCollector collector) throws Exception {
    String first = run(collector, "not-the-key", 200, 2000);
    assertThat(first).contains("UnrecognizedClientException").contains("keeping");

    run(collector, LocalCollector.DEFAULT_ACCESS_KEY_ID, 0, 60_000);

    String pattern = os.indexPrefix() + "logs-trailmark-it-credentials-*";
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> bodies(os, pattern).size() == 200);
    Map<String, Integer> seen = bodies(os, pattern);
    for (int i = 0; i < 200; i++) {
      assertThat(seen.get("cred-" + i)).as("cred-" + i).isEqualTo(1);
    }
  }

  private static Map<String, Integer> bodies(OpenSearchInstance os, String pattern)
      throws Exception {
    Map<String, Integer> out = new HashMap<>();
    for (JsonNode d : Collected.documents(os, pattern)) {
      out.merge(d.path("body").asText(), 1, Integer::sum);
    }
    return out;
  }
}
