package dev.trailmark.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.config.AgentConfig;
import dev.trailmark.agent.internal.probe.Probe;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The {@code kafka} switch: on by default, off with TRAILMARK_INSTRUMENTATION_KAFKA_ENABLED. */
class KafkaSwitchTest {

  @Test
  void theKafkaProbeIsOnByDefaultAndOffWhenSwitchedOff() {
    assertThat(AgentInstaller.probes(AgentConfig.from(Map.of(), new Properties())))
        .extracting(Probe::name)
        .contains("kafka");
    assertThat(
            AgentInstaller.probes(
                AgentConfig.from(
                    Map.of("TRAILMARK_INSTRUMENTATION_KAFKA_ENABLED", "false"), new Properties())))
        .extracting(Probe::name)
        .doesNotContain("kafka")
        .contains("sqs-consumer");
  }
}
