package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentVersionTest {

  @Test
  void theVersionIsTheOneTheBuildWasMadeWith() {
    String built = System.getProperty("trailmark.project.version");
    assertThat(built).as("surefire passes the pom's project.version").isNotBlank();

    assertThat(AgentVersion.read()).isEqualTo(built);
    assertThat(AgentVersion.VERSION).isEqualTo(built);
  }

  @Test
  void everySpanNamesTheAgentAndItsBuildVersionAsItsScope() {
    assertThat(Span.SCOPE.getName()).isEqualTo("trailmark-agent");
    assertThat(Span.SCOPE.getVersion()).isEqualTo(System.getProperty("trailmark.project.version"));
  }
}
