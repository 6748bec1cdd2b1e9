package dev.trailmark.collector.internal.sink;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories only their owner can read: the write-ahead log, the set-aside file, the
 * log-group registry and the logs hold every event the services sent, so other accounts of the
 * machine get no access (0600 / 0700).
 */
public final class PrivateFiles {

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  private PrivateFiles() {}

  /**
   * The attribute that creates a file with mode 0600 (none where the file system has no POSIX
   * modes).
   */
  public static FileAttribute<?>[] fileAttribute() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /**
   * Creates {@code dir} and missing parents; {@code dir} itself ends with mode 0700 even if it
   * existed.
   */
  public static Path createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX) {
      Files.setPosixFilePermissions(dir, DIRECTORY);
    }
    return dir;
  }

  /** Sets mode 0600 on an existing file (files written before this version were 0644). */
  public static void restrict(Path file) throws IOException {
    if (POSIX && Files.exists(file)) {
      Files.setPosixFilePermissions(file, FILE);
    }
  }

  /**
   * Writes {@code bytes} to {@code file} atomically and durably: a 0600 temporary file is forced to
   * disk, renamed over {@code file}, and the directory is forced so the rename survives a crash.
   */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            tmp,
            Set.of(
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING),
            fileAttribute())) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    restrict(tmp);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(file.toAbsolutePath().getParent());
  }

  private static void forceDirectory(Path dir) {
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open a directory; the rename is still atomic there.
    }
  }
}
