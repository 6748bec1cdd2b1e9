package dev.trailmark.agent.instrument.logback;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.trailmark.agent.bootstrap.Bridge;
import dev.trailmark.agent.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Puts {@code trace_id}, {@code span_id}, {@code trace_flags} and {@code AWS-XRAY-TRACE-ID} into each
 * Logback event's own MDC map when it is created, on the logging thread: the thread's MDC is never
 * written, and asynchronous appenders see the same values later.
 */
public final class LogbackInstrumentation implements Instrumentation {

  @Override
  public String name() {
    return "logback-mdc";
  }

  @Override
  public ElementMatcher<TypeDescription> types() {
    return named("ch.qos.logback.classic.spi.LoggingEvent");
  }

  @Override
  public MethodAdvice[] advice() {
    return new MethodAdvice[] {new MethodAdvice(isConstructor().and(takesArguments(6)), EventAdvice.class.getName())};
  }

  /** Inlined at the end of {@code LoggingEvent(fqcn, logger, level, message, throwable, args)}. */
  public static final class EventAdvice {

    private EventAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.This LoggingEvent event, @Advice.FieldValue("loggerContext") LoggerContext context) {
      Map<String, String> fields = Bridge.hooks.logFields();
      if (fields != null) {
        Map<String, String> threadMdc = context == null ? null : context.getMDCAdapter().getCopyOfContextMap();
        Map<String, String> merged = threadMdc == null ? new HashMap<>(8) : new HashMap<>(threadMdc);
        merged.putAll(fields);
        event.setMDCPropertyMap(merged);
      }
    }
  }
}
