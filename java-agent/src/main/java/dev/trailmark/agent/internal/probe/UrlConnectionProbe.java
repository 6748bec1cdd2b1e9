package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.net.HttpURLConnection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Client spans for {@code HttpURLConnection}: the span starts at the first of {@code connect},
 * {@code getOutputStream} or {@code getInputStream} (when the trace headers can still be set) and
 * ends when {@code getInputStream} (which {@code getResponseCode} also goes through) returns or
 * throws, or when connecting fails. A connection whose response is never read leaves no span.
 */
public final class UrlConnectionProbe extends Probe {

  private static final String IMPL = "sun.net.www.protocol.http.HttpURLConnection";
  private static final int CONNECT = 0;
  private static final int OUTPUT = 1;
  private static final int INPUT = 2;

  /**
   * Spans of connections between their first call and their response; weak, so abandoned ones go
   * away.
   */
  private final Map<Object, Object> open = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The connection whose response code this thread is reading for the span (its calls are not
   * ours).
   */
  private final ThreadLocal<Object> ending = new ThreadLocal<>();

  @Override
  public String name() {
    return "urlconnection";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(name(), IMPL, "connect", "()V", hook + CONNECT),
        Rule.wrap(name(), IMPL, "getOutputStream", "()Ljava/io/OutputStream;", hook + OUTPUT),
        Rule.wrap(name(), IMPL, "getInputStream", "()Ljava/io/InputStream;", hook + INPUT));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (ending.get() == self) {
      return null;
    }
    HttpURLConnection connection = (HttpURLConnection) self;
    Object scope = open.get(connection);
    if (scope == null) {
      try {
        if (connection.getRequestProperty("X-Amzn-Trace-Id") != null
            || connection.getRequestProperty("traceparent") != null) {
          return null; // propagated already by the caller: not ours to redo
        }
      } catch (IllegalStateException alreadyConnected) {
        return null;
      }
      scope =
          hooks.clientStartDetached(
              connection, connection.getRequestMethod(), connection.getURL().toString());
      if (scope == null) {
        return null;
      }
      String[] headers = hooks.clientHeaders(scope);
      for (int i = 0; i < headers.length; i += 2) {
        connection.setRequestProperty(headers[i], headers[i + 1]);
      }
      open.put(connection, scope);
    }
    return scope;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag != INPUT && thrown == null) {
      return result; // connected or writing the body: the response is still to come
    }
    if (open.remove(self) == null) {
      return result; // ended already (getInputStream nested in getInputStream)
    }
    int status = 0;
    ending.set(self);
    try {
      status = ((HttpURLConnection) self).getResponseCode();
    } catch (Exception | LinkageError e) {
      // no response: the thrown exception tells what happened
    } finally {
      ending.remove();
    }
    hooks.clientEndDetached(scope, Math.max(status, 0), status >= 400 ? null : thrown);
    return result;
  }
}
