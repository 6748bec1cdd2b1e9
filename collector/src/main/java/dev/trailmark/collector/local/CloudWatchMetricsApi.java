package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.sink.SinkBusyException;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CloudWatch metrics {@code PutMetricData} in the AWS Query protocol (form-encoded request, XML
 * response) that the AWS SDK v2 CloudWatch client of the pinned version sends; each datum (or each
 * value of a {@code Values} array) becomes one metric document in {@code
 * <prefix>metrics-<yyyy.MM.dd>}.
 */
final class CloudWatchMetricsApi {

  static final String NAMESPACE_XML = "http://monitoring.amazonaws.com/doc/2010-08-01/";
  static final int MAX_DATUMS = 1_000;

  private final OpenSearchSink sink;
  private final Stats stats;

  CloudWatchMetricsApi(OpenSearchSink sink, Stats stats) {
    this.sink = sink;
    this.stats = stats;
  }

  static boolean isQuery(String contentType) {
    return contentType != null
        && contentType
            .toLowerCase(java.util.Locale.ROOT)
            .startsWith("application/x-www-form-urlencoded");
  }

  static Map<String, String> parseForm(byte[] body) {
    Map<String, String> params = new HashMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(key, value);
    }
    return params;
  }

  /** Answers one Query request; returns the XML response body. */
  String handle(Map<String, String> params, String requestId) throws AwsException, IOException {
    String action = params.get("Action");
    if (!"PutMetricData".equals(action)) {
      throw new AwsException(
          400, "InvalidAction", "The action " + action + " is not valid for this web service.");
    }
    String namespace = params.get("Namespace");
    if (namespace == null || namespace.isEmpty()) {
      throw missing("Namespace");
    }
    if (namespace.startsWith("AWS/")) {
      throw invalidValue("The value AWS/ for parameter Namespace is invalid.");
    }
    DocumentBatch batch = new DocumentBatch();
    long now = System.currentTimeMillis();
    int datums = 0;
    for (int i = 1; params.containsKey("MetricData.member." + i + ".MetricName"); i++) {
      datums++;
      if (datums > MAX_DATUMS) {
        throw invalidValue(
            "The collection MetricData must not have a size greater than " + MAX_DATUMS + ".");
      }
      String p = "MetricData.member." + i + ".";
      ObjectNode base = Json.object();
      long ts = params.containsKey(p + "Timestamp") ? parseTime(params.get(p + "Timestamp")) : now;
      base.put("@timestamp", Instant.ofEpochMilli(ts).toString())
          .put("namespace", namespace)
          .put("name", params.get(p + "MetricName"))
          .put("unit", params.getOrDefault(p + "Unit", "None"));
      ObjectNode dims = base.putObject("dimensions");
      Map<String, String> sorted = new TreeMap<>();
      for (int d = 1; params.containsKey(p + "Dimensions.member." + d + ".Name"); d++) {
        sorted.put(
            params.get(p + "Dimensions.member." + d + ".Name"),
            params.getOrDefault(p + "Dimensions.member." + d + ".Value", ""));
      }
      sorted.forEach(dims::put);
      if (params.containsKey(p + "StorageResolution")) {
        base.put("storageResolution", Integer.parseInt(params.get(p + "StorageResolution")));
      }
      String index = sink.indexPrefix() + "metrics-" + IndexNames.day(ts);
      if (params.containsKey(p + "Value")) {
        ObjectNode doc = base.deepCopy();
        doc.put("kind", "value").put("value", number(params, p + "Value"));
        batch.add(index, doc);
      } else if (params.containsKey(p + "StatisticValues.SampleCount")) {
        ObjectNode doc = base.deepCopy();
        doc.put("kind", "statistics")
            .put("count", number(params, p + "StatisticValues.SampleCount"))
            .put("sum", number(params, p + "StatisticValues.Sum"))
            .put("min", number(params, p + "StatisticValues.Minimum"))
            .put("max", number(params, p + "StatisticValues.Maximum"));
        batch.add(index, doc);
      } else if (params.containsKey(p + "Values.member.1")) {
        for (int v = 1; params.containsKey(p + "Values.member." + v); v++) {
          ObjectNode doc = base.deepCopy();
          doc.put("kind", "value").put("value", number(params, p + "Values.member." + v));
          doc.put(
              "count",
              params.containsKey(p + "Counts.member." + v)
                  ? number(params, p + "Counts.member." + v)
                  : 1);
          batch.add(index, doc);
        }
      } else {
        throw missing("MetricData.member." + i + ".Value");
      }
    }
    if (datums == 0) {
      throw missing("MetricData");
    }
    try {
      sink.write(batch);
    } catch (SinkBusyException e) {
      throw e.reason() == SinkBusyException.Reason.UNAVAILABLE
          ? new AwsException(503, "ServiceUnavailable", e.getMessage())
          : new AwsException(400, "Throttling", e.getMessage());
    }
    stats.accepted("metrics", batch.size());
    return "<PutMetricDataResponse xmlns=\""
        + NAMESPACE_XML
        + "\"><ResponseMetadata><RequestId>"
        + requestId
        + "</RequestId></ResponseMetadata></PutMetricDataResponse>";
  }

  /** An AWS Query error document. */
  static String errorXml(AwsException e, String requestId) {
    return "<ErrorResponse xmlns=\""
        + NAMESPACE_XML
        + "\"><Error><Type>"
        + (e.status() >= 500 ? "Receiver" : "Sender")
        + "</Type><Code>"
        + xml(e.type())
        + "</Code><Message>"
        + xml(e.getMessage())
        + "</Message></Error><RequestId>"
        + requestId
        + "</RequestId></ErrorResponse>";
  }

  private static double number(Map<String, String> params, String key) throws AwsException {
    String v = params.get(key);
    if (v == null) {
      throw missing(key);
    }
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw invalidValue("The value " + v + " for parameter " + key + " is invalid.");
    }
  }

  private static long parseTime(String value) throws AwsException {
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw invalidValue("The value " + value + " for parameter Timestamp is invalid.");
    }
  }

  private static AwsException missing(String name) {
    return new AwsException(400, "MissingParameter", "The parameter " + name + " is required.");
  }

  private static AwsException invalidValue(String message) {
    return new AwsException(400, "InvalidParameterValue", message);
  }

  private static String xml(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
