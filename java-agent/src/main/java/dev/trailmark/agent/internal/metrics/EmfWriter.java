package dev.trailmark.agent.internal.metrics;

import dev.trailmark.agent.internal.export.JsonWriter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes each step as CloudWatch Embedded Metric Format lines (one JSON object per dimension set),
 * for Lambda and for any log shipper to CloudWatch Logs, which turns them into metrics without an
 * API call.
 */
final class EmfWriter implements Consumer<List<MetricDatum>> {

  private final PrintStream out;
  private final String namespace;

  EmfWriter(PrintStream out, String namespace) {
    this.out = out;
    this.namespace = namespace;
  }

  @Override
  public void accept(List<MetricDatum> data) {
    Map<Map<String, String>, List<MetricDatum>> byDimensions = new LinkedHashMap<>();
    for (MetricDatum d : data) {
      List<MetricDatum> group = byDimensions.get(d.dimensions);
      if (group == null) {
        group = new ArrayList<>();
        byDimensions.put(d.dimensions, group);
      }
      group.add(d);
    }
    long now = System.currentTimeMillis();
    StringBuilder lines = new StringBuilder();
    for (Map.Entry<Map<String, String>, List<MetricDatum>> group : byDimensions.entrySet()) {
      lines.append(line(now, group.getKey(), group.getValue())).append('\n');
    }
    out.print(lines);
    out.flush();
  }

  String line(long timestamp, Map<String, String> dimensions, List<MetricDatum> metrics) {
    StringBuilder sb = new StringBuilder(256);
    JsonWriter json = new JsonWriter(sb).beginObject();
    json.name("_aws")
        .beginObject()
        .name("Timestamp")
        .value(timestamp)
        .name("CloudWatchMetrics")
        .beginArray()
        .beginObject()
        .name("Namespace")
        .value(namespace)
        .name("Dimensions")
        .beginArray()
        .beginArray();
    for (String key : dimensions.keySet()) {
      json.value(key);
    }
    json.endArray().endArray().name("Metrics").beginArray();
    for (MetricDatum m : metrics) {
      json.beginObject().name("Name").value(m.name).name("Unit").value(m.unit).endObject();
    }
    json.endArray().endObject().endArray().endObject();
    for (Map.Entry<String, String> d : dimensions.entrySet()) {
      json.name(d.getKey()).value(d.getValue());
    }
    for (MetricDatum m : metrics) {
      json.name(m.name).value(m.value);
    }
    return json.endObject().toString();
  }
}
