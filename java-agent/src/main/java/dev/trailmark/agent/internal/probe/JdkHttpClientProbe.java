package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

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
    Map<String, List<String>> headers = request.headers().map();
    if (headers.containsKey("X-Amzn-Trace-Id") || headers.containsKey("traceparent")) {
      return null; // already propagated by the caller (or by the AWS SDK interceptor): not ours to
      // redo
    }
    Object scope = hooks.clientStart(request, "http", request.method(), request.uri().toString());
    String[] traceHeaders = hooks.clientHeaders(scope);
    if (traceHeaders != null) {
      args[0] = requestWithHeaders(request, traceHeaders);
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

  /**
   * {@code request} with {@code headers} (name, value pairs) set, replacing any of the same name.
   * The client copies every request it is given into its own internal request anyway, so this is a
   * view, not a copy: rebuilding the request through {@code HttpRequest.newBuilder} validated and
   * copied every header twice more, the largest part of what adding the trace headers cost each
   * outbound call.
   */
  static HttpRequest requestWithHeaders(HttpRequest request, String[] headers) {
    return new TracedRequest(request, headers);
  }

  /**
   * The application's request as the client sees it, trace headers included; every other part is
   * the application's.
   */
  static final class TracedRequest extends HttpRequest {
    private static final java.util.function.BiPredicate<String, String> ALL =
        new java.util.function.BiPredicate<String, String>() {
          @Override
          public boolean test(String name, String value) {
            return true;
          }
        };

    private final HttpRequest request;
    private final java.net.http.HttpHeaders headers;

    TracedRequest(HttpRequest request, String[] extra) {
      this.request = request;
      Map<String, List<String>> merged = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      merged.putAll(request.headers().map());
      for (int i = 0; i < extra.length; i += 2) {
        merged.put(extra[i], List.of(extra[i + 1]));
      }
      this.headers = java.net.http.HttpHeaders.of(merged, ALL);
    }

    @Override
    public java.util.Optional<BodyPublisher> bodyPublisher() {
      return request.bodyPublisher();
    }

    @Override
    public String method() {
      return request.method();
    }

    @Override
    public java.util.Optional<java.time.Duration> timeout() {
      return request.timeout();
    }

    @Override
    public boolean expectContinue() {
      return request.expectContinue();
    }

    @Override
    public java.net.URI uri() {
      return request.uri();
    }

    @Override
    public java.util.Optional<java.net.http.HttpClient.Version> version() {
      return request.version();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return headers;
    }

    @Override
    public String toString() {
      return request.toString();
    }
  }
}
