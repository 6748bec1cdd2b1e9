package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.CloudWatchLogsPayload;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.sink.RedshiftSink;
import dev.trailmark.collector.internal.sink.SinkBusyException;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kinesis Data Firehose (AWS JSON 1.1, {@code X-Amz-Target: Firehose_20150804.<Operation>}). */
final class FirehoseApi {

  private static final Logger log = LoggerFactory.getLogger(FirehoseApi.class);

  static final String TARGET_PREFIX = "Firehose_20150804.";
  static final int MAX_BATCH_RECORDS = 500;
  static final int MAX_RECORD_BYTES = 1_000 * 1024;
  static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;

  private final DeliveryStreams streams;
  private final OpenSearchSink sink;
  private final Stats stats;
  private final String region;
  private final Map<String, RedshiftSink> redshift = new ConcurrentHashMap<>();

  FirehoseApi(DeliveryStreams streams, OpenSearchSink sink, Stats stats, String region) {
    this.streams = streams;
    this.sink = sink;
    this.stats = stats;
    this.region = region;
  }

  ObjectNode handle(String operation, JsonNode request) throws AwsException, IOException {
    switch (operation) {
      case "PutRecord":
        return putRecord(request);
      case "PutRecordBatch":
        return putRecordBatch(request);
      case "DescribeDeliveryStream":
        return describe(request);
      case "ListDeliveryStreams":
        return list(request);
      default:
        throw new AwsException(
            400, "UnknownOperationException", "Unknown operation " + TARGET_PREFIX + operation);
    }
  }

  private ObjectNode putRecord(JsonNode request) throws AwsException, IOException {
    DeliveryStreams.Stream stream = stream(request);
    JsonNode record = request.get("Record");
    if (record == null || !record.isObject()) {
      throw invalid(
          "1 validation error detected: Value null at 'record' failed to satisfy constraint: "
              + "Member must not be null");
    }
    byte[] data = decode(record, 0);
    if (data.length > MAX_RECORD_BYTES) {
      throw invalid(
          "1 validation error detected: Value at 'record.data' failed to satisfy constraint: "
              + "Member must have length less than or equal to "
              + MAX_RECORD_BYTES);
    }
    List<ObjectNode> docs;
    try {
      docs = documents(stream, data);
    } catch (IllegalArgumentException e) {
      stats.rejected("firehose.processingFailed", 1);
      throw invalid("Record could not be processed: " + e.getMessage());
    }
    deliver(stream, docs);
    stats.accepted("firehose", docs.size());
    return Json.object().put("RecordId", recordId()).put("Encrypted", false);
  }

  private ObjectNode putRecordBatch(JsonNode request) throws AwsException, IOException {
    DeliveryStreams.Stream stream = stream(request);
    JsonNode records = Fields.requiredArray(request, "Records");
    if (records.size() < 1 || records.size() > MAX_BATCH_RECORDS) {
      throw invalid(
          "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have "
              + "length "
              + (records.size() < 1
                  ? "greater than or equal to 1"
                  : "less than or equal to " + MAX_BATCH_RECORDS));
    }
    List<byte[]> data = new ArrayList<>(records.size());
    long total = 0;
    for (int i = 0; i < records.size(); i++) {
      byte[] d = decode(records.get(i), i);
      if (d.length > MAX_RECORD_BYTES) {
        throw invalid(
            "1 validation error detected: Value at 'records."
                + (i + 1)
                + ".member.data' failed to "
                + "satisfy constraint: Member must have length less than or equal to "
                + MAX_RECORD_BYTES);
      }
      total += d.length;
      data.add(d);
    }
    if (total > MAX_BATCH_BYTES) {
      throw invalid("Records size exceeds 4 MiB limit: " + total + " bytes");
    }
    ObjectNode response = Json.object();
    ArrayNode results = Json.MAPPER.createArrayNode();
    List<ObjectNode> docs = new ArrayList<>();
    int failed = 0;
    for (byte[] d : data) {
      try {
        docs.addAll(documents(stream, d));
        results.addObject().put("RecordId", recordId());
      } catch (IllegalArgumentException e) {
        // One undecodable record fails alone, as Firehose reports per-record results.
        failed++;
        results
            .addObject()
            .put("ErrorCode", "InvalidArgumentException")
            .put("ErrorMessage", "Record could not be processed: " + e.getMessage());
      }
    }
    deliver(stream, docs);
    stats.accepted("firehose", docs.size());
    if (failed > 0) {
      stats.rejected("firehose.processingFailed", failed);
    }
    response.put("FailedPutCount", failed).put("Encrypted", false).set("RequestResponses", results);
    return response;
  }

  private ObjectNode describe(JsonNode request) throws AwsException {
    DeliveryStreams.Stream s = stream(request);
    ObjectNode response = Json.object();
    ObjectNode d = response.putObject("DeliveryStreamDescription");
    d.put("DeliveryStreamName", s.name())
        .put("DeliveryStreamARN", arn(s.name()))
        .put("DeliveryStreamStatus", "ACTIVE")
        .put("DeliveryStreamType", "DirectPut")
        .put("VersionId", "1")
        .put("CreateTimestamp", s.createdAt() / 1000.0)
        .put("HasMoreDestinations", false);
    ObjectNode dest =
        d.putArray("Destinations").addObject().put("DestinationId", "destinationId-000000000001");
    if (s.toRedshift()) {
      ObjectNode r = dest.putObject("RedshiftDestinationDescription");
      r.put("ClusterJDBCURL", s.jdbcUrl())
          .put("Username", s.user() == null ? "" : s.user())
          .put("RoleARN", "arn:aws:iam::000000000000:role/trailmark-local");
      r.putObject("CopyCommand").put("DataTableName", s.table()).put("CopyOptions", "JSON 'auto'");
      r.putObject("S3DestinationDescription")
          .put("BucketARN", "arn:aws:s3:::trailmark-local")
          .put("RoleARN", "arn:aws:iam::000000000000:role/trailmark-local");
    } else {
      ObjectNode o = dest.putObject("AmazonopensearchserviceDestinationDescription");
      o.put("IndexName", s.index())
          .put("IndexRotationPeriod", s.rotation())
          .put("ClusterEndpoint", "local")
          .put("RoleARN", "arn:aws:iam::000000000000:role/trailmark-local");
      o.putObject("ProcessingConfiguration")
          .put("Enabled", "cloudwatch-logs".equals(s.processing()));
    }
    return response;
  }

  private ObjectNode list(JsonNode request) throws AwsException {
    int limit = Fields.limit(request, "Limit", 10_000, 10);
    String after = Fields.optionalString(request, "ExclusiveStartDeliveryStreamName");
    List<String> names = new ArrayList<>(new java.util.TreeSet<>(streams.all().keySet()));
    int from =
        after == null ? 0 : (int) names.stream().filter(n -> n.compareTo(after) <= 0).count();
    ObjectNode response = Json.object();
    ArrayNode out = response.putArray("DeliveryStreamNames");
    names.subList(from, Math.min(names.size(), from + limit)).forEach(out::add);
    response.put("HasMoreDeliveryStreams", from + limit < names.size());
    return response;
  }

  private List<ObjectNode> documents(DeliveryStreams.Stream stream, byte[] data) {
    if ("cloudwatch-logs".equals(stream.processing())) {
      CloudWatchLogsPayload payload = CloudWatchLogsPayload.parse(data);
      return payload.isData() ? payload.documents() : List.of();
    }
    List<ObjectNode> docs = new ArrayList<>();
    String text = new String(data, StandardCharsets.UTF_8);
    String now = Instant.now().toString();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      ObjectNode doc = null;
      try {
        JsonNode node = Json.MAPPER.readTree(line);
        if (node instanceof ObjectNode) {
          doc = (ObjectNode) node;
        }
      } catch (IOException e) {
        doc = null;
      }
      if (doc == null) {
        doc = Json.object().put("body", line.strip());
      }
      if (!doc.hasNonNull("@timestamp")) {
        doc.put("@timestamp", now);
      }
      docs.add(doc);
    }
    return docs;
  }

  private void deliver(DeliveryStreams.Stream stream, List<ObjectNode> docs)
      throws AwsException, IOException {
    if (docs.isEmpty()) {
      return;
    }
    if (stream.toRedshift()) {
      RedshiftSink target =
          redshift.computeIfAbsent(
              stream.name(),
              k ->
                  new RedshiftSink(
                      stream.jdbcUrl(),
                      stream.user(),
                      stream.password(),
                      stream.table(),
                      stream.driver()));
      try {
        target.write(docs);
      } catch (SQLException e) {
        log.warn("Redshift delivery for {} failed: {}", stream.name(), e.toString());
        throw new AwsException(
            503,
            "ServiceUnavailableException",
            "Redshift destination of " + stream.name() + " is unavailable; retry later");
      }
      return;
    }
    long now = System.currentTimeMillis();
    String index = IndexNames.rotated(sink.indexPrefix(), stream.index(), stream.rotation(), now);
    DocumentBatch batch = new DocumentBatch();
    for (ObjectNode doc : docs) {
      batch.add(index, doc);
    }
    try {
      sink.write(batch);
    } catch (SinkBusyException e) {
      throw CloudWatchLogsApi.busy(e);
    }
  }

  private DeliveryStreams.Stream stream(JsonNode request) throws AwsException {
    String name = Fields.optionalString(request, "DeliveryStreamName");
    if (name == null) {
      throw invalid(
          "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy "
              + "constraint: Member must not be null");
    }
    DeliveryStreams.Stream s = streams.get(name);
    if (s == null) {
      throw AwsException.notFound("Firehose " + name + " under account 000000000000 not found.");
    }
    return s;
  }

  private static byte[] decode(JsonNode record, int i) throws AwsException {
    JsonNode data = record == null ? null : record.get("Data");
    if (data == null || !data.isTextual()) {
      throw invalid(
          "1 validation error detected: Value null at 'records."
              + (i + 1)
              + ".member.data' failed to "
              + "satisfy constraint: Member must not be null");
    }
    try {
      return Base64.getDecoder().decode(data.asText());
    } catch (IllegalArgumentException e) {
      throw AwsException.serialization("Record data is not valid base64: " + e.getMessage());
    }
  }

  private String arn(String name) {
    return "arn:aws:firehose:" + region + ":000000000000:deliverystream/" + name;
  }

  private static String recordId() {
    return UUID.randomUUID().toString().replace("-", "")
        + UUID.randomUUID().toString().replace("-", "");
  }

  private static AwsException invalid(String message) {
    return new AwsException(400, "InvalidArgumentException", message);
  }
}
