package dev.trailmark.agent.internal.weave;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.bootstrap.Hooks;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The weaver's rewriting, run in-process on {@link Sample}: the class passes the verifier and
 * behaves.
 */
class WeaverTest {

  private final List<String> calls = new ArrayList<>();
  private Hooks previous;

  @BeforeEach
  void recordHooks() {
    previous = Bridge.hooks;
    Bridge.hooks =
        new Hooks() {
          @Override
          public Object enter(int hook, Object self, Object[] args) {
            calls.add("enter " + hook + " " + Arrays.toString(args));
            if (args.length > 0 && "replace-me".equals(args[0])) {
              args[0] = "replaced";
            }
            return "scope" + hook;
          }

          @Override
          public Object exit(int hook, Object scope, Object self, Object result, Throwable thrown) {
            calls.add(
                "exit "
                    + hook
                    + " "
                    + scope
                    + " "
                    + result
                    + " "
                    + (thrown == null ? null : thrown.getMessage()));
            return "swap".equals(result) ? "swapped" : result;
          }

          @Override
          public Runnable wrap(Runnable task) {
            calls.add("wrap");
            return () -> {
              calls.add("wrapped run");
              task.run();
            };
          }
        };
  }

  @AfterEach
  void restoreHooks() {
    Bridge.hooks = previous;
  }

  private Class<?> woven(List<Rule> rules, boolean alreadyLoaded) throws Exception {
    byte[] original;
    try (InputStream in = Sample.class.getResourceAsStream("Sample.class")) {
      original = in.readAllBytes();
    }
    byte[] bytes = new Weaver(rules, null, null, false).weave(original, rules, alreadyLoaded, null);
    assertThat(bytes).isNotNull();
    ClassLoader loader =
        new ClassLoader(WeaverTest.class.getClassLoader()) {
          @Override
          protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.equals(Sample.class.getName())) {
              synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : defineClass(name, bytes, 0, bytes.length);
              }
            }
            return super.loadClass(name, resolve);
          }
        };
    return Class.forName(Sample.class.getName(), true, loader);
  }

  private static Object call(Object target, String name, Class<?>[] types, Object... args)
      throws Throwable {
    Method m =
        target instanceof Class
            ? ((Class<?>) target).getMethod(name, types)
            : target.getClass().getMethod(name, types);
    try {
      return m.invoke(target instanceof Class ? null : target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void wrappedMethodsCallEnterAndExitAroundTheOriginal() throws Throwable {
    String owner = Sample.class.getName();
    List<Rule> rules =
        List.of(
            Rule.wrap("t", owner, "greet", "(Ljava/lang/String;)Ljava/lang/String;", 1),
            Rule.wrap("t", owner, "add", "(IJD)J", 2),
            Rule.wrap("t", owner, "fail", "(Ljava/lang/String;)V", 3),
            Rule.wrap("t", owner, "twice", "(Ljava/lang/String;)Ljava/lang/String;", 4));
    Class<?> type = woven(rules, false);
    Object sample = type.getConstructor(String.class).newInstance("hi ");

    assertThat(call(sample, "greet", new Class<?>[] {String.class}, "bob")).isEqualTo("hi bob");
    assertThat(call(sample, "greet", new Class<?>[] {String.class}, "replace-me"))
        .isEqualTo("hi replaced");
    assertThat(
            call(sample, "add", new Class<?>[] {int.class, long.class, double.class}, 2, 40L, 1.5))
        .isEqualTo(42L);
    assertThatThrownBy(() -> call(sample, "fail", new Class<?>[] {String.class}, "boom"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
    assertThat(call(type, "twice", new Class<?>[] {String.class}, "swa")).isEqualTo("swaswa");

    assertThat(calls)
        .containsExactly(
            "enter 1 [bob]", "exit 1 scope1 hi bob null",
            "enter 1 [replace-me]", "exit 1 scope1 hi replaced null",
            "enter 2 [2, 40, 1.5]", "exit 2 scope2 42 null",
            "enter 3 [boom]", "exit 3 scope3 null boom",
            "enter 4 [swa]", "exit 4 scope4 swaswa null");
  }

  @Test
  void aSiteRuleHandsItsSiteAfterTheArguments() throws Throwable {
    String owner = Sample.class.getName();
    Class<?> type =
        woven(
            List.of(
                Rule.wrapSite("t", owner, "add", "(IJD)J", 5, "Sample.add"),
                Rule.wrapSite("t", owner, "twice", null, 5, "Sample.twice")),
            false);
    Object sample = type.getConstructor(String.class).newInstance("");

    assertThat(
            call(sample, "add", new Class<?>[] {int.class, long.class, double.class}, 2, 40L, 1.5))
        .isEqualTo(42L);
    assertThat(call(type, "twice", new Class<?>[] {String.class}, "replace-me"))
        .as("the arguments are still the method's own, replaceable")
        .isEqualTo("replacedreplaced");

    assertThat(calls)
        .containsExactly(
            "enter 5 [2, 40, 1.5, Sample.add]", "exit 5 scope5 42 null",
            "enter 5 [replace-me, Sample.twice]", "exit 5 scope5 replacedreplaced null");
  }

  /** What {@link WithSpanWeaver} looks for in every class's constant pool before parsing any. */
  @Test
  void annotatedClassesAreFoundByTheirConstantPool() throws Exception {
    byte[] sample;
    try (InputStream in = Sample.class.getResourceAsStream("Sample.class")) {
      sample = in.readAllBytes();
    }
    assertThat(
            WithSpanWeaver.hasUtf8Constant(sample, new byte[][] {ascii("absent"), ascii("greet")}))
        .isTrue();
    assertThat(WithSpanWeaver.hasUtf8Constant(sample, new byte[][] {ascii("greetings")})).isFalse();
    assertThat(WithSpanWeaver.hasUtf8Constant(ascii("not a class file"), new byte[][] {ascii("a")}))
        .isFalse();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Test
  void exitMayReplaceAReferenceResult() throws Throwable {
    Class<?> greet =
        woven(
            List.of(
                Rule.wrap(
                    "t",
                    Sample.class.getName(),
                    "greet",
                    "(Ljava/lang/String;)Ljava/lang/String;",
                    1)),
            false);
    Object sample = greet.getConstructor(String.class).newInstance("");
    assertThat(call(sample, "greet", new Class<?>[] {String.class}, "swap")).isEqualTo("swapped");
  }

  @Test
  void wrapRulesAreSkippedForLoadedClassesButArgumentRulesApply() throws Throwable {
    String owner = Sample.class.getName();
    Class<?> type =
        woven(
            List.of(
                Rule.wrap("t", owner, "greet", "(Ljava/lang/String;)Ljava/lang/String;", 1),
                Rule.wrapTaskArgument("t", owner, "run", "(Ljava/lang/Runnable;)V", 0)),
            true);
    Object sample = type.getConstructor(String.class).newInstance("hi ");
    List<String> ran = new ArrayList<>();

    assertThat(call(sample, "greet", new Class<?>[] {String.class}, "bob")).isEqualTo("hi bob");
    call(sample, "run", new Class<?>[] {Runnable.class}, (Runnable) () -> ran.add("task"));

    assertThat(calls).containsExactly("wrap", "wrapped run");
    assertThat(ran).containsExactly("task");
  }

  @Test
  void classesWithoutMatchingMethodsAreLeftAlone() throws Exception {
    byte[] original;
    try (InputStream in = Sample.class.getResourceAsStream("Sample.class")) {
      original = in.readAllBytes();
    }
    List<Rule> rules = List.of(Rule.wrap("t", Sample.class.getName(), "absent", "()V", 1));
    assertThat(new Weaver(rules, null, null, false).weave(original, rules, false, null)).isNull();
  }
}
