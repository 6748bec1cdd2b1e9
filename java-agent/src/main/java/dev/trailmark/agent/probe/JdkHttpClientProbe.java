package dev.trailmark.agent.probe;

import dev.trailmark.agent.HooksImpl;
import dev.trailmark.agent.weave.Rule;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * Client spans and trace headers for {@code java.net.http.HttpClient} ({@code send} and both {@code
 * sendAsync}), at the facade that every client from {@code HttpClient.newHttpClient()} or its
 * builder is.
 */
public final class JdkHttpClientProbe extends Probe {

  private static final String FACADE = "jdk.internal.net.http.HttpClientFacade";

  @Override
  public String name() {
    return "jdk-httpclient";
  }

  @Override
  public List<Rule> rules(int hook) {
    String request = "Ljava/net/http/HttpRequest;Ljava/net/http/HttpResponse$BodyHandler;";
    return List.of(
        Rule.wrap(name(), FACADE, "send", "(" + request + ")Ljava/net/http/HttpResponse;", hook),
        Rule.wrap(
            name(),
            FACADE,
            "sendAsync",
            "(" + request + ")Ljava/util/concurrent/CompletableFuture;",
            hook),
        Rule.wrap(
            name(),
            FACADE,
            "sendAsync",
            "("
                + request
                + "Ljava/net/http/HttpResponse$PushPromiseHandler;)Ljava/util/concurrent/CompletableFuture;",
            hook));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    HttpRequest request = (HttpRequest) args[0];
    // The headers' map is case-insensitive; firstValue would run a stream per name on every call.
    java.util.Map<String, java.util.List<String>> headers = request.headers().map();
    if (headers.containsKey("X-Amzn-Trace-Id") || headers.containsKey("traceparent")) {
      return null; // already propagated by the caller (or by the AWS SDK interceptor): not ours to
      // redo
    }
    Object scope = hooks.clientStart(request, "http", request.method(), request.uri().toString());
    if (scope != null) {
      args[0] = hooks.withTraceHeaders(scope, request);
    }
    return scope;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (result instanceof HttpResponse || thrown != null || result == null) {
      hooks.clientEnd(
          scope,
          result instanceof HttpResponse ? ((HttpResponse<?>) result).statusCode() : 0,
          thrown);
    } else {
      hooks.clientEndWhenDone(scope, result); // sendAsync: the span ends with the response
    }
    return result;
  }
}
