package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Firehose delivery streams declared in the collector's configuration file (JSON, see
 * collector/README.md), plus the two every Trailmark stack has: {@code trailmark-access-logs} and
 * {@code trailmark-audit-findings}.
 */
final class DeliveryStreams {

  static final Set<String> ROTATIONS =
      Set.of("NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth");
  static final Set<String> PROCESSING = Set.of("json-lines", "cloudwatch-logs");

  /** One delivery stream: where its records go and how they are split into documents. */
  record Stream(
      String name,
      String type,
      String index,
      String rotation,
      String jdbcUrl,
      String table,
      String user,
      String password,
      String driver,
      String processing,
      long createdAt) {
    boolean toRedshift() {
      return "redshift".equals(type);
    }
  }

  private final Map<String, Stream> streams = new LinkedHashMap<>();

  private DeliveryStreams() {}

  /** The defaults, overridden and extended by the file when given. */
  static DeliveryStreams load(Path file) throws IOException {
    DeliveryStreams d = new DeliveryStreams();
    long now = System.currentTimeMillis();
    d.add(
        new Stream(
            "trailmark-access-logs",
            "opensearch",
            "logs-access",
            "OneDay",
            null,
            null,
            null,
            null,
            null,
            "json-lines",
            now));
    d.add(
        new Stream(
            "trailmark-audit-findings",
            "opensearch",
            "audit-findings",
            "OneDay",
            null,
            null,
            null,
            null,
            null,
            "json-lines",
            now));
    if (file == null) {
      return d;
    }
    JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
    JsonNode list = root == null ? null : root.get("deliveryStreams");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(file + ": expected {\"deliveryStreams\": [ ... ]}");
    }
    for (JsonNode s : list) {
      d.add(parse(file, s, now));
    }
    return d;
  }

  private static Stream parse(Path file, JsonNode s, long now) {
    String name = text(s, "name");
    if (name == null || !name.matches("[a-zA-Z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          file + ": every delivery stream needs a \"name\" of 1-64 [a-zA-Z0-9_.-]");
    }
    JsonNode dest = s.path("destination");
    String type = dest.path("type").asText("opensearch");
    String processing = s.path("processing").asText("json-lines");
    if (!PROCESSING.contains(processing)) {
      throw new IllegalArgumentException(
          file + ": stream " + name + ": processing must be one of " + PROCESSING);
    }
    if (type.equals("opensearch")) {
      String index = text(dest, "index");
      String rotation = dest.path("rotation").asText("OneDay");
      if (index == null || !index.matches("[a-z0-9][a-z0-9_.-]*")) {
        throw new IllegalArgumentException(
            file
                + ": stream "
                + name
                + ": destination.index must be a lower-case "
                + "OpenSearch index name");
      }
      if (!ROTATIONS.contains(rotation)) {
        throw new IllegalArgumentException(
            file + ": stream " + name + ": destination.rotation must be one of " + ROTATIONS);
      }
      return new Stream(name, type, index, rotation, null, null, null, null, null, processing, now);
    }
    if (type.equals("redshift")) {
      String url = text(dest, "jdbcUrl");
      String table = dest.path("table").asText("logs");
      if (url == null || !table.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
        throw new IllegalArgumentException(
            file
                + ": stream "
                + name
                + ": a redshift destination needs \"jdbcUrl\" "
                + "and a plain \"table\" name");
      }
      String driver = text(dest, "driver");
      if (driver != null) {
        try {
          Class.forName(driver);
        } catch (ClassNotFoundException e) {
          throw new IllegalArgumentException(
              file
                  + ": stream "
                  + name
                  + ": JDBC driver "
                  + driver
                  + " is not on the class path (add its jar to collector/target/lib)");
        }
      }
      return new Stream(
          name,
          type,
          null,
          null,
          url,
          table,
          text(dest, "user"),
          text(dest, "password"),
          driver,
          processing,
          now);
    }
    throw new IllegalArgumentException(
        file + ": stream " + name + ": destination.type must be opensearch or redshift");
  }

  private static String text(JsonNode node, String name) {
    JsonNode v = node.get(name);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private void add(Stream s) {
    streams.put(s.name(), s);
  }

  Stream get(String name) {
    return streams.get(name);
  }

  Map<String, Stream> all() {
    return streams;
  }
}
