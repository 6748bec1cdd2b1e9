package dev.trailmark.collector.internal.sink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's write-ahead log: accepted {@code _bulk} bodies are appended and forced to disk
 * before the client is answered, and removed only after OpenSearch indexed them.
 *
 * <p>Segments are files {@code <seq>.wal} of records {@code [length][crc32][payload]}; a {@code
 * checkpoint} file holds the position up to which everything is indexed. A torn record at the tail
 * (a crash mid-write, never acknowledged) is cut off on open.
 */
final class WriteAheadLog implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
  private static final int HEADER = 8;

  /** A position in the log: segment sequence number and byte offset in it. */
  record Position(long segment, long offset) {}

  /** Records read for shipping, concatenated, and the position just past them. */
  record Chunk(byte[] payload, int records, Position end, long bytes) {}

  private final Path dir;
  private final FileChannel lockChannel;
  private final java.nio.channels.FileLock lock;
  private final long segmentBytes;
  private final TreeMap<Long, Long> segmentSizes = new TreeMap<>();
  private FileChannel writer;
  private long writeSegment;
  private long writeOffset;
  private Position readPosition;
  private long backlogBytes;
  private long appendedTotal;
  private final Object syncLock = new Object();
  private long syncedTotal;
  private boolean closed;

  WriteAheadLog(Path dir, long segmentBytes) throws IOException {
    this.dir = PrivateFiles.createDirectories(dir);
    this.segmentBytes = segmentBytes;
    // Two collectors sharing one log would interleave and delete each other's records: refuse the
    // second.
    this.lockChannel =
        FileChannel.open(
            dir.resolve("lock"),
            java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PrivateFiles.fileAttribute());
    java.nio.channels.FileLock acquired;
    try {
      acquired = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      acquired = null;
    }
    if (acquired == null) {
      lockChannel.close();
      throw new IOException(
          "the write-ahead log in "
              + dir
              + " is in use by another collector; give each collector "
              + "its own state directory");
    }
    this.lock = acquired;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        PrivateFiles.restrict(p); // logs written by earlier versions were 0644
        if (name.endsWith(".wal")) {
          segmentSizes.put(Long.parseLong(name.substring(0, name.length() - 4)), validLength(p));
        }
      }
    }
    readPosition = readCheckpoint();
    segmentSizes.headMap(readPosition.segment()).keySet().forEach(this::deleteQuietly);
    segmentSizes.headMap(readPosition.segment()).clear();
    writeSegment =
        segmentSizes.isEmpty() ? Math.max(1, readPosition.segment()) : segmentSizes.lastKey() + 1;
    openWriter();
    Long checkpointSegmentSize = segmentSizes.get(readPosition.segment());
    if (checkpointSegmentSize == null) {
      readPosition = new Position(segmentSizes.firstKey(), 0);
    } else if (readPosition.offset() > checkpointSegmentSize) {
      readPosition = new Position(readPosition.segment(), checkpointSegmentSize);
    }
    for (var e : segmentSizes.entrySet()) {
      backlogBytes +=
          e.getValue() - (e.getKey() == readPosition.segment() ? readPosition.offset() : 0);
    }
    if (backlogBytes > 0) {
      log.info("write-ahead log holds {} bytes not yet indexed; replaying", backlogBytes);
    }
  }

  /**
   * Appends one record and forces it to disk; returns once it survives a crash. Concurrent appends
   * share one force (group commit): whoever forces covers every record written before it.
   */
  void append(byte[] payload) throws IOException {
    long end;
    synchronized (this) {
      if (writeOffset > 0 && writeOffset + HEADER + payload.length > segmentBytes) {
        writer.force(false); // everything before the roll is durable before the next segment starts
        writer.close();
        writeSegment++;
        openWriter();
      }
      CRC32 crc = new CRC32();
      crc.update(payload);
      ByteBuffer header =
          ByteBuffer.allocate(HEADER).putInt(payload.length).putInt((int) crc.getValue()).flip();
      ByteBuffer body = ByteBuffer.wrap(payload);
      while (header.hasRemaining() || body.hasRemaining()) {
        writer.write(new ByteBuffer[] {header, body});
      }
      writeOffset += HEADER + payload.length;
      segmentSizes.put(writeSegment, writeOffset);
      backlogBytes += HEADER + payload.length;
      appendedTotal += HEADER + payload.length;
      end = appendedTotal;
      notifyAll();
    }
    sync(end);
  }

  private void sync(long target) throws IOException {
    synchronized (syncLock) {
      while (syncedTotal < target) {
        FileChannel channel;
        long upTo;
        synchronized (this) {
          if (closed) {
            return; // close() forced everything before closing
          }
          channel = writer;
          upTo = appendedTotal;
        }
        try {
          channel.force(false);
          syncedTotal = upTo;
        } catch (java.nio.channels.ClosedChannelException e) {
          // A roll closed it after forcing it: look again at the current segment.
        }
      }
    }
  }

  /** Bytes appended but not yet committed as indexed. */
  synchronized long backlogBytes() {
    return backlogBytes;
  }

  /** Waits up to {@code millis} for unread records. */
  synchronized boolean awaitRecords(Position from, long millis) throws InterruptedException {
    if (!hasRecordsAfter(from)) {
      wait(millis);
    }
    return hasRecordsAfter(from);
  }

  synchronized Position readPosition() {
    return readPosition;
  }

  private boolean hasRecordsAfter(Position p) {
    Long size = segmentSizes.get(p.segment());
    if (size != null && size > p.offset()) {
      return true;
    }
    // A restart opens a fresh, empty segment after the checkpoint: only later bytes count as
    // records,
    // or the shipper would send an empty _bulk (which OpenSearch refuses) forever.
    for (long later : segmentSizes.tailMap(p.segment(), false).values()) {
      if (later > 0) {
        return true;
      }
    }
    return false;
  }

  /** Reads whole records from {@code from} until about {@code maxBytes} (at least one record). */
  Chunk read(Position from, long maxBytes) throws IOException {
    Position p = from;
    List<byte[]> parts = new ArrayList<>();
    long total = 0;
    long walBytes = 0;
    while (total < maxBytes) {
      long size;
      Long next;
      synchronized (this) {
        Long s = segmentSizes.get(p.segment());
        size = s == null ? 0 : s;
        next = segmentSizes.higherKey(p.segment());
      }
      if (p.offset() >= size) {
        if (next == null) {
          break;
        }
        p = new Position(next, 0);
        continue;
      }
      try (FileChannel ch = FileChannel.open(segment(p.segment()), StandardOpenOption.READ)) {
        long offset = p.offset();
        while (offset < size && total < maxBytes) {
          ByteBuffer header = ByteBuffer.allocate(HEADER);
          readFully(ch, header, offset);
          int length = header.flip().getInt();
          byte[] payload = new byte[length];
          readFully(ch, ByteBuffer.wrap(payload), offset + HEADER);
          parts.add(payload);
          total += length;
          offset += HEADER + length;
          walBytes += HEADER + length;
        }
        p = new Position(p.segment(), offset);
      }
    }
    byte[] all = new byte[(int) total];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return new Chunk(all, parts.size(), p, walBytes);
  }

  /**
   * Marks everything before {@code end} as indexed: persists the checkpoint and deletes finished
   * segments.
   */
  void commit(Chunk chunk) throws IOException {
    Position end = chunk.end();
    Path tmp = dir.resolve("checkpoint.tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            java.util.Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
            PrivateFiles.fileAttribute())) {
      ch.write(
          ByteBuffer.wrap(
              (end.segment() + " " + end.offset() + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
    Files.move(
        tmp,
        dir.resolve("checkpoint"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    List<Long> finished;
    synchronized (this) {
      readPosition = end;
      backlogBytes -= chunk.bytes();
      finished = new ArrayList<>(segmentSizes.headMap(end.segment()).keySet());
      finished.remove(writeSegment);
      finished.forEach(segmentSizes::remove);
    }
    finished.forEach(this::deleteQuietly);
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      writer.force(false);
      writer.close();
      closed = true;
      lock.release();
      lockChannel.close();
    }
  }

  private void openWriter() throws IOException {
    writer =
        FileChannel.open(
            segment(writeSegment),
            java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PrivateFiles.fileAttribute());
    writeOffset = writer.size();
    writer.position(writeOffset);
    segmentSizes.put(writeSegment, writeOffset);
  }

  private Path segment(long seq) {
    return dir.resolve(String.format("%016d.wal", seq));
  }

  private Position readCheckpoint() throws IOException {
    Path file = dir.resolve("checkpoint");
    if (!Files.exists(file)) {
      return new Position(segmentSizes.isEmpty() ? 1 : segmentSizes.firstKey(), 0);
    }
    String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
    return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }

  /** Length of the valid prefix of a segment; a torn or corrupt tail is truncated. */
  private static long validLength(Path file) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long offset = 0;
      while (offset + HEADER <= size) {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(ch, header, offset);
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length < 0 || offset + HEADER + length > size) {
          break;
        }
        byte[] payload = new byte[length];
        readFully(ch, ByteBuffer.wrap(payload), offset + HEADER);
        CRC32 check = new CRC32();
        check.update(payload);
        if ((int) check.getValue() != crc) {
          break;
        }
        offset += HEADER + length;
      }
      if (offset < size) {
        log.warn(
            "write-ahead log segment {} has a torn tail of {} bytes (never acknowledged); cutting it off",
            file.getFileName(),
            size - offset);
        ch.truncate(offset);
      }
      return offset;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buffer, long position)
      throws IOException {
    long p = position;
    while (buffer.hasRemaining()) {
      int n = ch.read(buffer, p);
      if (n < 0) {
        throw new IOException("unexpected end of write-ahead log segment");
      }
      p += n;
    }
  }

  private void deleteQuietly(long seq) {
    try {
      Files.deleteIfExists(segment(seq));
    } catch (IOException e) {
      log.warn("could not delete write-ahead log segment {}: {}", seq, e.toString());
    }
  }
}
