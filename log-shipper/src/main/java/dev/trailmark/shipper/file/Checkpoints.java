package dev.trailmark.shipper.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Durable record of how far each file was acknowledged by the destination: one line per file,
 * {@code <inode key>\t<offset>\t<path>}, replaced atomically (write, fsync, rename) so a crash
 * leaves either the old or the new version, never a torn one.
 */
final class Checkpoints {
  record Entry(String key, long offset, String path) {}

  private final Path file;

  Checkpoints(Path file) {
    this.file = file;
  }

  Map<String, Entry> load() throws IOException {
    Map<String, Entry> out = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (String l : lines) {
      String[] f = l.split("\t", 3);
      if (f.length == 3) {
        out.put(f[0], new Entry(f[0], Long.parseLong(f[1]), f[2]));
      }
    }
    return out;
  }

  void save(Iterable<Entry> entries) throws IOException {
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      b.append(e.key()).append('\t').append(e.offset()).append('\t').append(e.path()).append('\n');
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
