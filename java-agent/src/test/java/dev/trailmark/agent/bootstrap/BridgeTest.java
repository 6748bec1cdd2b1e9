package dev.trailmark.agent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whatever the agent's hooks throw never reaches the application. */
class BridgeTest {

  private final Hooks previous = Bridge.hooks;

  @AfterEach
  void restore() {
    Bridge.hooks = previous;
  }

  @Test
  void hookFailuresAreSwallowedAndTheOriginalValuesKept() {
    Bridge.hooks =
        new Hooks() {
          @Override
          public Object enter(int hook, Object self, Object[] args) {
            throw new IllegalStateException("agent bug");
          }

          @Override
          public Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
            throw new LinkageError("agent bug");
          }

          @Override
          public Runnable wrap(Runnable task) {
            throw new NullPointerException("agent bug");
          }

          @Override
          public void logEvent(Object event) {
            throw new StackOverflowError();
          }
        };
    Runnable task = () -> {};

    assertThat(Bridge.enter(1, this, new Object[0])).isNull();
    assertThat(Bridge.exit(1, "scope", this, "result", null)).isEqualTo("result");
    assertThat(Bridge.wrapTask(task)).isSameAs(task);
    Bridge.logEvent(new Object());
  }

  @Test
  void exitIsSkippedWhenEnterReturnedNoScope() {
    Bridge.hooks =
        new Hooks() {
          @Override
          public Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
            return "replaced";
          }
        };

    assertThat(Bridge.exit(1, null, this, "result", null)).isEqualTo("result");
    assertThat(Bridge.exit(1, "scope", this, "result", null)).isEqualTo("replaced");
  }
}
