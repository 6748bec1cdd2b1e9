package dev.trailmark.shipper.file;

import dev.trailmark.shipper.DeliveryStats;
import dev.trailmark.shipper.internal.delivery.DeliveryListener;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * What {@code trailmark ship} tells a person: one line per state change (started, first batch
 * delivered, caught up, destination unreachable with its reason, recovered) and a periodic progress
 * line with the lag of each file. The delivery engine's own warnings come here too, one line each.
 *
 * <p>State is derived from the engine's counters rather than from its messages, so that the
 * engine's wording can change without the command going quiet: requests failing while nothing is
 * acknowledged is "unreachable", an acknowledgement after that is "recovered".
 */
final class ShipReporter implements DeliveryListener {

  /** One followed file as the progress line shows it. */
  record FileLag(String path, long behindBytes) {}

  private static final int MAX_FILES_LISTED = 5;

  private final PrintStream out;
  private final long progressEveryNanos;
  private volatile String lastFailure;
  private boolean delivered;
  private boolean caughtUp;
  private boolean unreachable;
  private long unreachableSinceNanos;
  private long lastFailedRequests;
  private long lastSent;
  private long lastProgressNanos;
  private long sentAtLastProgress;
  private long behindAtLastProgress = -1;

  /** {@code progressEvery} of zero or less turns the periodic line off. */
  ShipReporter(PrintStream out, java.time.Duration progressEvery) {
    this.out = out;
    this.progressEveryNanos =
        progressEvery.isNegative() || progressEvery.isZero() ? 0 : progressEvery.toNanos();
    this.lastProgressNanos = System.nanoTime();
  }

  @Override
  public void warn(String message, Throwable error) {
    line(
        "warning: "
            + message
            + (error != null && error.getMessage() != null && !message.contains(error.getMessage())
                ? " (" + error.getMessage() + ")"
                : ""));
  }

  @Override
  public void info(String message) {
    lastFailure = message;
  }

  void started(String from, String destination, String state, String logFile) {
    line("shipping " + from + " to " + destination);
    line("state in " + state + "; detailed log in " + logFile + " (--verbose prints it here)");
  }

  void following(String path, long offset) {
    line("following " + path + (offset > 0 ? " from byte " + offset : ""));
  }

  /**
   * Called by the shipper every couple of seconds (more often while it waits for the destination).
   */
  synchronized void tick(DeliveryStats stats, List<FileLag> files, long nowNanos) {
    long sent = stats.sent();
    long failed = stats.failedRequests();
    long behind = 0;
    for (FileLag f : files) {
      behind += Math.max(0, f.behindBytes());
    }
    if (sent > lastSent) {
      if (unreachable) {
        unreachable = false;
        line("recovered after " + seconds(nowNanos - unreachableSinceNanos) + ": delivering again");
        caughtUp = false;
      }
      if (!delivered) {
        delivered = true;
        line("first batch delivered (" + count(sent) + " lines)");
      }
    } else if (failed > lastFailedRequests && !unreachable) {
      unreachable = true;
      unreachableSinceNanos = nowNanos;
      line(
          "destination unreachable: "
              + reason()
              + "; retrying with backoff (nothing is lost: the files are the"
              + " buffer)");
    }
    lastSent = sent;
    lastFailedRequests = failed;
    if (!unreachable && delivered && behind == 0 && stats.queuedEvents() == 0 && !caughtUp) {
      caughtUp = true;
      line("caught up: " + count(sent) + " lines shipped, nothing left to read");
    } else if (behind > 0) {
      caughtUp = false;
    }
    if (progressEveryNanos > 0 && nowNanos - lastProgressNanos >= progressEveryNanos) {
      if (sent != sentAtLastProgress || behind != behindAtLastProgress || unreachable) {
        line(progress(sent, files, nowNanos));
      }
      lastProgressNanos = nowNanos;
      sentAtLastProgress = sent;
      behindAtLastProgress = behind;
    }
  }

  private String progress(long sent, List<FileLag> files, long nowNanos) {
    StringBuilder b =
        new StringBuilder("progress: ")
            .append(count(sent))
            .append(" lines shipped (+")
            .append(count(sent - sentAtLastProgress))
            .append(" in ")
            .append(seconds(nowNanos - lastProgressNanos))
            .append(")");
    if (unreachable) {
      b.append(", destination unreachable for ").append(seconds(nowNanos - unreachableSinceNanos));
    }
    b.append("; behind:");
    if (files.isEmpty()) {
      b.append(" no file matches yet");
    }
    int listed = 0;
    for (FileLag f : files) {
      if (listed++ == MAX_FILES_LISTED) {
        b.append(", and ").append(files.size() - MAX_FILES_LISTED).append(" more");
        break;
      }
      b.append(listed == 1 ? " " : ", ")
          .append(f.path())
          .append(' ')
          .append(bytes(f.behindBytes()));
    }
    return b.toString();
  }

  /** The engine's last failure, without its "retrying" tail: that part is ours to say. */
  private String reason() {
    String r = lastFailure;
    if (r == null) {
      return "requests are failing";
    }
    int tail = r.lastIndexOf("; retrying");
    // the SDK's attempt count is always 1 (the engine is the one retry loop): noise for a person
    return (tail > 0 ? r.substring(0, tail) : r).replaceAll(" \\(SDK Attempt Count: \\d+\\)", "");
  }

  private void line(String text) {
    out.println("trailmark ship: " + text);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }

  private static String seconds(long nanos) {
    return Math.max(0, nanos / 1_000_000_000L) + " s";
  }
}
