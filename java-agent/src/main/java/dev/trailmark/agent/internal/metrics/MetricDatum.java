package dev.trailmark.agent.internal.metrics;

import java.util.Map;

/** One value of one meter statistic for one step: what an EMF line carries. */
final class MetricDatum {

  final String name;
  final String unit; // CloudWatch unit: Count, Milliseconds, Bytes, None...
  final double value;
  final Map<String, String> dimensions;

  MetricDatum(String name, String unit, double value, Map<String, String> dimensions) {
    this.name = name;
    this.unit = unit;
    this.value = value;
    this.dimensions = dimensions;
  }
}
