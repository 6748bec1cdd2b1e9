package dev.trailmark.agent.internal.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Server spans for the JDK's {@code com.sun.net.httpserver}: every request passes through {@code
 * Filter.Chain.doFilter}; the outermost call starts the span, named by the context path the handler
 * was registered under (the route template this server knows).
 */
public final class JdkHttpServerProbe extends Probe {

  @Override
  public String name() {
    return "jdk-httpserver";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            "com.sun.net.httpserver.Filter$Chain",
            "doFilter",
            "(Lcom/sun/net/httpserver/HttpExchange;)V",
            hook));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    HttpExchange exchange = (HttpExchange) args[0];
    // One pass over the (already normalized) names: Headers.getFirst allocates a normalized copy of
    // its key.
    String host = null;
    String xray = null;
    String traceparent = null;
    String tracestate = null;
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      String name = header.getKey();
      List<String> values = header.getValue();
      if (values == null || values.isEmpty()) {
        continue;
      }
      if (name.equalsIgnoreCase("Host")) {
        host = values.get(0);
      } else if (name.equalsIgnoreCase("X-Amzn-Trace-Id")) {
        xray = values.get(0);
      } else if (name.equalsIgnoreCase("traceparent")) {
        traceparent = values.get(0);
      } else if (name.equalsIgnoreCase("tracestate")) {
        tracestate = values.get(0);
      }
    }
    if (host == null) {
      InetSocketAddress local = exchange.getLocalAddress();
      host = local.getHostString() + ":" + local.getPort();
    }
    String path = exchange.getRequestURI().getRawPath();
    if (path == null) {
      path = "";
    }
    String url =
        new StringBuilder(8 + host.length() + path.length())
            .append(exchange instanceof HttpsExchange ? "https://" : "http://")
            .append(host)
            .append(path)
            .toString();
    return hooks.serverStart(
        exchange,
        exchange.getRequestMethod(),
        url,
        exchange.getHttpContext().getPath(),
        xray,
        traceparent,
        tracestate);
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    HttpExchange exchange = (HttpExchange) ((HooksImpl.Scope) scope).carrier();
    int status = exchange.getResponseCode();
    hooks.serverEnd(scope, status > 0 ? status : (thrown != null ? 500 : 0), thrown);
    return result;
  }
}
