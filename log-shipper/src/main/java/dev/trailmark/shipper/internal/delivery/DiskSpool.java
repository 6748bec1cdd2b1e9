package dev.trailmark.shipper.internal.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A durable buffer: events are appended to memory-mapped segment files, so they survive a kill -9
 * of the JVM as soon as {@link #append} returns (the kernel holds the written pages), and survive a
 * crash of the machine once forced to disk by the {@link FsyncPolicy}.
 *
 * <p>Layout of {@code dir}: {@code seg-<n>.log} files of a fixed size holding records {@code [int
 * length][int crc32c][long timestamp][payload]}, a zero length marking the end of the data; and
 * {@code ack}, the position of the first event not yet acknowledged by the destination. A record
 * torn by a crash fails its checksum and ends the segment. After a restart every event from the ack
 * position on is sent again: delivery is at least once, and the encoder's event id lets a reader
 * drop the duplicates.
 */
final class DiskSpool implements EventBuffer {
  static final int HEADER = 16;

  private final Path dir;
  private final long maxBytes;
  private final int segmentBytes;
  private final FsyncPolicy fsync;
  private final FileChannel ackChannel;
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer ackBuf = ByteBuffer.allocate(12);
  private final Thread syncer;

  private volatile Segment write; // read by the fsync thread
  private Segment readSeg;
  private int readPos;
  private long ackSeg;
  private int ackPos;
  private long unreadCount;
  private long unreadBytes;
  private volatile boolean closed;

  private static final class Segment {
    final long id;
    final Path path;
    final FileChannel channel;
    final MappedByteBuffer map;
    final ByteBuffer view; // reused to checksum a record in place: no buffer allocated per event
    int end; // write position: first byte after the last valid record
    long records; // valid records in the segment
    long readRecords; // records before the reader's position, when the reader is in this segment

    Segment(long id, Path path, FileChannel channel, MappedByteBuffer map) {
      this.id = id;
      this.path = path;
      this.channel = channel;
      this.map = map;
      this.view = map.duplicate();
    }
  }

  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final java.util.Set<StandardOpenOption> OPEN =
      java.util.Set.of(
          StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

  private static java.nio.file.attribute.FileAttribute<?>[] privateFile() {
    return POSIX
        ? new java.nio.file.attribute.FileAttribute<?>[] {
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))
        }
        : new java.nio.file.attribute.FileAttribute<?>[0];
  }

  private static void restrict(Path file) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
  }

  private DiskSpool(
      Path dir, long maxBytes, int segmentBytes, FsyncPolicy fsync, long fsyncIntervalMillis)
      throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    Files.createDirectories(dir);
    if (POSIX) {
      // The spool holds every event the application logged: no other account of the machine may
      // read it.
      Files.setPosixFilePermissions(
          dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    ackChannel = FileChannel.open(dir.resolve("ack"), OPEN, privateFile());
    try {
      lockOrFail(ackChannel, dir);
      restrict(dir.resolve("ack"));
      recover();
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      throw e;
    }
    if (fsync == FsyncPolicy.INTERVAL) {
      syncer = new Thread(() -> syncLoop(fsyncIntervalMillis), "trailmark-spool-fsync");
      syncer.setDaemon(true);
      syncer.start();
    } else {
      syncer = null;
    }
  }

  /**
   * Two writers in one directory would interleave records and delete each other's acknowledged
   * segments: the first to open the spool holds an exclusive lock on its {@code ack} file (released
   * by {@link #close} or by the process's end, kill -9 included), and any other appender or JVM
   * gets a clear error instead.
   */
  private static void lockOrFail(FileChannel ack, Path dir) throws IOException {
    FileLock lock;
    try {
      lock = ack.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      lock = null;
    }
    if (lock == null) {
      throw new IOException(
          "spool directory "
              + dir.toAbsolutePath()
              + " is in use by another appender or"
              + " process; give each appender, and each JVM, a spoolDir of its own");
    }
  }

  private void closeQuietly() {
    for (Segment s : segments.values()) {
      try {
        s.channel.close();
      } catch (IOException ignored) {
        // closing after a failed open: the first error is the one to report
      }
    }
    try {
      ackChannel.close();
    } catch (IOException ignored) {
      // as above
    }
  }

  /**
   * Opens (recovering) or creates the spool in {@code dir}; fails when another writer has it open.
   */
  static DiskSpool open(
      Path dir, long maxBytes, long segmentBytes, FsyncPolicy fsync, long fsyncIntervalMillis)
      throws IOException {
    if (segmentBytes < 2L * 1024 * 1024 || segmentBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("spool segment size must be between 2 MiB and 2 GiB");
    }
    if (maxBytes < 2 * segmentBytes) {
      throw new IllegalArgumentException(
          "spool size must hold at least two segments of " + segmentBytes + " bytes");
    }
    return new DiskSpool(dir, maxBytes, (int) segmentBytes, fsync, fsyncIntervalMillis);
  }

  private void recover() throws IOException {
    ByteBuffer a = ByteBuffer.allocate(12);
    if (ackChannel.read(a, 0) == 12) {
      a.flip();
      ackSeg = a.getLong();
      ackPos = a.getInt();
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith("seg-") && n.endsWith(".log")) {
          long id = Long.parseLong(n.substring(4, n.length() - 4));
          if (id < ackSeg) {
            Files.deleteIfExists(p); // fully acknowledged before the crash
            continue;
          }
          Segment s = map(id, p);
          scan(s);
          segments.put(id, s);
        }
      }
    }
    if (segments.isEmpty()) {
      write = newSegment(Math.max(ackSeg, 0));
      ackSeg = write.id;
      ackPos = 0;
    } else {
      write = segments.lastEntry().getValue();
      if (segments.firstKey() > ackSeg) {
        ackSeg = segments.firstKey();
        ackPos = 0;
      }
    }
    readSeg = segments.get(ackSeg);
    if (readSeg == null) {
      readSeg = segments.firstEntry().getValue();
      ackSeg = readSeg.id;
      ackPos = 0;
    }
    readPos = Math.min(ackPos, readSeg.end);
    // count what is left to send
    long before = countRecords(readSeg, 0, readPos);
    readSeg.readRecords = before;
    for (Segment s : segments.values()) {
      if (s.id == readSeg.id) {
        unreadCount += s.records - before;
        unreadBytes += s.end - readPos;
      } else if (s.id > readSeg.id) {
        unreadCount += s.records;
        unreadBytes += s.end;
      }
    }
  }

  private long countRecords(Segment s, int from, int to) {
    long n = 0;
    int pos = from;
    while (pos < to) {
      pos += HEADER + s.map.getInt(pos);
      n++;
    }
    return n;
  }

  /** Finds the end of the valid records of a segment. */
  private void scan(Segment s) {
    int pos = 0;
    long n = 0;
    while (pos + HEADER <= segmentBytes) {
      int len = s.map.getInt(pos);
      if (len <= 0 || pos + HEADER + len > segmentBytes) {
        break;
      }
      int sum = s.map.getInt(pos + 4);
      crc.reset();
      ByteBuffer body = s.map.duplicate();
      body.position(pos + 8).limit(pos + HEADER + len);
      crc.update(body);
      if ((int) crc.getValue() != sum) {
        break; // torn by a crash mid-write: nothing after it was acknowledged to the caller
      }
      pos += HEADER + len;
      n++;
    }
    s.end = pos;
    s.records = n;
  }

  private Segment map(long id, Path p) throws IOException {
    FileChannel ch = FileChannel.open(p, OPEN, privateFile());
    restrict(p); // segments written by earlier versions were 0644
    MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
    return new Segment(id, p, ch, m);
  }

  private Segment newSegment(long id) throws IOException {
    Path p = dir.resolve(String.format("seg-%020d.log", id));
    Files.deleteIfExists(p); // a leftover from a crash before its first record: start clean
    Segment s = map(id, p);
    segments.put(id, s);
    return s;
  }

  @Override
  public boolean append(long timestamp, byte[] bytes, int off, int len) throws IOException {
    if (HEADER + len > segmentBytes) {
      return false;
    }
    if (write.end + HEADER + len > segmentBytes) {
      if ((long) (segments.size() + 1) * segmentBytes > maxBytes) {
        return false;
      }
      if (fsync != FsyncPolicy.NEVER) {
        write.map.force(); // seal the full segment on disk
      }
      write = newSegment(write.id + 1);
    }
    MappedByteBuffer m = write.map;
    int pos = write.end;
    m.putLong(pos + 8, timestamp);
    m.put(pos + HEADER, bytes, off, len);
    crc.reset();
    ByteBuffer body = write.view;
    body.limit(pos + HEADER + len).position(pos + 8);
    crc.update(body);
    m.putInt(pos + 4, (int) crc.getValue());
    m.putInt(pos, len); // written last: a reader never sees a length before its record
    write.end = pos + HEADER + len;
    write.records++;
    unreadCount++;
    unreadBytes += HEADER + len;
    if (fsync == FsyncPolicy.ALWAYS) {
      m.force(pos, HEADER + len);
    }
    return true;
  }

  @Override
  public void read(List<Event> out, int maxEvents, long maxBytes) {
    long bytes = 0;
    while (out.size() < maxEvents) {
      if (readPos >= readSeg.end) {
        Map.Entry<Long, Segment> next = segments.higherEntry(readSeg.id);
        if (next == null || readSeg == write) {
          break;
        }
        readSeg = next.getValue();
        readPos = 0;
        readSeg.readRecords = 0;
        continue;
      }
      int len = readSeg.map.getInt(readPos);
      if (!out.isEmpty() && bytes + HEADER + len > maxBytes) {
        break;
      }
      long ts = readSeg.map.getLong(readPos + 8);
      byte[] payload = new byte[len];
      readSeg.map.get(readPos + HEADER, payload);
      out.add(new Event(ts, payload));
      readPos += HEADER + len;
      readSeg.readRecords++;
      bytes += HEADER + len;
      unreadCount--;
      unreadBytes -= HEADER + len;
    }
  }

  @Override
  public void commit() throws IOException {
    // Acknowledge up to the reader; delete the segments left behind.
    while (segments.firstKey() < readSeg.id) {
      Segment done = segments.pollFirstEntry().getValue();
      done.channel.close();
      Files.deleteIfExists(done.path);
    }
    ackSeg = readSeg.id;
    ackPos = readPos;
    ackBuf.clear();
    ackBuf.putLong(ackSeg).putInt(ackPos).flip();
    ackChannel.write(ackBuf, 0);
    if (fsync == FsyncPolicy.ALWAYS) {
      ackChannel.force(false);
    }
  }

  @Override
  public int dropOldest() throws IOException {
    boolean nothingInFlight = ackSeg == readSeg.id && ackPos == readPos;
    if (nothingInFlight && readSeg != write) {
      // skip the rest of the reader's segment and free it at once
      long skipped = readSeg.records - readSeg.readRecords;
      unreadCount -= skipped;
      unreadBytes -= readSeg.end - readPos;
      readSeg = segments.higherEntry(readSeg.id).getValue();
      readPos = 0;
      readSeg.readRecords = 0;
      commit();
      return (int) skipped;
    }
    // events in flight pin the reader's segment: drop the oldest segment wholly unread instead
    Map.Entry<Long, Segment> victim = segments.higherEntry(readSeg.id);
    if (victim == null || victim.getValue() == write) {
      return 0;
    }
    Segment s = victim.getValue();
    segments.remove(s.id);
    s.channel.close();
    Files.deleteIfExists(s.path);
    unreadCount -= s.records;
    unreadBytes -= s.end;
    return (int) s.records;
  }

  @Override
  public long unreadCount() {
    return unreadCount;
  }

  @Override
  public long unreadBytes() {
    return unreadBytes;
  }

  @Override
  public long usedBytes() {
    long used = 0;
    for (Segment s : segments.values()) {
      used += s.end;
    }
    Segment first = segments.get(ackSeg);
    return first == null ? used : used - ackPos;
  }

  @Override
  public long capacityBytes() {
    return maxBytes;
  }

  @Override
  public boolean durable() {
    return true;
  }

  /** Forces the written events to disk. */
  void sync() throws IOException {
    Segment w = write;
    if (w != null && !closed) {
      w.map.force();
      ackChannel.force(false);
    }
  }

  private void syncLoop(long intervalMillis) {
    while (!closed) {
      try {
        TimeUnit.MILLISECONDS.sleep(intervalMillis);
        sync();
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // the next round tries again; the data stays in the page cache meanwhile
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (syncer != null) {
      syncer.interrupt();
    }
    if (fsync != FsyncPolicy.NEVER) {
      for (Segment s : segments.values()) {
        s.map.force();
      }
      ackChannel.force(false);
    }
    for (Segment s : segments.values()) {
      s.channel.close();
    }
    ackChannel.close();
  }
}
