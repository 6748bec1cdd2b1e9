package dev.trailmark.agent.internal.trace;

import java.util.List;

/** Builds ended spans for exporter tests (Span's setters are package-private on purpose). */
public final class TestSpans {

  private TestSpans() {}

  public static Span server(String url, int status, String route) {
    Tracer tracer = new Tracer(Sampler.of("always_on", null), null, List.of());
    Span span = tracer.startServer(new Object(), null, "GET", url, route);
    span.result(status, null);
    tracer.end(span);
    return span;
  }

  public static Span clientUnder(Span parent, String url, int status, Throwable error) {
    Tracer tracer = new Tracer(Sampler.of("always_on", null), null, List.of());
    Span previous = Tracer.makeCurrent(parent);
    try {
      Span span = tracer.startClient(null, "POST", url);
      span.result(status, error);
      tracer.end(span);
      return span;
    } finally {
      Tracer.restore(previous);
    }
  }

  public static Span unsampled() {
    Tracer tracer = new Tracer(Sampler.of("always_off", null), null, List.of());
    Span span = tracer.startServer(new Object(), null, "GET", "http://x/", null);
    tracer.end(span);
    return span;
  }

  public static Span awsUnder(
      Span parent, String service, String operation, String region, String resource) {
    Span span = clientUnder(parent, "https://sqs.us-east-1.amazonaws.com/", 200, null);
    span.aws(service, operation, region, resource);
    return span;
  }

  public static Span dbUnder(
      Span parent, Database database, String operation, String statement, Throwable error) {
    Span span = clientUnder(parent, null, 0, error);
    span.http(null, null);
    span.db(database, operation, statement, "statement", 0);
    return span;
  }
}
