package dev.trailmark.collector.internal.sink;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Documents bound for OpenSearch, already in {@code _bulk} form (one action line and one source
 * line each).
 *
 * <p>Every document gets its id here, before it reaches the write-ahead log, so replaying the log
 * after a crash overwrites instead of duplicating.
 */
public final class DocumentBatch {

  private static final String ID_PREFIX = newIdPrefix();
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** The log shipper's stable event id (SS4O {@code attributes."log.record.uid"}). */
  private static final String RECORD_UID = "log.record.uid";

  private static final String RECORD_UID_KEY = "\"" + RECORD_UID + "\":\"";
  private static final String RECORD_ID_PREFIX = "r-";

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
  private int count;

  /**
   * Appends one document to be indexed into {@code index}; returns its document id. A log document
   * that carries the shipper's stable event id ({@code attributes."log.record.uid"}) is indexed
   * under an id made of it and a hash of the document, so that an event a client sends again after
   * a crash (at-least-once) replaces itself.
   */
  public String add(String index, JsonNode document) {
    JsonNode uid = document.path("attributes").path(RECORD_UID);
    String id =
        uid.isTextual() && isPlainId(uid.asText())
            ? recordId(uid.asText(), document.toString())
            : ID_PREFIX + Long.toString(SEQUENCE.incrementAndGet(), 36);
    return add(index, id, document);
  }

  /**
   * Appends one document with a caller-chosen id (a later document with the same id replaces it).
   */
  public String add(String index, String id, JsonNode document) {
    return write(index, id, 0, document);
  }

  /**
   * Appends one version of a document that later versions replace, whatever order they reach
   * OpenSearch in: it keeps the highest {@code version} ({@code external_gte}), so an earlier
   * version indexed late (by a concurrent bulk request, a retried one, or a replayed log) is
   * refused as a version conflict instead of overwriting a later one.
   *
   * @param version positive, higher for each later version of the document
   */
  public String addVersion(String index, String id, long version, JsonNode document) {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be positive: " + version);
    }
    return write(index, id, version, document);
  }

  private String write(String index, String id, long version, JsonNode document) {
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.setRootValueSeparator(null); // no space between the action and the source line
      g.writeStartObject();
      g.writeObjectFieldStart("index");
      g.writeStringField("_index", index);
      g.writeStringField("_id", id);
      if (version > 0) {
        g.writeNumberField("version", version);
        g.writeStringField("version_type", "external_gte");
      }
      g.writeEndObject();
      g.writeEndObject();
      g.writeRaw('\n');
      g.writeTree(document);
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    count++;
    return id;
  }

  /**
   * Appends the log document of one CloudWatch Logs event (see {@link
   * dev.trailmark.collector.internal.mapping.LogDocuments#write}).
   */
  public String addLogEvent(
      String index, String logGroup, String logStream, long timestamp, String message) {
    String uid = recordUid(message);
    String id =
        uid != null
            ? recordId(uid, message)
            : ID_PREFIX + Long.toString(SEQUENCE.incrementAndGet(), 36);
    try {
      bytes.write(
          ("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"" + id + "\"}}\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      dev.trailmark.collector.internal.mapping.LogDocuments.write(
          bytes, logGroup, logStream, timestamp, message);
      bytes.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    count++;
    return id;
  }

  /**
   * {@code r-<uid>-<hash of the event>}: the same event sent again replaces itself, while different
   * events that carry one uid (a client may set the field to anything) each keep their own
   * document.
   */
  static String recordId(String uid, String event) {
    long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits
    for (int i = 0; i < event.length(); i++) {
      h ^= event.charAt(i);
      h *= 0x100000001b3L;
    }
    return RECORD_ID_PREFIX + uid + "-" + Long.toHexString(h);
  }

  /**
   * The shipper's stable event id in a JSON log line, found without parsing the line; null when
   * absent.
   */
  static String recordUid(String message) {
    int at = message.indexOf(RECORD_UID_KEY);
    if (at < 0 || message.isEmpty() || message.charAt(0) != '{') {
      return null;
    }
    int start = at + RECORD_UID_KEY.length();
    int end = message.indexOf('"', start);
    if (end < 0) {
      return null;
    }
    String uid = message.substring(start, end);
    return isPlainId(uid) ? uid : null;
  }

  /** Ids are used as given only when short and made of plain characters (no escapes to undo). */
  private static boolean isPlainId(String id) {
    if (id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '-'
          || c == '_'
          || c == '.')) {
        return false;
      }
    }
    return true;
  }

  /** Number of documents. */
  public int size() {
    return count;
  }

  /** Size of the {@code _bulk} body in bytes. */
  public int byteSize() {
    return bytes.size();
  }

  /** The {@code _bulk} request body (newline-delimited JSON). */
  public byte[] toBulkBody() {
    return bytes.toByteArray();
  }

  private static String newIdPrefix() {
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    StringBuilder s = new StringBuilder();
    for (byte b : random) {
      s.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return s.append('-').toString();
  }
}
