package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The agent's proxies hand calls on to the application's objects through {@link Reflect}. */
class ReflectTest {

  @Test
  void invokeReturnsWhatTheMethodReturnsAndThrowsWhatItThrows() throws Throwable {
    Method call = Callable.class.getMethod("call");
    assertThat(Reflect.invoke(call, (Callable<String>) () -> "done")).isEqualTo("done");

    IOException failure = new IOException("connection reset");
    Callable<String> failing =
        () -> {
          throw failure;
        };
    assertThatThrownBy(() -> Reflect.invoke(call, failing))
        .as("the method's own exception, not InvocationTargetException")
        .isSameAs(failure);
  }
}
