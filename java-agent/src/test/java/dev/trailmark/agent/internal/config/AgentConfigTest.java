package dev.trailmark.agent.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

  @Test
  void defaultsNeedNothingSet() {
    AgentConfig config = AgentConfig.from(Map.of(), new Properties());

    assertThat(config.serviceName()).isEqualTo("unknown_service:java");
    assertThat(config.propagators()).containsExactly("xray", "tracecontext");
    assertThat(config.sampler()).isEqualTo("parentbased_xray");
    assertThat(config.tracesExporters()).containsExactly("xray");
    assertThat(config.xrayDaemon().getHostString()).isEqualTo("127.0.0.1");
    assertThat(config.xrayDaemon().getPort()).isEqualTo(2000);
    assertThat(config.metricsExporter()).isEqualTo("none");
    assertThat(config.exportQueueBytes()).isEqualTo(AgentConfig.DEFAULT_EXPORT_QUEUE_BYTES);
  }

  @Test
  void systemPropertyWinsOverEnvironment() {
    Properties props = new Properties();
    props.setProperty("otel.service.name", "from-property");

    AgentConfig config =
        AgentConfig.from(
            Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_PROPAGATORS", "tracecontext"), props);

    assertThat(config.serviceName()).isEqualTo("from-property");
    assertThat(config.propagators()).containsExactly("tracecontext");
  }

  @Test
  void serviceNameFallsBackToResourceAttributes() {
    AgentConfig config =
        AgentConfig.from(
            Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=orders, deployment.environment=prod"),
            new Properties());

    assertThat(config.serviceName()).isEqualTo("orders");
    assertThat(config.resourceAttributes()).containsEntry("deployment.environment", "prod");
  }

  @Test
  void otlpEndpointAddsTheOtlpExporter() {
    AgentConfig config =
        AgentConfig.from(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), new Properties());

    assertThat(config.tracesExporters()).containsExactly("xray", "otlp");
  }

  @Test
  void daemonAddressAcceptsTheSdkForm() {
    AgentConfig config =
        AgentConfig.from(
            Map.of("AWS_XRAY_DAEMON_ADDRESS", "tcp:127.0.0.1:2000 udp:10.0.0.5:2001"),
            new Properties());

    assertThat(config.xrayDaemon().getHostString()).isEqualTo("10.0.0.5");
    assertThat(config.xrayDaemon().getPort()).isEqualTo(2001);
  }

  @Test
  void instrumentationsAreSwitchedOffOneByOne() {
    AgentConfig config =
        AgentConfig.from(
            Map.of("TRAILMARK_INSTRUMENTATION_AWS_SDK_ENABLED", "false"), new Properties());

    assertThat(config.instrumentationEnabled("aws-sdk")).isFalse();
    assertThat(config.instrumentationEnabled("servlet")).isTrue();
  }

  @Test
  void badValuesAreClearErrors() {
    assertThatThrownBy(
            () -> AgentConfig.from(Map.of("AWS_XRAY_DAEMON_ADDRESS", "nohost"), new Properties()))
        .hasMessageContaining("AWS_XRAY_DAEMON_ADDRESS");
    assertThatThrownBy(
            () -> AgentConfig.from(Map.of("OTEL_TRACES_EXPORTER", "zipkin"), new Properties()))
        .hasMessageContaining("OTEL_TRACES_EXPORTER");
  }
}
