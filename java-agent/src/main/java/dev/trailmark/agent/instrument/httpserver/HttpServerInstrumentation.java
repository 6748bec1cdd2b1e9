package dev.trailmark.agent.instrument.httpserver;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import com.sun.net.httpserver.HttpExchange;
import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.instrument.Instrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Server spans for the JDK's {@code com.sun.net.httpserver}: every request passes through
 * {@code Filter.Chain.doFilter}; the outermost call starts the span, named by the context path the
 * handler was registered under.
 */
public final class HttpServerInstrumentation implements Instrumentation {

  @Override
  public String name() {
    return "jdk-httpserver";
  }

  @Override
  public ElementMatcher<TypeDescription> types() {
    return named("com.sun.net.httpserver.Filter$Chain");
  }

  @Override
  public MethodAdvice[] advice() {
    return new MethodAdvice[] {
      new MethodAdvice(
          named("doFilter").and(takesArgument(0, named("com.sun.net.httpserver.HttpExchange"))),
          DoFilterAdvice.class.getName())
    };
  }

  /** Inlined into {@code Filter.Chain.doFilter(HttpExchange)}. */
  public static final class DoFilterAdvice {

    private DoFilterAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) HttpExchange exchange) {
      com.sun.net.httpserver.Headers headers = exchange.getRequestHeaders();
      java.net.InetSocketAddress local = exchange.getLocalAddress();
      String url = (exchange instanceof com.sun.net.httpserver.HttpsExchange ? "https://" : "http://")
          + headers.getFirst("Host") + exchange.getRequestURI().getRawPath();
      return Bridge.hooks.serverStart(
          exchange,
          exchange.getRequestMethod(),
          headers.getFirst("Host") == null ? "http://" + local.getHostString() + ":" + local.getPort()
              + exchange.getRequestURI().getRawPath() : url,
          exchange.getHttpContext().getPath(),
          headers.getFirst("X-Amzn-Trace-Id"),
          headers.getFirst("traceparent"),
          headers.getFirst("tracestate"));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(
        @Advice.Enter Object scope, @Advice.Argument(0) HttpExchange exchange, @Advice.Thrown Throwable error) {
      if (scope != null) {
        int status = exchange.getResponseCode();
        Bridge.hooks.serverEnd(scope, status > 0 ? status : (error != null ? 500 : 0), error);
      }
    }
  }
}
