package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Client spans and trace headers for OkHttp 3 and 4: every call, {@code execute} and {@code
 * enqueue} alike, goes through the client's application interceptors, which it reads from {@code
 * OkHttpClient.interceptors()} for each call; the agent's interceptor is added last to what that
 * method returns. One span per call (retries and redirects happen inside it); an asynchronous call
 * runs in the caller's trace through the executors probe. The interceptor is a {@link Proxy} of the
 * application's own {@code okhttp3.Interceptor}: nothing is injected.
 */
public final class OkHttpProbe extends Probe {

  /** Per OkHttp class loader: the agent's interceptor. */
  private final ClassValue<Object> interceptors =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> clientClass) {
          try {
            Class<?> api =
                Class.forName("okhttp3.Interceptor", false, clientClass.getClassLoader());
            return Proxy.newProxyInstance(
                clientClass.getClassLoader(), new Class<?>[] {api}, new Tracing());
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException("OkHttp not supported: " + e, e);
          }
        }
      };

  private volatile HooksImpl hooks;

  @Override
  public String name() {
    return "okhttp";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(name(), "okhttp3.OkHttpClient", "interceptors", "()Ljava/util/List;", hook));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    this.hooks = hooks;
    return Boolean.TRUE;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (thrown != null || !(result instanceof List)) {
      return result;
    }
    List<Object> all = new ArrayList<>(((List<?>) result).size() + 1);
    all.addAll((List<?>) result);
    all.add(interceptors.get(self.getClass()));
    return all;
  }

  private final class Tracing implements InvocationHandler {
    private volatile Method proceedMethod; // one OkHttp per Tracing: found once

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "intercept":
          return intercept(args[0]);
        default:
          return Reflect.proxyDefault(proxy, method, args);
      }
    }

    private Object intercept(Object chain) throws Throwable {
      Object request = Reflect.call(chain, "request");
      Object scope = null;
      Object traced = request;
      try {
        if (Reflect.call(request, "header", "X-Amzn-Trace-Id") == null
            && Reflect.call(request, "header", "traceparent")
                == null) { // else propagated by the caller already
          scope =
              hooks.clientStart(
                  request,
                  "http",
                  (String) Reflect.call(request, "method"),
                  String.valueOf(Reflect.call(request, "url")));
          String[] headers = hooks.clientHeaders(scope);
          if (headers != null) {
            Object builder = Reflect.call(request, "newBuilder");
            for (int i = 0; i < headers.length; i += 2) {
              Reflect.callTyped(
                  builder,
                  "header",
                  new Class<?>[] {String.class, String.class},
                  headers[i],
                  headers[i + 1]);
            }
            traced = Reflect.call(builder, "build");
          }
        }
      } catch (RuntimeException | LinkageError e) {
        traced = request; // the call goes on untraced
      }
      Object response;
      try {
        response = proceed(chain, traced);
      } catch (Throwable t) {
        end(scope, 0, t);
        throw t;
      }
      int status = 0;
      try {
        status = (Integer) Reflect.call(response, "code");
      } catch (RuntimeException | LinkageError e) {
        // no status: the span still ends
      }
      end(scope, status, null);
      return response;
    }

    /**
     * {@code chain.proceed(request)}, throwing what OkHttp throws (its IOException), not a
     * reflection wrapper.
     */
    private Object proceed(Object chain, Object request) throws Throwable {
      Method proceed = proceedMethod;
      if (proceed == null) {
        ClassLoader loader = chain.getClass().getClassLoader();
        proceed =
            Class.forName("okhttp3.Interceptor$Chain", false, loader)
                .getMethod("proceed", Class.forName("okhttp3.Request", false, loader));
        proceedMethod = proceed;
      }
      return Reflect.invoke(proceed, chain, request);
    }

    private void end(Object scope, int status, Throwable error) {
      try {
        hooks.clientEnd(scope, status, error);
      } catch (RuntimeException | LinkageError e) {
        // never into the application
      }
    }
  }
}
