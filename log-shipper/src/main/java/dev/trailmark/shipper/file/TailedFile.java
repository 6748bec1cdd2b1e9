package dev.trailmark.shipper.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One file being tailed, identified by its inode so that it is followed through a rename. It cuts
 * the bytes into events (lines, with Java stack trace lines joined to the line that logged them)
 * and knows the offset up to which every event has been handed out: that is what a checkpoint
 * stores.
 */
final class TailedFile implements AutoCloseable {
  /** Receives each complete event. */
  interface Sink {
    void event(TailedFile file, byte[] bytes, int off, int len, long startOffset)
        throws IOException;
  }

  static final int MAX_EVENT_BYTES = 1024 * 1024;

  final String key;
  Path path;
  private final FileChannel channel;
  private final boolean joinStackTraces;
  private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
  private long readOffset; // next byte to read from the file
  private byte[] line = new byte[4096];
  private int lineLen; // bytes of an unfinished line (no newline seen yet)
  private long lineStart;
  private byte[] pending = new byte[4096];
  private int pendingLen = -1; // an event that may still get continuation lines; -1 = none
  private long pendingStart;
  private long pendingSinceNanos;
  boolean gone; // the path now names another file, or none: drain and drop

  TailedFile(String key, Path path, long offset, boolean joinStackTraces) throws IOException {
    this.key = key;
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    this.joinStackTraces = joinStackTraces;
    this.readOffset = offset;
    this.lineStart = offset;
  }

  /** The offset before which every event was handed out (where a restart resumes). */
  long checkpointOffset() {
    if (pendingLen >= 0) {
      return pendingStart;
    }
    return lineStart;
  }

  long size() throws IOException {
    return channel.size();
  }

  /**
   * Reads what was appended, up to about {@code budget} bytes, and hands out complete events.
   * Returns the number of bytes read.
   */
  long poll(Sink sink, long budget) throws IOException {
    long size = channel.size();
    if (size < readOffset) {
      // copytruncate: the file was copied away and cut to zero; start over from the top
      readOffset = 0;
      lineLen = 0;
      lineStart = 0;
      if (pendingLen >= 0) {
        emitPending(sink);
      }
    }
    long read = 0;
    while (read < budget) {
      chunk.clear();
      int n = channel.read(chunk, readOffset);
      if (n <= 0) {
        break;
      }
      byte[] b = chunk.array();
      int from = 0;
      for (int i = 0; i < n; i++) {
        if (b[i] == '\n') {
          appendToLine(b, from, i);
          completeLine(sink, readOffset + i + 1);
          from = i + 1;
        }
      }
      appendToLine(b, from, n);
      readOffset += n;
      read += n;
      if (lineLen >= MAX_EVENT_BYTES) {
        // a line with no end in sight: hand it out in pieces rather than hold unbounded memory
        completeLine(sink, readOffset);
      }
    }
    return read;
  }

  private void appendToLine(byte[] b, int from, int to) {
    int n = to - from;
    if (n <= 0) {
      return;
    }
    if (lineLen + n > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLen + n));
    }
    System.arraycopy(b, from, line, lineLen, n);
    lineLen += n;
  }

  /** A full line (without its newline) is in {@code line}; {@code next} is the offset after it. */
  private void completeLine(TailedFile.Sink sink, long next) throws IOException {
    int len = lineLen;
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    if (joinStackTraces
        && pendingLen >= 0
        && isContinuation(line, len)
        && pendingLen + 1 + len <= MAX_EVENT_BYTES) {
      ensurePending(pendingLen + 1 + len);
      pending[pendingLen++] = '\n';
      System.arraycopy(line, 0, pending, pendingLen, len);
      pendingLen += len;
    } else {
      if (pendingLen >= 0) {
        emitPending(sink);
      }
      if (len > 0 || !joinStackTraces) {
        ensurePending(len);
        System.arraycopy(line, 0, pending, 0, len);
        pendingLen = len;
        pendingStart = lineStart;
        pendingSinceNanos = System.nanoTime();
      }
    }
    lineLen = 0;
    lineStart = next;
    if (!joinStackTraces && pendingLen >= 0) {
      emitPending(sink);
    }
  }

  /** Hands out an event that waited for continuation lines longer than {@code quietNanos}. */
  void flushQuiet(Sink sink, long quietNanos, boolean force) throws IOException {
    if (pendingLen >= 0 && (force || System.nanoTime() - pendingSinceNanos >= quietNanos)) {
      emitPending(sink);
    }
    if (force && lineLen > 0) {
      // the file is gone or we stop for good: a last line without newline is still an event
      completeLine(sink, readOffset);
      if (pendingLen >= 0) {
        emitPending(sink);
      }
    }
  }

  private void emitPending(Sink sink) throws IOException {
    int len = pendingLen;
    long start = pendingStart;
    pendingLen = -1;
    if (len > 0) {
      sink.event(this, pending, 0, len, start);
    }
  }

  private void ensurePending(int n) {
    if (n > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, n));
    }
  }

  private static final java.util.regex.Pattern EXCEPTION_HEADER =
      java.util.regex.Pattern.compile(
          "([a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error|Throwable|Failure)(: .*)?");

  /**
   * Java stack trace lines: indented lines ("\tat ..."), "Caused by:", "Suppressed:", "... N more",
   * and the exception line itself ({@code java.lang.IllegalStateException: message}) that Logback's
   * pattern layouts print right after the event's message.
   */
  static boolean isContinuation(byte[] b, int len) {
    if (len == 0) {
      return false;
    }
    if (b[0] == ' ' || b[0] == '\t') {
      return true;
    }
    if (startsWith(b, len, "Caused by:")
        || startsWith(b, len, "Suppressed:")
        || startsWith(b, len, "...")) {
      return true;
    }
    if (b[0] >= 'a' && b[0] <= 'z') {
      String head = new String(b, 0, Math.min(len, 512), java.nio.charset.StandardCharsets.UTF_8);
      int colon = head.indexOf(": ");
      return EXCEPTION_HEADER.matcher(colon < 0 ? head : head.substring(0, colon)).matches();
    }
    return false;
  }

  private static boolean startsWith(byte[] b, int len, String s) {
    if (len < s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
