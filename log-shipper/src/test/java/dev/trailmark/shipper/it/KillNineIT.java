package dev.trailmark.shipper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.ForkedJvm;
import dev.trailmark.collector.testing.LocalCollectorExtension;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forked application is killed with kill -9 in mid-stream and restarted: every event logged
 * arrives.
 */
@ExtendWith({OpenSearchExtension.class, LocalCollectorExtension.class})
class KillNineIT {
  @TempDir static Path spool;
  static LocalCollector collector;
  static OpenSearchInstance os;

  @BeforeAll
  static void start(OpenSearchInstance instance, LocalCollector localCollector) {
    os = instance;
    collector = localCollector;
  }

  private Process fork(String prefix, int count) throws Exception {
    return ForkedJvm.start(
        "256m",
        SpoolingApp.class,
        collector.httpEndpoint().toString(),
        spool.toString(),
        prefix,
        Integer.toString(count));
  }

  /** Reads "logged N" lines in the background, keeping the highest N. */
  private static AtomicInteger progress(Process p) {
    AtomicInteger last = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("logged ")) {
                    last.set(Integer.parseInt(line.substring(7).trim()));
                  } else if (!line.startsWith("done")) {
                    System.out.println("[app] " + line);
                  }
                }
              } catch (Exception e) {
                // the process died: that is the point
              }
            });
    t.setDaemon(true);
    t.start();
    return last;
  }

  @Test
  void killedMidStreamAndRestartedNothingIsLost() throws Exception {
    Process first = fork("run1", 1_000_000);
    AtomicInteger logged = progress(first);
    await().atMost(Duration.ofSeconds(60)).until(() -> logged.get() >= 3000);
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);
    int lastLogged = logged.get();

    Process second = fork("run2", 100);
    progress(second);
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();

    String pattern = os.indexPrefix() + "logs-trailmark-it-kill-*";
    await()
        .atMost(Duration.ofSeconds(120))
        .ignoreExceptions()
        .until(
            () -> {
              Map<String, Integer> seen = bodies(pattern);
              for (int i = 0; i <= lastLogged; i++) {
                if (!seen.containsKey("run1-" + i)) {
                  return false;
                }
              }
              return seen.keySet().stream().filter(b -> b.startsWith("run2-")).count() == 100;
            });
    Map<String, Integer> seen = bodies(pattern);
    long run1 = seen.keySet().stream().filter(b -> b.startsWith("run1-")).count();
    long duplicates = seen.values().stream().filter(n -> n > 1).count();
    System.out.printf(
        "kill -9 after %d logged events: %d distinct run1 events arrived, %d duplicated (at least once)%n",
        lastLogged + 1, run1, duplicates);
    assertThat(run1).isGreaterThanOrEqualTo(lastLogged + 1L);
  }

  private static Map<String, Integer> bodies(String pattern) throws Exception {
    Map<String, Integer> out = new HashMap<>();
    List<JsonNode> docs = Collected.documents(os, pattern);
    for (JsonNode d : docs) {
      out.merge(d.path("body").asText(), 1, Integer::sum);
    }
    return out;
  }
}
