package dev.trailmark.collector.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeliveryStreamsTest {

  @TempDir Path dir;

  private DeliveryStreams load(String json) throws Exception {
    Path file = dir.resolve("collector.json");
    Files.writeString(file, json);
    return DeliveryStreams.load(file);
  }

  @Test
  void theTwoDefaultStreamsExistWithoutAFile() throws Exception {
    DeliveryStreams streams = DeliveryStreams.load(null);
    assertThat(streams.all()).containsOnlyKeys("trailmark-access-logs", "trailmark-audit-findings");
    assertThat(streams.get("trailmark-access-logs").index()).isEqualTo("logs-access");
    assertThat(streams.get("trailmark-audit-findings").rotation()).isEqualTo("OneDay");
  }

  @Test
  void aFileAddsStreamsAndMayReplaceADefault() throws Exception {
    DeliveryStreams streams =
        load(
            "{\"deliveryStreams\":[{\"name\":\"trailmark-access-logs\",\"destination\":"
                + "{\"index\":\"web\",\"rotation\":\"OneMonth\"}},{\"name\":\"pg\",\"processing\":\"cloudwatch-logs\","
                + "\"destination\":{\"type\":\"redshift\",\"jdbcUrl\":\"jdbc:postgresql://x/db\","
                + "\"driver\":\"org.postgresql.Driver\"}}]}");
    assertThat(streams.get("trailmark-access-logs").index()).isEqualTo("web");
    assertThat(streams.get("trailmark-access-logs").rotation()).isEqualTo("OneMonth");
    assertThat(streams.get("pg").toRedshift()).isTrue();
    assertThat(streams.get("pg").table()).isEqualTo("logs");
    assertThat(streams.get("pg").processing()).isEqualTo("cloudwatch-logs");
  }

  @Test
  void mistakesAreNamedWithFileAndStream() {
    assertThatThrownBy(() -> load("{\"streams\":[]}"))
        .hasMessageContaining("expected {\"deliveryStreams\"");
    assertThatThrownBy(() -> load("{\"deliveryStreams\":[{\"destination\":{}}]}"))
        .hasMessageContaining("\"name\"");
    assertThatThrownBy(
            () ->
                load(
                    "{\"deliveryStreams\":[{\"name\":\"a\",\"destination\":{\"index\":\"x\","
                        + "\"rotation\":\"Daily\"}}]}"))
        .hasMessageContaining("stream a: destination.rotation must be one of");
    assertThatThrownBy(
            () ->
                load(
                    "{\"deliveryStreams\":[{\"name\":\"a\",\"processing\":\"xml\","
                        + "\"destination\":{\"index\":\"x\"}}]}"))
        .hasMessageContaining("processing must be one of");
    assertThatThrownBy(
            () ->
                load("{\"deliveryStreams\":[{\"name\":\"a\",\"destination\":{\"type\":\"s3\"}}]}"))
        .hasMessageContaining("destination.type must be opensearch or redshift");
    assertThatThrownBy(
            () ->
                load(
                    "{\"deliveryStreams\":[{\"name\":\"a\",\"destination\":{\"type\":\"redshift\","
                        + "\"jdbcUrl\":\"jdbc:redshift://x/db\",\"driver\":\"com.amazon.redshift.jdbc42.Driver\"}}]}"))
        .hasMessageContaining(
            "JDBC driver com.amazon.redshift.jdbc42.Driver is not on the class path");
    assertThatThrownBy(
            () ->
                load(
                    "{\"deliveryStreams\":[{\"name\":\"a\",\"destination\":{\"index\":\"Upper\"}}]}"))
        .hasMessageContaining("lower-case");
  }
}
