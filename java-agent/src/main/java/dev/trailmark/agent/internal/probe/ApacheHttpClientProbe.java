package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.util.List;

/**
 * Client spans and trace headers for Apache HttpClient 4 and 5 (classic): both funnel every {@code
 * execute} into {@code doExecute(host, request, context)} of their two client implementations.
 */
public final class ApacheHttpClientProbe extends Probe {

  private static final int V4 = 0;
  private static final int V5 = 1;

  @Override
  public String name() {
    return "apache-httpclient";
  }

  @Override
  public List<Rule> rules(int hook) {
    String v4 =
        "(Lorg/apache/http/HttpHost;Lorg/apache/http/HttpRequest;Lorg/apache/http/protocol/HttpContext;)"
            + "Lorg/apache/http/client/methods/CloseableHttpResponse;";
    String v5 =
        "(Lorg/apache/hc/core5/http/HttpHost;Lorg/apache/hc/core5/http/ClassicHttpRequest;"
            + "Lorg/apache/hc/core5/http/protocol/HttpContext;)Lorg/apache/hc/client5/http/impl/classic/CloseableHttpResponse;";
    return List.of(
        Rule.wrap(
            name(), "org.apache.http.impl.client.InternalHttpClient", "doExecute", v4, hook + V4),
        Rule.wrap(
            name(), "org.apache.http.impl.client.MinimalHttpClient", "doExecute", v4, hook + V4),
        Rule.wrap(
            name(),
            "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
            "doExecute",
            v5,
            hook + V5),
        Rule.wrap(
            name(),
            "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
            "doExecute",
            v5,
            hook + V5));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    Object request = args[1];
    if (Reflect.call(request, "getFirstHeader", "X-Amzn-Trace-Id") != null
        || Reflect.call(request, "getFirstHeader", "traceparent") != null) {
      return null; // propagated already (the AWS SDK's interceptor, or the caller): not ours to
      // redo
    }
    String method;
    String url;
    if (tag == V4) {
      Object line = Reflect.call(request, "getRequestLine");
      method = (String) Reflect.call(line, "getMethod");
      String uri = (String) Reflect.call(line, "getUri");
      url = uri.startsWith("http") || args[0] == null ? uri : Reflect.call(args[0], "toURI") + uri;
    } else {
      method = (String) Reflect.call(request, "getMethod");
      String uri = (String) Reflect.call(request, "getRequestUri");
      url = uri.startsWith("http") || args[0] == null ? uri : Reflect.call(args[0], "toURI") + uri;
    }
    Object scope = hooks.clientStart(request, "http", method, url);
    String[] headers = hooks.clientHeaders(scope);
    if (headers != null) {
      Class<?> valueType = tag == V4 ? String.class : Object.class;
      for (int i = 0; i < headers.length; i += 2) {
        Reflect.callTyped(
            request,
            "setHeader",
            new Class<?>[] {String.class, valueType},
            headers[i],
            headers[i + 1]);
      }
    }
    return scope;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    int status = 0;
    if (result != null) {
      status =
          tag == V4
              ? (Integer) Reflect.call(Reflect.call(result, "getStatusLine"), "getStatusCode")
              : (Integer) Reflect.call(result, "getCode");
    }
    hooks.clientEnd(scope, status, thrown);
    return result;
  }
}
