package dev.trailmark.shipper.logback;

import ch.qos.logback.core.Context;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.LifeCycle;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.status.StatusManager;
import java.io.PrintStream;
import java.time.Instant;

/**
 * The status listener the appenders add when the configuration names none, so that a drop or a
 * refused batch reaches standard error without extra configuration (as logstash-logback-encoder's
 * appenders do). It prints warnings and errors only, one line each; declaring any status listener
 * in {@code logback.xml} (for example {@code ch.qos.logback.core.status.NopStatusListener})
 * replaces it.
 */
final class WarningsOnConsole extends ContextAwareBase implements StatusListener, LifeCycle {
  private volatile boolean started;

  static void addIfNoListener(Context context) {
    if (context == null) {
      return;
    }
    StatusManager manager = context.getStatusManager();
    synchronized (manager) {
      if (!manager.getCopyOfStatusListenerList().isEmpty()) {
        return;
      }
      WarningsOnConsole listener = new WarningsOnConsole();
      listener.setContext(context);
      listener.start();
      manager.add(listener);
    }
  }

  @Override
  public void addStatusEvent(Status status) {
    if (!started || status.getEffectiveLevel() < Status.WARN) {
      return;
    }
    StringBuilder line =
        new StringBuilder(160)
            .append(Instant.ofEpochMilli(status.getTimestamp()))
            .append(status.getLevel() == Status.ERROR ? " ERROR " : " WARN ")
            .append(status.getMessage());
    Throwable t = status.getThrowable();
    if (t != null && (t.getMessage() == null || !status.getMessage().contains(t.getMessage()))) {
      line.append(" (").append(t).append(')');
    }
    PrintStream err = System.err; // read each time: a test or a container may have replaced it
    err.println(line);
  }

  @Override
  public boolean isResetResistant() {
    return false;
  }

  @Override
  public void start() {
    started = true;
  }

  @Override
  public void stop() {
    started = false;
  }

  @Override
  public boolean isStarted() {
    return started;
  }
}
