package dev.trailmark.agent.instrument.httpclient;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.bootstrap.Hooks;
import dev.trailmark.agent.instrument.Instrumentation;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Client spans and trace headers for {@code java.net.http.HttpClient} ({@code send} and {@code
 * sendAsync}), at the facade every client handed out by {@code HttpClient.newHttpClient()} is.
 */
public final class JdkHttpClientInstrumentation implements Instrumentation {

  @Override
  public String name() {
    return "jdk-httpclient";
  }

  @Override
  public ElementMatcher<TypeDescription> types() {
    return named("jdk.internal.net.http.HttpClientFacade");
  }

  @Override
  public MethodAdvice[] advice() {
    return new MethodAdvice[] {
      new MethodAdvice(
          named("send").and(takesArguments(2)).and(takesArgument(0, named("java.net.http.HttpRequest"))),
          SendAdvice.class.getName()),
      new MethodAdvice(
          named("sendAsync").and(takesArgument(0, named("java.net.http.HttpRequest"))),
          SendAsyncAdvice.class.getName())
    };
  }

  /** Inlined into {@code send}. */
  public static final class SendAdvice {

    private SendAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request) {
      Hooks hooks = Bridge.hooks;
      Object scope = hooks.clientStart(request, "http", request.method(), request.uri().toString());
      if (scope != null) {
        request = (HttpRequest) hooks.withTraceHeaders(scope, request);
      }
      return scope;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(
        @Advice.Enter Object scope, @Advice.Return HttpResponse<?> response, @Advice.Thrown Throwable error) {
      if (scope != null) {
        Bridge.hooks.clientEnd(scope, response == null ? 0 : response.statusCode(), error);
      }
    }
  }

  /** Inlined into {@code sendAsync}. */
  public static final class SendAsyncAdvice {

    private SendAsyncAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request) {
      Hooks hooks = Bridge.hooks;
      Object scope = hooks.clientStart(request, "http", request.method(), request.uri().toString());
      if (scope != null) {
        request = (HttpRequest) hooks.withTraceHeaders(scope, request);
      }
      return scope;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(
        @Advice.Enter Object scope, @Advice.Return CompletableFuture<?> future, @Advice.Thrown Throwable error) {
      if (scope != null) {
        if (error != null || future == null) {
          Bridge.hooks.clientEnd(scope, 0, error);
        } else {
          Bridge.hooks.clientEndWhenDone(scope, future);
        }
      }
    }
  }
}
