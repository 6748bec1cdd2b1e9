package dev.trailmark.shipper.file;

import dev.trailmark.shipper.DeliveryStats;
import dev.trailmark.shipper.internal.delivery.DeliveryEngine;
import dev.trailmark.shipper.internal.json.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Tails files matching glob patterns into a delivery engine. A file is followed by inode through
 * rename rotation (the old file is read to its end) and restarted from the top after copytruncate.
 * Offsets are checkpointed only after the engine has flushed, so after a restart nothing
 * acknowledged is sent again and nothing unacknowledged is lost.
 */
final class FileShipper implements AutoCloseable {
  /** Immutable settings of a file shipper. */
  record Config(
      List<String> patterns,
      String name,
      Path stateDir,
      String format,
      boolean joinStackTraces,
      String serviceName,
      Duration poll,
      Duration flushTimeout,
      boolean once) {}

  private static final long READ_BUDGET = 4L * 1024 * 1024;

  private final Config config;
  private final DeliveryEngine engine;
  private final Checkpoints checkpoints;
  private final Map<String, TailedFile> files = new LinkedHashMap<>();
  private final Map<String, Checkpoints.Entry> saved;
  private final JsonWriter json = new JsonWriter(4096);
  private final byte[] hostName;
  private volatile boolean running = true;
  private long offeredSinceCheckpoint;
  private long lastStatusNanos;
  private String lastError;
  private ShipReporter reporter;

  FileShipper(Config config, DeliveryEngine engine) throws IOException {
    this.config = config;
    this.engine = engine;
    Files.createDirectories(config.stateDir());
    this.checkpoints = new Checkpoints(config.stateDir().resolve("checkpoints.tsv"));
    this.saved = checkpoints.load();
    String host = System.getenv("HOSTNAME");
    if (host == null) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
    }
    hostName = host.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs until {@link #stop()} (or, with {@code once}, until every file is read to its end). */
  void run() throws IOException, InterruptedException {
    resumeRotatedWhileDown();
    while (running) {
      long read = pollOnce();
      boolean idle = read == 0;
      for (TailedFile f : files.values()) {
        f.flushQuiet(this::offer, config.poll().toNanos(), config.once() && idle);
      }
      if (offeredSinceCheckpoint > 0 && (idle || offeredSinceCheckpoint >= 50_000)) {
        checkpoint();
      }
      dropFinished();
      writeStatusIfDue(false);
      if (config.once() && idle && offeredSinceCheckpoint == 0) {
        break;
      }
      if (idle) {
        Thread.sleep(config.poll().toMillis());
      }
    }
    for (TailedFile f : files.values()) {
      f.flushQuiet(this::offer, 0, true);
    }
    checkpoint();
    writeStatusIfDue(true);
  }

  void stop() {
    running = false;
  }

  /**
   * Sends state changes and progress to {@code reporter} (the command line's voice); none by
   * default.
   */
  FileShipper reporter(ShipReporter reporter) {
    this.reporter = reporter;
    return this;
  }

  private void followed(TailedFile f, long offset) {
    if (reporter != null) {
      reporter.following(f.path.toString(), offset);
    }
  }

  /** Reads new data from every matching file; returns bytes read. */
  private long pollOnce() throws IOException {
    Map<String, Path> current = discover();
    // files whose path now names another inode (renamed away) or nothing: drain, then drop
    for (TailedFile f : files.values()) {
      if (!current.containsKey(f.key)) {
        f.gone = true;
      }
    }
    for (Map.Entry<String, Path> e : current.entrySet()) {
      TailedFile f = files.get(e.getKey());
      if (f == null) {
        Checkpoints.Entry cp = saved.get(e.getKey());
        long offset = cp != null ? cp.offset() : 0;
        try {
          if (offset > Files.size(e.getValue())) {
            offset = 0; // truncated while we were down
          }
          TailedFile added =
              new TailedFile(e.getKey(), e.getValue(), offset, config.joinStackTraces());
          files.put(e.getKey(), added);
          followed(added, offset);
        } catch (NoSuchFileException gone) {
          continue;
        }
      } else {
        f.path = e.getValue();
        f.gone = false;
      }
    }
    long read = 0;
    for (TailedFile f : files.values()) {
      read += f.poll(this::offer, READ_BUDGET);
    }
    return read;
  }

  /**
   * After a restart, a file checkpointed under a path that now names another inode was rotated
   * while we were down: find it by inode beside its old path and read the rest of it first.
   */
  private void resumeRotatedWhileDown() throws IOException {
    for (Checkpoints.Entry cp : saved.values()) {
      Path dir = Path.of(cp.path()).toAbsolutePath().getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isRegularFile(p) && cp.key().equals(key(p)) && !files.containsKey(cp.key())) {
            TailedFile f =
                new TailedFile(
                    cp.key(), p, Math.min(cp.offset(), Files.size(p)), config.joinStackTraces());
            files.put(cp.key(), f);
            followed(f, f.checkpointOffset());
          }
        }
      }
    }
  }

  private void dropFinished() throws IOException {
    List<String> done = new ArrayList<>();
    for (TailedFile f : files.values()) {
      if (f.gone && offeredSinceCheckpoint == 0 && f.checkpointOffset() >= f.size()) {
        done.add(f.key);
      }
    }
    for (String k : done) {
      files.remove(k).close();
      saved.remove(k); // its inode may be reused by a new file, which must start at 0
    }
  }

  private void offer(TailedFile file, byte[] b, int off, int len, long start) {
    long now = System.currentTimeMillis();
    if (isJson(b, off, len)) {
      // decode and re-encode only when needed would save little; String replaces invalid UTF-8
      String s = new String(b, off, len, StandardCharsets.UTF_8);
      byte[] clean = s.getBytes(StandardCharsets.UTF_8);
      engine.offer(now, clean, 0, clean.length);
    } else {
      String body = new String(b, off, len, StandardCharsets.UTF_8);
      JsonWriter w = json.reset();
      w.beginObject();
      w.name("@timestamp").value(Instant.ofEpochMilli(now).toString());
      w.name("body").value(body);
      w.name("attributes").beginObject();
      w.name("log.file.path").value(file.path.toString());
      w.name("log.record.uid").beginString();
      w.writeEscaped(file.key, 0, file.key.length());
      w.writeByte(':');
      w.writeLong(start);
      w.endString();
      w.endObject();
      w.name("resource").beginObject();
      if (config.serviceName() != null) {
        w.name("service").beginObject().name("name").value(config.serviceName()).endObject();
      }
      w.name("host").beginObject().name("name");
      w.beginString();
      w.writeBytes(hostName, 0, hostName.length);
      w.endString();
      w.endObject();
      w.endObject();
      w.endObject();
      engine.offer(now, w.buffer(), 0, w.size());
    }
    offeredSinceCheckpoint++;
  }

  private boolean isJson(byte[] b, int off, int len) {
    if ("plain".equals(config.format())) {
      return false;
    }
    if ("json".equals(config.format())) {
      return true;
    }
    int s = off;
    int e = off + len - 1;
    while (s <= e && (b[s] == ' ' || b[s] == '\t')) {
      s++;
    }
    while (e >= s && (b[e] == ' ' || b[e] == '\t')) {
      e--;
    }
    return s < e && b[s] == '{' && b[e] == '}';
  }

  /** Waits until the engine acknowledged everything offered, then records the offsets durably. */
  private void checkpoint() throws IOException {
    List<Checkpoints.Entry> entries = new ArrayList<>();
    for (TailedFile f : files.values()) {
      entries.add(new Checkpoints.Entry(f.key, f.checkpointOffset(), f.path.toString()));
    }
    if (offeredSinceCheckpoint > 0) {
      while (!engine.flush(config.flushTimeout())) {
        lastError =
            "destination has not acknowledged for "
                + config.flushTimeout().toSeconds()
                + " s; retrying";
        writeStatusIfDue(true);
        if (!running) {
          // asked to stop while the destination is away: keep the old checkpoint, the next start
          // re-reads
          return;
        }
      }
      lastError = null;
    }
    checkpoints.save(entries);
    for (Checkpoints.Entry e : entries) {
      saved.put(e.key(), e);
    }
    offeredSinceCheckpoint = 0;
  }

  private Map<String, Path> discover() throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    for (String pattern : config.patterns()) {
      Path base = baseOf(pattern);
      if (!Files.isDirectory(base)) {
        if (Files.isRegularFile(base)) {
          String k = key(base);
          if (k != null) {
            out.put(k, base);
          }
        }
        continue;
      }
      PathMatcher m =
          FileSystems.getDefault().getPathMatcher("glob:" + Path.of(pattern).toAbsolutePath());
      int depth =
          pattern.contains("**")
              ? Integer.MAX_VALUE
              : Path.of(pattern).toAbsolutePath().getNameCount()
                  - base.toAbsolutePath().getNameCount();
      try (Stream<Path> s = Files.walk(base, Math.max(1, depth))) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (m.matches(p.toAbsolutePath()) && Files.isRegularFile(p)) {
            String k = key(p);
            if (k != null) {
              out.put(k, p);
            }
          }
        }
      } catch (java.io.UncheckedIOException e) {
        // a file vanished while listing: the next poll sees the new state
      }
    }
    return out;
  }

  /** The directory before the first glob character of {@code pattern}. */
  static Path baseOf(String pattern) {
    Path p = Path.of(pattern).toAbsolutePath();
    Path base = p.getRoot();
    for (Path part : p) {
      String s = part.toString();
      if (s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{")) {
        break;
      }
      base = base.resolve(s);
    }
    return base;
  }

  /** A stable identity of the file (device and inode), or null when it vanished. */
  static String key(Path p) {
    try {
      Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
      return k == null ? p.toAbsolutePath().toString() : k.toString().replace('\t', ' ');
    } catch (IOException e) {
      return null;
    }
  }

  /** Writes status.json about every two seconds (and on demand), atomically. */
  private void writeStatusIfDue(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastStatusNanos < 2_000_000_000L) {
      return;
    }
    lastStatusNanos = now;
    DeliveryStats s = engine.stats();
    if (reporter != null) {
      List<ShipReporter.FileLag> lags = new ArrayList<>(files.size());
      for (TailedFile f : files.values()) {
        long behind;
        try {
          // behind = not yet acknowledged: read into the engine but unsent still counts
          behind = f.size() - (saved.containsKey(f.key) ? saved.get(f.key).offset() : 0);
        } catch (IOException e) {
          behind = 0;
        }
        lags.add(new ShipReporter.FileLag(f.path.toString(), behind));
      }
      reporter.tick(s, lags, now);
    }
    JsonWriter w = new JsonWriter(1024);
    w.beginObject();
    w.name("name").value(config.name());
    w.name("destination").value(engine.destinationName());
    w.name("pid").value(ProcessHandle.current().pid());
    w.name("updatedAt").value(Instant.now().toString());
    w.name("running").value(running);
    w.name("queued").value(s.queuedEvents());
    w.name("accepted").value(s.accepted());
    w.name("sent").value(s.sent());
    w.name("retried").value(s.retried());
    w.name("dropped").value(s.dropped());
    w.name("rejected").value(s.rejected());
    w.name("bufferedBytes").value(s.bufferedBytes());
    w.name("spooledBytes").value(s.spooledBytes());
    w.name("lastBatchMillis").value(s.lastBatchNanos() / 1_000_000);
    w.name("lastError").value(lastError);
    w.name("files").beginArray();
    for (TailedFile f : files.values()) {
      w.beginObject();
      w.name("path").value(f.path.toString());
      w.name("checkpoint").value(saved.containsKey(f.key) ? saved.get(f.key).offset() : 0);
      try {
        w.name("size").value(f.size());
      } catch (IOException e) {
        w.name("size").value(-1);
      }
      w.endObject();
    }
    w.endArray();
    w.endObject();
    w.writeByte('\n');
    try {
      Path tmp = config.stateDir().resolve("status.json.tmp");
      Files.write(tmp, w.toByteArray());
      Files.move(
          tmp,
          config.stateDir().resolve("status.json"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // status is informational; shipping goes on
    }
  }

  /**
   * Closes the files and the engine (sending what is left within 10 s); true when everything was
   * sent.
   */
  boolean closeAll() throws IOException {
    close();
    return engine.close(Duration.ofSeconds(10));
  }

  /** Closes the files; the engine stays open. */
  @Override
  public void close() throws IOException {
    for (TailedFile f : files.values()) {
      f.close();
    }
    files.clear();
  }
}
