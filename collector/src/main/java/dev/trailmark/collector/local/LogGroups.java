package dev.trailmark.collector.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The log groups and streams the local CloudWatch Logs knows, kept in the state directory across
 * restarts.
 */
final class LogGroups {

  /** One log group. */
  static final class Group {
    final String name;
    final long creationTime;
    volatile Integer retentionInDays;
    final ConcurrentSkipListMap<String, Stream> streams = new ConcurrentSkipListMap<>();

    Group(String name, long creationTime, Integer retentionInDays) {
      this.name = name;
      this.creationTime = creationTime;
      this.retentionInDays = retentionInDays;
    }
  }

  /** One log stream, with the event times AWS reports in DescribeLogStreams. */
  static final class Stream {
    final String name;
    final long creationTime;
    Long firstEventTimestamp;
    Long lastEventTimestamp;
    Long lastIngestionTime;
    long storedBytes;

    Stream(String name, long creationTime) {
      this.name = name;
      this.creationTime = creationTime;
    }

    synchronized void recordEvents(long first, long last, long ingestion, long bytes) {
      firstEventTimestamp =
          firstEventTimestamp == null ? first : Math.min(firstEventTimestamp, first);
      lastEventTimestamp = lastEventTimestamp == null ? last : Math.max(lastEventTimestamp, last);
      lastIngestionTime = ingestion;
      storedBytes += bytes;
    }
  }

  private final Path file;
  private final ConcurrentSkipListMap<String, Group> groups = new ConcurrentSkipListMap<>();

  LogGroups(Path stateDir) throws IOException {
    this.file = stateDir.resolve("log-groups.json");
    dev.trailmark.collector.internal.sink.PrivateFiles.restrict(file);
    if (Files.exists(file)) {
      for (JsonNode g : Json.MAPPER.readTree(file.toFile())) {
        Group group =
            new Group(
                g.path("name").asText(),
                g.path("creationTime").asLong(),
                g.hasNonNull("retentionInDays") ? g.get("retentionInDays").asInt() : null);
        for (JsonNode s : g.path("streams")) {
          Stream stream = new Stream(s.path("name").asText(), s.path("creationTime").asLong());
          if (s.hasNonNull("firstEventTimestamp")) {
            stream.recordEvents(
                s.get("firstEventTimestamp").asLong(),
                s.get("lastEventTimestamp").asLong(),
                s.path("lastIngestionTime").asLong(),
                s.path("storedBytes").asLong());
          }
          group.streams.put(stream.name, stream);
        }
        groups.put(group.name, group);
      }
    }
  }

  Group get(String name) {
    return groups.get(name);
  }

  /** Creates a group; false when it already exists. */
  boolean create(String name, long now) {
    boolean created = groups.putIfAbsent(name, new Group(name, now, null)) == null;
    if (created) {
      save();
    }
    return created;
  }

  boolean delete(String name) {
    boolean deleted = groups.remove(name) != null;
    if (deleted) {
      save();
    }
    return deleted;
  }

  List<Group> withPrefix(String prefix) {
    List<Group> out = new ArrayList<>();
    for (Group g : (prefix == null ? groups : groups.tailMap(prefix)).values()) {
      if (prefix != null && !g.name.startsWith(prefix)) {
        break;
      }
      out.add(g);
    }
    return out;
  }

  /** Writes the registry atomically (creations, deletions, retention; stream event times too). */
  synchronized void save() {
    ArrayNode all = Json.MAPPER.createArrayNode();
    for (Group g : groups.values()) {
      ObjectNode n = all.addObject().put("name", g.name).put("creationTime", g.creationTime);
      if (g.retentionInDays != null) {
        n.put("retentionInDays", g.retentionInDays);
      }
      ArrayNode streams = n.putArray("streams");
      for (Stream s : g.streams.values()) {
        ObjectNode sn = streams.addObject().put("name", s.name).put("creationTime", s.creationTime);
        synchronized (s) {
          if (s.firstEventTimestamp != null) {
            sn.put("firstEventTimestamp", s.firstEventTimestamp)
                .put("lastEventTimestamp", s.lastEventTimestamp)
                .put("lastIngestionTime", s.lastIngestionTime)
                .put("storedBytes", s.storedBytes);
          }
        }
      }
    }
    try {
      // Forced to disk before the rename: a group the client was told exists survives a power cut.
      dev.trailmark.collector.internal.sink.PrivateFiles.writeAtomically(
          file, Json.MAPPER.writeValueAsBytes(all));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
