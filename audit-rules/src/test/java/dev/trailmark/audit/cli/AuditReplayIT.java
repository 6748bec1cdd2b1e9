package dev.trailmark.audit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.collector.local.LocalCollector;
import dev.trailmark.collector.testing.OpenSearchExtension;
import dev.trailmark.collector.testing.OpenSearchInstance;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit replay} of the shipped samples lands 15 dry-run records in the local audit index.
 */
@ExtendWith(OpenSearchExtension.class)
class AuditReplayIT {
  @TempDir Path state;

  @Test
  void samplesReplayedIntoTheLocalCollectorBecomeAuditFindings(OpenSearchInstance os)
      throws Exception {
    try (LocalCollector collector =
        LocalCollector.builder()
            .openSearch(os.baseUri())
            .indexPrefix(os.indexPrefix())
            .httpPort(0)
            .xrayUdpPort(0)
            .stateDir(state)
            .build()
            .start()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
      int code =
          AuditCli.run(
              new String[] {"replay", "--endpoint", collector.httpEndpoint().toString(), "samples"},
              ps,
              ps);
      assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains(
              "15 findings (low: 4, medium: 3, high: 4, critical: 4); 15 audit records sent to trailmark-audit-findings");
      String index = os.indexPrefix() + "audit-findings-*";
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                os.refresh(index);
                return os.count(index) == 15;
              });
      JsonNode hits =
          Json.read(
                  os.post(
                      "/" + index + "/_search?size=20",
                      "{\"query\":{\"term\":{\"ruleId\":\"ec2-sg-open-admin-ports\"}}}"))
              .path("hits")
              .path("hits");
      assertThat(hits).hasSize(1);
      JsonNode doc = hits.get(0).path("_source");
      assertThat(doc.path("decision").asText()).isEqualTo("skipped-dry-run");
      assertThat(doc.path("severity").asText()).isEqualTo("CRITICAL");
      assertThat(doc.path("reason").asText()).contains("would revoke only the ingress permissions");

      // Nothing listening: the records are refused and the command says so.
      int refused =
          AuditCli.run(
              new String[] {"replay", "--endpoint", "http://127.0.0.1:9", "samples"}, ps, ps);
      assertThat(refused).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("15 refused");
    } finally {
      os.delete("/" + os.indexPrefix() + "*");
    }
  }
}
