package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.EmfMetrics;
import dev.trailmark.collector.internal.mapping.IndexNames;
import dev.trailmark.collector.internal.sink.DocumentBatch;
import dev.trailmark.collector.internal.sink.OpenSearchSink;
import dev.trailmark.collector.internal.sink.SinkBusyException;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * CloudWatch Logs (AWS JSON 1.1, {@code X-Amz-Target: Logs_20140328.<Operation>}) served from
 * OpenSearch.
 */
final class CloudWatchLogsApi {

  static final String TARGET_PREFIX = "Logs_20140328.";

  static final int MAX_EVENTS = 10_000;
  static final int MAX_BATCH_BYTES = 1_048_576;
  static final int EVENT_OVERHEAD_BYTES = 26;
  static final long MAX_BATCH_SPAN_MILLIS = Duration.ofHours(24).toMillis();
  static final long MAX_FUTURE_MILLIS = Duration.ofHours(2).toMillis();
  static final long MAX_AGE_MILLIS = Duration.ofDays(14).toMillis();

  /**
   * At most this many EMF metric documents from one PutLogEvents call (about 10 MB), whatever its
   * events hold.
   */
  static final int MAX_EMF_PER_REQUEST = 50_000;

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(CloudWatchLogsApi.class);

  private static final Pattern GROUP_NAME = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");
  private static final Set<Integer> RETENTION_DAYS =
      Set.of(
          1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
          2922, 3288, 3653);

  private final LogGroups groups;
  private final OpenSearchSink sink;
  private final OpenSearchReads reads;
  private final Stats stats;
  private final String region;
  private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis());

  CloudWatchLogsApi(LogGroups groups, OpenSearchSink sink, Stats stats, String region) {
    this.groups = groups;
    this.sink = sink;
    this.reads = new OpenSearchReads(sink.client());
    this.stats = stats;
    this.region = region;
  }

  ObjectNode handle(String operation, JsonNode request) throws AwsException, IOException {
    switch (operation) {
      case "CreateLogGroup":
        return createLogGroup(request);
      case "CreateLogStream":
        return createLogStream(request);
      case "DeleteLogGroup":
        return deleteLogGroup(request);
      case "DescribeLogGroups":
        return describeLogGroups(request);
      case "DescribeLogStreams":
        return describeLogStreams(request);
      case "PutRetentionPolicy":
        return putRetentionPolicy(request);
      case "PutLogEvents":
        return putLogEvents(request);
      case "GetLogEvents":
        return getLogEvents(request);
      case "FilterLogEvents":
        return filterLogEvents(request);
      default:
        throw new AwsException(
            400, "UnknownOperationException", "Unknown operation " + TARGET_PREFIX + operation);
    }
  }

  private ObjectNode createLogGroup(JsonNode request) throws AwsException {
    String name = groupName(request);
    if (!groups.create(name, System.currentTimeMillis())) {
      throw new AwsException(
          400, "ResourceAlreadyExistsException", "The specified log group already exists");
    }
    return Json.object();
  }

  private ObjectNode createLogStream(JsonNode request) throws AwsException {
    LogGroups.Group group = group(request);
    String name = streamName(request);
    if (group.streams.putIfAbsent(name, new LogGroups.Stream(name, System.currentTimeMillis()))
        != null) {
      throw new AwsException(
          400, "ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    groups.save();
    return Json.object();
  }

  private ObjectNode deleteLogGroup(JsonNode request) throws AwsException {
    if (!groups.delete(groupName(request))) {
      throw AwsException.notFound("The specified log group does not exist.");
    }
    return Json.object();
  }

  private ObjectNode describeLogGroups(JsonNode request) throws AwsException {
    String prefix = Fields.optionalString(request, "logGroupNamePrefix");
    int limit = Fields.limit(request, "limit", 50, 50);
    List<LogGroups.Group> all = groups.withPrefix(prefix);
    int from = token(request, "nextToken", all.size());
    ObjectNode response = Json.object();
    ArrayNode out = response.putArray("logGroups");
    for (int i = from; i < Math.min(all.size(), from + limit); i++) {
      LogGroups.Group g = all.get(i);
      ObjectNode n =
          out.addObject()
              .put("logGroupName", g.name)
              .put("creationTime", g.creationTime)
              .put("metricFilterCount", 0)
              .put("arn", groupArn(g.name) + ":*")
              .put("logGroupArn", groupArn(g.name))
              .put("storedBytes", g.streams.values().stream().mapToLong(s -> s.storedBytes).sum())
              .put("logGroupClass", "STANDARD");
      if (g.retentionInDays != null) {
        n.put("retentionInDays", g.retentionInDays);
      }
    }
    if (from + limit < all.size()) {
      response.put("nextToken", Integer.toString(from + limit));
    }
    return response;
  }

  private ObjectNode describeLogStreams(JsonNode request) throws AwsException {
    LogGroups.Group group = group(request);
    String prefix = Fields.optionalString(request, "logStreamNamePrefix");
    String orderBy = Fields.optionalString(request, "orderBy");
    boolean descending = Fields.optionalBoolean(request, "descending", false);
    int limit = Fields.limit(request, "limit", 50, 50);
    if (orderBy != null && !orderBy.equals("LogStreamName") && !orderBy.equals("LastEventTime")) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value '"
              + orderBy
              + "' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]");
    }
    if (prefix != null && "LastEventTime".equals(orderBy)) {
      throw AwsException.invalidParameter(
          "Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    List<LogGroups.Stream> streams = new ArrayList<>();
    for (LogGroups.Stream s : group.streams.values()) {
      if (prefix == null || s.name.startsWith(prefix)) {
        streams.add(s);
      }
    }
    if ("LastEventTime".equals(orderBy)) {
      streams.sort(
          Comparator.comparingLong(s -> s.lastEventTimestamp == null ? 0 : s.lastEventTimestamp));
    }
    if (descending) {
      java.util.Collections.reverse(streams);
    }
    int from = token(request, "nextToken", streams.size());
    ObjectNode response = Json.object();
    ArrayNode out = response.putArray("logStreams");
    for (int i = from; i < Math.min(streams.size(), from + limit); i++) {
      LogGroups.Stream s = streams.get(i);
      ObjectNode n =
          out.addObject()
              .put("logStreamName", s.name)
              .put("creationTime", s.creationTime)
              .put("arn", groupArn(group.name) + ":log-stream:" + s.name)
              .put("storedBytes", s.storedBytes);
      synchronized (s) {
        if (s.firstEventTimestamp != null) {
          n.put("firstEventTimestamp", s.firstEventTimestamp)
              .put("lastEventTimestamp", s.lastEventTimestamp)
              .put("lastIngestionTime", s.lastIngestionTime);
        }
      }
    }
    if (from + limit < streams.size()) {
      response.put("nextToken", Integer.toString(from + limit));
    }
    return response;
  }

  private ObjectNode putRetentionPolicy(JsonNode request) throws AwsException {
    LogGroups.Group group = group(request);
    Long days = Fields.optionalLong(request, "retentionInDays");
    if (days == null || !RETENTION_DAYS.contains(days.intValue())) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value '"
              + days
              + "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: "
              + new java.util.TreeSet<>(RETENTION_DAYS));
    }
    group.retentionInDays = days.intValue();
    groups.save();
    return Json.object();
  }

  private ObjectNode putLogEvents(JsonNode request) throws AwsException, IOException {
    String groupName = groupName(request);
    String streamName = streamName(request);
    JsonNode events = Fields.requiredArray(request, "logEvents");
    int n = events.size();
    if (n < 1 || n > MAX_EVENTS) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value at 'logEvents' failed to satisfy "
              + "constraint: Member must have length "
              + (n < 1 ? "greater than or equal to 1" : "less than or equal to " + MAX_EVENTS));
    }
    long[] timestamps = new long[n];
    String[] messages = new String[n];
    long batchBytes = 0;
    for (int i = 0; i < n; i++) {
      JsonNode e = events.get(i);
      if (!e.isObject()) {
        throw AwsException.serialization("logEvents[" + i + "] must be an object");
      }
      Long ts = Fields.optionalLong(e, "timestamp");
      String message = Fields.optionalString(e, "message");
      if (ts == null || message == null) {
        throw AwsException.invalidParameter(
            "1 validation error detected: Value null at 'logEvents."
                + (i + 1)
                + "."
                + (ts == null ? "timestamp" : "message")
                + "' failed to satisfy constraint: Member must not be null");
      }
      if (message.isEmpty()) {
        throw AwsException.invalidParameter(
            "1 validation error detected: Value '' at 'logEvents."
                + (i + 1)
                + ".message' failed to satisfy constraint: Member must have length greater than or equal to 1");
      }
      if (i > 0 && ts < timestamps[i - 1]) {
        throw AwsException.invalidParameter(
            "Log events in a single PutLogEvents request must be in chronological order.");
      }
      timestamps[i] = ts;
      messages[i] = message;
      batchBytes += utf8Length(message) + EVENT_OVERHEAD_BYTES;
    }
    if (batchBytes > MAX_BATCH_BYTES) {
      throw AwsException.invalidParameter(
          "Upload too large: " + batchBytes + " bytes exceeds limit of " + MAX_BATCH_BYTES);
    }
    if (timestamps[n - 1] - timestamps[0] > MAX_BATCH_SPAN_MILLIS) {
      throw AwsException.invalidParameter(
          "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
    }
    LogGroups.Group group = groups.get(groupName);
    if (group == null) {
      throw AwsException.notFound("The specified log group does not exist.");
    }
    LogGroups.Stream stream = group.streams.get(streamName);
    if (stream == null) {
      throw AwsException.notFound("The specified log stream does not exist.");
    }

    long now = System.currentTimeMillis();
    // Events are sorted, so the too-old and expired ones form a prefix and the too-new ones a
    // suffix.
    int tooNewStart = n;
    while (tooNewStart > 0 && timestamps[tooNewStart - 1] > now + MAX_FUTURE_MILLIS) {
      tooNewStart--;
    }
    int tooOldEnd = -1;
    while (tooOldEnd + 1 < n && timestamps[tooOldEnd + 1] < now - MAX_AGE_MILLIS) {
      tooOldEnd++;
    }
    int expiredEnd = -1;
    Integer retention = group.retentionInDays;
    if (retention != null) {
      long cutoff = now - Duration.ofDays(retention).toMillis();
      while (expiredEnd + 1 < n && timestamps[expiredEnd + 1] < cutoff) {
        expiredEnd++;
      }
    }
    int first = Math.max(tooOldEnd, expiredEnd) + 1;
    DocumentBatch batch = new DocumentBatch();
    long acceptedBytes = 0;
    int emf = 0;
    for (int i = first; i < tooNewStart; i++) {
      batch.addLogEvent(
          IndexNames.logs(sink.indexPrefix(), groupName, timestamps[i]),
          groupName,
          streamName,
          timestamps[i],
          messages[i]);
      if (EmfMetrics.mayBeEmf(messages[i])) {
        EmfMetrics.Extraction extraction =
            EmfMetrics.extract(messages[i], timestamps[i], MAX_EMF_PER_REQUEST - emf);
        for (ObjectNode metric : extraction.documents()) {
          batch.add(sink.indexPrefix() + "metrics-" + IndexNames.day(timestamps[i]), metric);
          emf++;
        }
        if (extraction.truncated() != null) {
          // The log event itself is stored whole; only its metric expansion is bounded, as
          // CloudWatch bounds EMF.
          stats.rejected("logs.emfTruncated", 1);
          log.warn(
              "EMF metrics of an event in {}/{} truncated: left out {}",
              groupName,
              streamName,
              extraction.truncated());
        }
      }
      acceptedBytes += messages[i].length();
    }
    try {
      sink.write(batch);
    } catch (SinkBusyException e) {
      throw busy(e);
    }
    stats.accepted("logs", batch.size() - emf);
    if (emf > 0) {
      stats.accepted("metrics.emf", emf);
    }
    if (batch.size() > 0) {
      stream.recordEvents(timestamps[first], timestamps[tooNewStart - 1], now, acceptedBytes);
    }
    ObjectNode response = Json.object();
    response.put("nextSequenceToken", String.format("%056d", sequence.incrementAndGet()));
    if (tooNewStart < n || tooOldEnd >= 0 || expiredEnd >= 0) {
      ObjectNode info = response.putObject("rejectedLogEventsInfo");
      if (tooNewStart < n) {
        info.put("tooNewLogEventStartIndex", tooNewStart);
        stats.rejected("logs.tooNew", n - tooNewStart);
      }
      if (tooOldEnd >= 0) {
        info.put("tooOldLogEventEndIndex", tooOldEnd);
        stats.rejected("logs.tooOld", tooOldEnd + 1);
      }
      if (expiredEnd >= 0) {
        info.put("expiredLogEventEndIndex", expiredEnd);
        stats.rejected("logs.expired", expiredEnd + 1);
      }
    }
    return response;
  }

  private ObjectNode getLogEvents(JsonNode request) throws AwsException, IOException {
    LogGroups.Group group = group(request);
    String streamName = streamName(request);
    if (!group.streams.containsKey(streamName)) {
      throw AwsException.notFound("The specified log stream does not exist.");
    }
    Long start = Fields.optionalLong(request, "startTime");
    Long end = Fields.optionalLong(request, "endTime");
    int limit = Fields.limit(request, "limit", 10_000, 10_000);
    boolean fromHead = Fields.optionalBoolean(request, "startFromHead", false);
    // Tokens: "f/<n>" = n events from the oldest, "b/<n>" = n events from the newest (what AWS's
    // opaque tokens
    // let a client do: page forward or backward; the same token comes back when there is nothing
    // more).
    String token = Fields.optionalString(request, "nextToken");
    int offset = 0;
    boolean forward = fromHead;
    if (token != null) {
      if (!token.matches("[fb]/\\d{1,9}")) {
        throw AwsException.invalidParameter("The specified nextToken is invalid.");
      }
      offset = Integer.parseInt(token.substring(2));
      forward = token.charAt(0) == 'f';
    }
    OpenSearchReads.Page page =
        reads.events(
            logIndexPattern(group.name),
            group.name,
            List.of(streamName),
            null,
            start,
            end,
            offset,
            limit,
            !forward);
    List<ObjectNode> hits = new ArrayList<>(page.hits());
    if (!forward) {
      java.util.Collections.reverse(hits);
    }
    ObjectNode response = Json.object();
    ArrayNode out = response.putArray("events");
    for (ObjectNode hit : hits) {
      ObjectNode source = (ObjectNode) hit.get("_source");
      long ts = OpenSearchReads.timestamp(source);
      out.addObject()
          .put("timestamp", ts)
          .put("message", OpenSearchReads.message(source))
          .put("ingestionTime", ts);
    }
    long total = page.total();
    int n = hits.size();
    if (forward) {
      response.put("nextForwardToken", "f/" + (offset + n));
      response.put("nextBackwardToken", "b/" + Math.max(0, total - offset));
    } else {
      response.put("nextForwardToken", "f/" + Math.max(0, total - offset));
      response.put("nextBackwardToken", "b/" + (offset + n));
    }
    return response;
  }

  private ObjectNode filterLogEvents(JsonNode request) throws AwsException, IOException {
    LogGroups.Group group = group(request);
    List<String> streams = null;
    JsonNode names = request.get("logStreamNames");
    if (names != null && !names.isNull()) {
      streams = new ArrayList<>();
      for (JsonNode s : Fields.requiredArray(request, "logStreamNames")) {
        streams.add(s.asText());
      }
    }
    String streamPrefix = Fields.optionalString(request, "logStreamNamePrefix");
    if (streams != null && streamPrefix != null) {
      throw AwsException.invalidParameter(
          "logStreamNames and logStreamNamePrefix are mutually exclusive");
    }
    Long start = Fields.optionalLong(request, "startTime");
    Long end = Fields.optionalLong(request, "endTime");
    int limit = Fields.limit(request, "limit", 10_000, 10_000);
    String pattern = Fields.optionalString(request, "filterPattern");
    FilterPattern filter = FilterPattern.parse(pattern);
    String token = Fields.optionalString(request, "nextToken");
    int offset = 0;
    if (token != null) {
      if (!token.matches("\\d{1,9}")) {
        throw AwsException.invalidParameter("The specified nextToken is invalid.");
      }
      offset = Integer.parseInt(token);
    }
    ObjectNode response = Json.object();
    ArrayNode out = response.putArray("events");
    int scanned = offset;
    int pageSize = Math.min(1_000, limit);
    boolean more = true;
    while (out.size() < limit && more) {
      OpenSearchReads.Page page =
          reads.events(
              logIndexPattern(group.name),
              group.name,
              streams,
              streamPrefix,
              start,
              end,
              scanned,
              pageSize,
              false);
      for (ObjectNode hit : page.hits()) {
        scanned++;
        ObjectNode source = (ObjectNode) hit.get("_source");
        String message = OpenSearchReads.message(source);
        if (!filter.matches(message)) {
          continue;
        }
        long ts = OpenSearchReads.timestamp(source);
        out.addObject()
            .put(
                "logStreamName",
                source
                    .path("attributes")
                    .path("aws")
                    .path("cloudwatch")
                    .path("log_stream")
                    .asText())
            .put("timestamp", ts)
            .put("message", message)
            .put("ingestionTime", ts)
            .put("eventId", hit.path("_id").asText());
        if (out.size() >= limit) {
          break;
        }
      }
      more =
          scanned < page.total() && !page.hits().isEmpty() && scanned < OpenSearchReads.MAX_WINDOW;
    }
    response.putArray("searchedLogStreams");
    if (more) {
      response.put("nextToken", Integer.toString(scanned));
    }
    return response;
  }

  private String logIndexPattern(String groupName) {
    return sink.indexPrefix() + "logs-" + IndexNames.dataset(groupName) + "-*";
  }

  private String groupArn(String name) {
    return "arn:aws:logs:" + region + ":000000000000:log-group:" + name;
  }

  private String groupName(JsonNode request) throws AwsException {
    String name = Fields.optionalString(request, "logGroupName");
    if (name == null) {
      String identifier = Fields.optionalString(request, "logGroupIdentifier");
      if (identifier != null) {
        int at = identifier.indexOf(":log-group:");
        name = at < 0 ? identifier : identifier.substring(at + 11).replaceAll(":\\*$", "");
      }
    }
    if (name == null) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value null at 'logGroupName' failed to "
              + "satisfy constraint: Member must not be null");
    }
    // AWS checks the name's shape before it looks the group up: a malformed name is a bad parameter
    // on every
    // operation, never "does not exist".
    if (!GROUP_NAME.matcher(name).matches()) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value '"
              + name
              + "' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              + "[\\.\\-_/#A-Za-z0-9]+");
    }
    return name;
  }

  private static String streamName(JsonNode request) throws AwsException {
    String name = Fields.requiredString(request, "logStreamName");
    if (name.isEmpty() || name.length() > 512 || name.indexOf(':') >= 0 || name.indexOf('*') >= 0) {
      throw AwsException.invalidParameter(
          "1 validation error detected: Value '"
              + name
              + "' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
              + "[^:*]*");
    }
    return name;
  }

  private LogGroups.Group group(JsonNode request) throws AwsException {
    LogGroups.Group group = groups.get(groupName(request));
    if (group == null) {
      throw AwsException.notFound("The specified log group does not exist.");
    }
    return group;
  }

  private static int token(JsonNode request, String name, int size) throws AwsException {
    String token = Fields.optionalString(request, name);
    if (token == null) {
      return 0;
    }
    if (!token.matches("\\d{1,9}") || Integer.parseInt(token) > size) {
      throw AwsException.invalidParameter("The specified nextToken is invalid.");
    }
    return Integer.parseInt(token);
  }

  static AwsException busy(SinkBusyException e) {
    return e.reason() == SinkBusyException.Reason.UNAVAILABLE
        ? new AwsException(503, "ServiceUnavailableException", e.getMessage())
        : new AwsException(400, "ThrottlingException", e.getMessage());
  }

  private static int utf8Length(String s) {
    // String.getBytes is an intrinsic for Latin-1 text; the per-char loop was 10% of a PutLogEvents
    // call.
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
