package dev.trailmark.shipper.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.collector.testing.ForkedJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One spool directory, one writer: a second appender in the same JVM or another JVM gets a clear
 * error instead of interleaving records with the first and deleting its segments; the directory is
 * free again once the holder closes it or dies (kill -9 included).
 */
class SpoolLockIT {
  private static final long SEG = 2L * 1024 * 1024;
  @TempDir Path dir;

  @Test
  void aSecondWriterInTheSameJvmIsRefusedUntilTheFirstCloses() throws Exception {
    DiskSpool first = open();
    assertThatThrownBy(this::open)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(
            "spool directory " + dir.toAbsolutePath() + " is in use by another appender or process")
        .hasMessageContaining("a spoolDir of its own");
    byte[] b = "kept".getBytes(StandardCharsets.UTF_8);
    assertThat(first.append(1, b, 0, b.length))
        .as("the refused open did not disturb the holder")
        .isTrue();
    first.close();
    DiskSpool again = open();
    assertThat(again.unreadCount()).isEqualTo(1);
    again.close();
  }

  @Test
  void anotherProcessIsRefusedWhileOneHoldsTheSpoolAndAdmittedAfterItIsKilled() throws Exception {
    Process holder = ForkedJvm.start("64m", SpoolHolder.class, dir.toString());
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("holding " + dir);
      assertThatThrownBy(this::open)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("is in use by another appender or process");
    } finally {
      holder.destroyForcibly(); // kill -9: the lock goes with the process
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    DiskSpool after = open();
    assertThat(after.unreadCount())
        .as("what the killed holder appended is still there")
        .isEqualTo(1);
    after.close();
  }

  private DiskSpool open() throws IOException {
    return DiskSpool.open(dir, 4 * SEG, SEG, FsyncPolicy.NEVER, 1000);
  }

  /** The other JVM: opens the spool, appends one event, says so, and waits to be killed. */
  public static final class SpoolHolder {
    public static void main(String[] args) throws Exception {
      DiskSpool spool = DiskSpool.open(Path.of(args[0]), 4 * SEG, SEG, FsyncPolicy.NEVER, 1000);
      byte[] b = "from the holder".getBytes(StandardCharsets.UTF_8);
      spool.append(1, b, 0, b.length);
      System.out.println("holding " + args[0]);
      System.out.flush();
      Thread.sleep(TimeUnit.MINUTES.toMillis(5));
    }
  }
}
