package dev.trailmark.agent.internal.metrics;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The slf4j provider of the agent's own class loader, where the AWS SDK, Netty and Micrometer look
 * for one: warnings and errors become one {@code [trailmark-agent]} line on stderr, everything else
 * is dropped, so that nothing the agent's libraries log ever reaches the application's logging or
 * its MDC.
 */
public final class AgentLogProvider implements SLF4JServiceProvider {

  private final ILoggerFactory loggers = new Loggers(System.err);
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  static final class Loggers implements ILoggerFactory {
    private final PrintStream out;
    private final ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();

    Loggers(PrintStream out) {
      this.out = out;
    }

    @Override
    public Logger getLogger(String name) {
      return byName.computeIfAbsent(name, n -> new WarningsToStderr(n, out));
    }
  }

  /**
   * Warnings and errors only, one line each (a throwable as its toString: no stack trace in the
   * application's output).
   */
  static final class WarningsToStderr extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient PrintStream out;

    WarningsToStderr(String name, PrintStream out) {
      this.name = name;
      this.out = out;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return false;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      StringBuilder line =
          new StringBuilder(128)
              .append("[trailmark-agent] ")
              .append(level)
              .append(' ')
              .append(name.substring(name.lastIndexOf('.') + 1))
              .append(": ")
              .append(MessageFormatter.basicArrayFormat(pattern, arguments));
      if (throwable != null) {
        line.append(": ").append(throwable);
      }
      out.println(line);
    }
  }
}
