package dev.trailmark.collector.internal.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code _bulk} bodies to OpenSearch, retries only the items that failed with a retryable
 * status (429, 5xx), and keeps every document OpenSearch refuses for good.
 *
 * <p>A refused document (a mapping conflict, a field that is not a date, too many fields, a request
 * too large) is written again under the same index and id in a form no mapping can refuse:
 * {@code @timestamp}, the original document as text in {@code body}, its log group and stream, and
 * {@code trailmark.rejected.type|reason}. If that is refused too, it goes to the dead-letter index
 * (when one is configured); what still cannot be written is returned in {@link Result#setAside()}
 * for the caller to keep. Bodies are sent in requests of at most {@code maxRequestBytes}, and a
 * request OpenSearch refuses as a whole (413 and other 4xx) is split in halves down to the single
 * document, so one document can never block the others.
 *
 * <p>This is the collector's one retry loop for OpenSearch writes: the local server's write-ahead
 * log shipper and the Lambda handlers both use it.
 */
public final class BulkWriter {

  private static final Logger log = LoggerFactory.getLogger(BulkWriter.class);

  /** Outcome of one {@link #write} call. */
  public static final class Result {
    private final int indexed;
    private final int rejected;
    private final int retried;
    private final String firstRejection;
    private final int storedAsText;
    private final int deadLettered;
    private final List<String> setAside;

    Result(
        int indexed,
        int rejected,
        int retried,
        String firstRejection,
        int storedAsText,
        int deadLettered,
        List<String> setAside) {
      this.indexed = indexed;
      this.rejected = rejected;
      this.retried = retried;
      this.firstRejection = firstRejection;
      this.storedAsText = storedAsText;
      this.deadLettered = deadLettered;
      this.setAside = setAside;
    }

    /** Documents OpenSearch accepted as they were. */
    public int indexed() {
      return indexed;
    }

    /**
     * Documents OpenSearch refused in their own form (each is then stored as text, dead-lettered or
     * set aside).
     */
    public int rejected() {
      return rejected;
    }

    /**
     * Refused documents stored under their own index and id with the original as text and the
     * reason.
     */
    public int storedAsText() {
      return storedAsText;
    }

    /**
     * Refused documents written to the dead-letter index because even their text form was refused.
     */
    public int deadLettered() {
      return deadLettered;
    }

    /**
     * Documents that could not be written anywhere in OpenSearch, one JSON line each ({@code
     * index}, {@code id}, {@code reason}, {@code document}): the caller keeps them.
     */
    public List<String> setAside() {
      return setAside;
    }

    /** Item retries performed. */
    public int retried() {
      return retried;
    }

    /** The reason of the first rejection, or null. */
    public String firstRejection() {
      return firstRejection;
    }
  }

  /** Thrown when items still fail with a retryable status after every allowed attempt. */
  public static final class RetryableFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    RetryableFailureException(int failedItems, String reason) {
      super(failedItems + " documents still failing: " + reason);
    }
  }

  /**
   * OpenSearch answered a whole {@code _bulk} request with a verdict on the request (413, other
   * 4xx).
   */
  private static final class RequestRefusedException extends IOException {
    private static final long serialVersionUID = 1L;
    final String type;

    RequestRefusedException(String type, String reason) {
      super(reason);
      this.type = type;
    }
  }

  /** One action line and its source line, as a range of a buffer. */
  private record Item(byte[] buffer, int from, int to) {
    int length() {
      return to - from;
    }

    String text() {
      return new String(buffer, from, to - from, StandardCharsets.UTF_8);
    }
  }

  private record Refused(Item item, String type, String reason) {}

  /** What one pass over a list of items did. */
  private static final class Outcome {
    int indexed;
    int retried;
    final List<Refused> refused = new ArrayList<>();
  }

  private final OpenSearchGenericClient client;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final long maxRequestBytes;
  private final String deadLetterIndex;

  /**
   * A writer without a dead-letter index, sending requests of at most 4 MiB.
   *
   * @param maxAttempts attempts per item for retryable item failures (including the first); {@code
   *     0} means until {@code keepTrying} says stop
   */
  public BulkWriter(
      OpenSearchClient client, int maxAttempts, long initialBackoffMillis, long maxBackoffMillis) {
    this(client, maxAttempts, initialBackoffMillis, maxBackoffMillis, 4L * 1024 * 1024, null);
  }

  /**
   * A writer that splits bodies into requests of at most {@code maxRequestBytes} (a single larger
   * document is sent alone) and writes documents whose text form is refused to {@code
   * deadLetterIndex} (null: none).
   */
  public BulkWriter(
      OpenSearchClient client,
      int maxAttempts,
      long initialBackoffMillis,
      long maxBackoffMillis,
      long maxRequestBytes,
      String deadLetterIndex) {
    this.client = client.generic();
    this.maxAttempts = maxAttempts;
    this.initialBackoffMillis = initialBackoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.maxRequestBytes = Math.max(1, maxRequestBytes);
    this.deadLetterIndex = deadLetterIndex;
  }

  /**
   * Writes a {@code _bulk} body of index actions each followed by its source line.
   *
   * @throws IOException when OpenSearch cannot be reached or answers with a server error (callers
   *     retry the whole body, which is idempotent because every action carries its {@code _id})
   */
  public Result write(byte[] body, BooleanSupplier keepTrying)
      throws IOException, InterruptedException {
    if (body.length == 0) {
      return new Result(
          0, 0, 0, null, 0, 0, List.of()); // OpenSearch answers an empty _bulk with 400
    }
    Outcome first = send(items(body), keepTrying);
    if (first.refused.isEmpty()) {
      return new Result(first.indexed, 0, first.retried, null, 0, 0, List.of());
    }
    Refused one = first.refused.get(0);
    String firstRejection = one.type() + ": " + one.reason();
    log.warn(
        "OpenSearch refused {} documents in their own form (first: {}); storing them as text with the reason",
        first.refused.size(),
        firstRejection);

    List<Item> asText = new ArrayList<>();
    for (Refused r : first.refused) {
      asText.add(textForm(r));
    }
    Outcome second = send(asText, keepTrying);
    int deadLettered = 0;
    List<Refused> unwritten = new ArrayList<>();
    if (!second.refused.isEmpty()) {
      // Match each refused text form back to the original document and its first reason.
      List<Refused> originals = originalsOf(second.refused, first.refused, asText);
      if (deadLetterIndex != null) {
        List<Item> letters = new ArrayList<>();
        for (Refused r : originals) {
          letters.add(deadLetter(r));
        }
        Outcome third = send(letters, keepTrying);
        deadLettered = third.indexed;
        unwritten.addAll(originalsOf(third.refused, originals, letters));
        if (deadLettered > 0) {
          log.warn(
              "{} refused documents written to the dead-letter index {}",
              deadLettered,
              deadLetterIndex);
        }
      } else {
        unwritten.addAll(originals);
      }
    }
    List<String> setAside = new ArrayList<>();
    for (Refused r : unwritten) {
      JsonNode action = actionOf(r.item());
      ObjectNode line =
          Json.object()
              .put("setAsideAt", Instant.now().toString())
              .put("index", action.path("_index").asText())
              .put("id", action.path("_id").asText())
              .put("reason", r.type() + ": " + r.reason())
              .put("document", sourceOf(r.item()));
      setAside.add(Json.MAPPER.writeValueAsString(line));
    }
    if (!setAside.isEmpty()) {
      log.error(
          "{} documents could not be written to OpenSearch in any form (first: {}); they are set aside",
          setAside.size(),
          unwritten.get(0).type() + ": " + unwritten.get(0).reason());
    }
    return new Result(
        first.indexed,
        first.refused.size(),
        first.retried + second.retried,
        firstRejection,
        second.indexed,
        deadLettered,
        setAside);
  }

  private static List<Refused> originalsOf(
      List<Refused> refusedAgain, List<Refused> originals, List<Item> sent) {
    List<Refused> out = new ArrayList<>();
    for (Refused again : refusedAgain) {
      int at = indexOfIdentity(sent, again.item());
      Refused original = originals.get(at);
      out.add(
          new Refused(
              original.item(),
              original.type(),
              original.reason() + "; then " + again.type() + ": " + again.reason()));
    }
    return out;
  }

  private static int indexOfIdentity(List<Item> items, Item item) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == item) {
        return i;
      }
    }
    throw new IllegalStateException("refused item not found");
  }

  /**
   * Sends items in requests of at most {@code maxRequestBytes}, splitting any request OpenSearch
   * refuses whole.
   */
  private Outcome send(List<Item> items, BooleanSupplier keepTrying)
      throws IOException, InterruptedException {
    Outcome out = new Outcome();
    Deque<List<Item>> parts = new ArrayDeque<>();
    List<Item> part = new ArrayList<>();
    long bytes = 0;
    for (Item item : items) {
      if (!part.isEmpty() && bytes + item.length() > maxRequestBytes) {
        parts.addLast(part);
        part = new ArrayList<>();
        bytes = 0;
      }
      part.add(item);
      bytes += item.length();
    }
    if (!part.isEmpty()) {
      parts.addLast(part);
    }
    while (!parts.isEmpty()) {
      sendPart(parts.pollFirst(), parts, out, keepTrying);
    }
    return out;
  }

  private void sendPart(
      List<Item> part, Deque<List<Item>> parts, Outcome out, BooleanSupplier keepTrying)
      throws IOException, InterruptedException {
    List<Item> pending = part;
    long backoff = initialBackoffMillis;
    for (int attempt = 1; ; attempt++) {
      JsonNode response;
      try {
        response = post(join(pending));
      } catch (RequestRefusedException e) {
        if (pending.size() > 1) {
          // One document may be the cause (too large, unparsable): halve until it stands alone.
          int half = pending.size() / 2;
          parts.addFirst(new ArrayList<>(pending.subList(half, pending.size())));
          parts.addFirst(new ArrayList<>(pending.subList(0, half)));
        } else {
          out.refused.add(new Refused(pending.get(0), e.type, e.getMessage()));
        }
        return;
      }
      JsonNode results = response.path("items");
      if (!response.path("errors").asBoolean(true)) {
        out.indexed += pending.size();
        return;
      }
      List<Item> retry = new ArrayList<>();
      String retryReason = null;
      for (int i = 0; i < pending.size(); i++) {
        JsonNode item = results.path(i);
        JsonNode op = item.isObject() && item.size() > 0 ? item.elements().next() : item;
        int status = op.path("status").asInt(500);
        if (status < 300 || superseded(status, op)) {
          out.indexed++;
        } else if (status == 429 || status >= 500) {
          retry.add(pending.get(i));
          retryReason = op.path("error").path("type").asText("status " + status);
        } else {
          JsonNode error = op.path("error");
          String reason = error.path("reason").asText("status " + status);
          if (error.path("caused_by").hasNonNull("reason")) {
            reason += " (" + error.path("caused_by").path("reason").asText() + ")";
          }
          out.refused.add(
              new Refused(pending.get(i), error.path("type").asText("status_" + status), reason));
        }
      }
      if (retry.isEmpty()) {
        return;
      }
      out.retried += retry.size();
      if ((maxAttempts > 0 && attempt >= maxAttempts) || !keepTrying.getAsBoolean()) {
        throw new RetryableFailureException(retry.size(), retryReason);
      }
      Thread.sleep(backoff);
      backoff = Math.min(maxBackoffMillis, backoff * 2);
      pending = retry;
    }
  }

  /**
   * A version of a document ({@link DocumentBatch#addVersion}) that came after a later version of
   * it: that one is indexed, which is what this one was sent for.
   */
  private static boolean superseded(int status, JsonNode op) {
    return status == 409
        && "version_conflict_engine_exception".equals(op.path("error").path("type").asText());
  }

  private static byte[] join(List<Item> items) {
    Item first = items.get(0);
    Item last = items.get(items.size() - 1);
    if (first.buffer() == last.buffer()
        && first.from() == 0
        && last.to() == first.buffer().length) {
      boolean contiguous = true;
      for (int i = 1; i < items.size() && contiguous; i++) {
        contiguous =
            items.get(i).buffer() == first.buffer() && items.get(i).from() == items.get(i - 1).to();
      }
      if (contiguous) {
        return first.buffer(); // the common case: the whole body, no copy
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Item item : items) {
      out.write(item.buffer(), item.from(), item.length());
    }
    return out.toByteArray();
  }

  private JsonNode post(byte[] body) throws IOException {
    try {
      return doPost(body);
    } catch (org.opensearch.client.transport.httpclient5.ResponseException e) {
      // The HTTP transport throws for an error status before the caller sees the response.
      int status = e.status();
      String text = e.getMessage() == null ? "" : e.getMessage();
      throw failure(status, text.substring(Math.max(0, text.length() - 300)));
    }
  }

  private static IOException failure(int status, String text) {
    if (status == 413 || (status >= 400 && status < 500 && status != 408 && status != 429)) {
      // A verdict on this request, not an outage: 413 means "too large", never "unreachable".
      return new RequestRefusedException(
          status == 413 ? "request_entity_too_large" : "status_" + status,
          "OpenSearch _bulk answered " + status + ": " + text);
    }
    return new IOException("OpenSearch _bulk answered " + status + ": " + text);
  }

  private JsonNode doPost(byte[] body) throws IOException {
    try (Response response =
        client.execute(
            Requests.builder()
                .method("POST")
                .endpoint("/_bulk")
                // Only what the retry loop reads: a 10,000-item response shrinks from ~1 MB to ~200
                // KB.
                .query(java.util.Map.of("filter_path", "errors,items.*.status,items.*.error"))
                .body(Body.from(body, "application/x-ndjson"))
                .build())) {
      byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
      int status = response.getStatus();
      if (status >= 300) {
        throw failure(
            status, new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.UTF_8));
      }
      return Json.MAPPER.readTree(bytes);
    }
  }

  /**
   * The text form of a refused document: nothing in it can conflict with a mapping the collector
   * owns.
   */
  private static Item textForm(Refused r) throws IOException {
    JsonNode action = actionOf(r.item());
    String source = sourceOf(r.item());
    JsonNode original = null;
    try {
      original = Json.MAPPER.readTree(source);
    } catch (IOException e) {
      // keep the text as it is
    }
    ObjectNode doc = Json.object();
    doc.put("@timestamp", timestampOf(original));
    doc.put("body", source);
    JsonNode cloudwatch =
        original == null ? null : original.path("attributes").path("aws").path("cloudwatch");
    if (cloudwatch != null && cloudwatch.path("log_group").isTextual()) {
      ObjectNode cw = doc.putObject("attributes").putObject("aws").putObject("cloudwatch");
      cw.put("log_group", cloudwatch.path("log_group").asText());
      if (cloudwatch.path("log_stream").isTextual()) {
        cw.put("log_stream", cloudwatch.path("log_stream").asText());
      }
    }
    doc.putObject("trailmark")
        .putObject("rejected")
        .put("type", r.type())
        .put("reason", r.reason());
    return action(action.path("_index").asText(), action.path("_id").asText(), action, doc);
  }

  private Item deadLetter(Refused r) throws IOException {
    JsonNode action = actionOf(r.item());
    String index = action.path("_index").asText();
    String id = action.path("_id").asText();
    ObjectNode doc = Json.object();
    doc.put("@timestamp", Instant.now().toString()).put("index", index).put("id", id);
    doc.putObject("error").put("type", r.type()).put("reason", r.reason());
    doc.put("document", sourceOf(r.item()));
    String letterId = index + "/" + id;
    if (letterId.getBytes(StandardCharsets.UTF_8).length > 512) {
      letterId = Integer.toHexString(index.hashCode()) + "/" + id;
    }
    return action(deadLetterIndex, letterId, null, doc);
  }

  /**
   * The document's own {@code @timestamp} when it is a date; else the CloudWatch event time the
   * collector kept beside it ({@code attributes.aws.cloudwatch.timestamp}); else now.
   */
  static String timestampOf(JsonNode original) {
    if (original != null) {
      JsonNode ts = original.path("@timestamp");
      String parsed =
          ts.isIntegralNumber()
              ? Instant.ofEpochMilli(ts.asLong()).toString()
              : ts.isTextual() ? parseDate(ts.asText()) : null;
      if (parsed != null) {
        return parsed;
      }
      JsonNode event = original.path("attributes").path("aws").path("cloudwatch").path("timestamp");
      if (event.isIntegralNumber()) {
        return Instant.ofEpochMilli(event.asLong()).toString();
      }
    }
    return Instant.now().toString();
  }

  private static String parseDate(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant().toString();
    } catch (RuntimeException e) {
      // next form
    }
    try {
      return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toString();
    } catch (RuntimeException e) {
      // next form
    }
    try {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * One action and its document; the version of {@code versionOf} (an original action), if it has
   * one, is kept, so that the text form of an old version cannot replace a later version either.
   */
  private static Item action(String index, String id, JsonNode versionOf, ObjectNode doc)
      throws IOException {
    ObjectNode action = Json.object();
    ObjectNode meta = action.putObject("index").put("_index", index).put("_id", id);
    if (versionOf != null && versionOf.hasNonNull("version")) {
      meta.set("version", versionOf.get("version"));
      meta.set("version_type", versionOf.get("version_type"));
    }
    byte[] bytes =
        (Json.MAPPER.writeValueAsString(action) + "\n" + Json.MAPPER.writeValueAsString(doc) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    return new Item(bytes, 0, bytes.length);
  }

  private static JsonNode actionOf(Item item) throws IOException {
    int newline = newline(item);
    return Json.MAPPER.readTree(item.buffer(), item.from(), newline - item.from()).path("index");
  }

  private static String sourceOf(Item item) {
    int newline = newline(item);
    int end =
        item.to() > newline + 1 && item.buffer()[item.to() - 1] == '\n' ? item.to() - 1 : item.to();
    return new String(item.buffer(), newline + 1, end - newline - 1, StandardCharsets.UTF_8);
  }

  private static int newline(Item item) {
    for (int i = item.from(); i < item.to(); i++) {
      if (item.buffer()[i] == '\n') {
        return i;
      }
    }
    return item.to();
  }

  private static List<Item> items(byte[] body) {
    List<Item> items = new ArrayList<>();
    for (int[] span : itemOffsets(body)) {
      items.add(new Item(body, span[0], span[1]));
    }
    return items;
  }

  /** Start and end offsets of each action+source pair (two lines per item). */
  static List<int[]> itemOffsets(byte[] body) {
    List<int[]> items = new ArrayList<>();
    int start = 0;
    int lines = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\n') {
        lines++;
        if (lines % 2 == 0) {
          items.add(new int[] {start, i + 1});
          start = i + 1;
        }
      }
    }
    return items;
  }
}
