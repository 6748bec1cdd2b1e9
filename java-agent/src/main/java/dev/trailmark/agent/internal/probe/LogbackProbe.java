package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts {@code trace_id}, {@code span_id}, {@code trace_flags} and {@code AWS-XRAY-TRACE-ID} into
 * each Logback event's own MDC map as it is created, on the logging thread: the thread's MDC is
 * never written, and asynchronous appenders read the same values later. Logback is the
 * application's, so it is reached by reflection (resolved once per LoggingEvent class).
 */
public final class LogbackProbe extends Probe {

  private static final String EVENT = "ch.qos.logback.classic.spi.LoggingEvent";

  private static final ClassValue<Access> ACCESS =
      new ClassValue<>() {
        @Override
        protected Access computeValue(Class<?> type) {
          return new Access(type);
        }
      };

  @Override
  public String name() {
    return "logback-mdc";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.constructorExit(
            name(),
            EVENT,
            "(Ljava/lang/String;Lch/qos/logback/classic/Logger;Lch/qos/logback/classic/Level;Ljava/lang/String;"
                + "Ljava/lang/Throwable;[Ljava/lang/Object;)V"));
  }

  /** Sets the event's MDC view to the thread's MDC plus {@code fields}. */
  public static void addTraceFields(Object event, Map<String, String> fields) {
    Access access = ACCESS.get(event.getClass());
    if (access.failure == null) {
      access.apply(event, fields);
    }
  }

  private static final class Access {
    private Field loggerContext;
    private Method getMdcAdapter;
    private Method getCopyOfContextMap;
    private Method getPropertyMap; // Logback's own adapter: its read-only map, no copy
    private Method setMdcPropertyMap;
    private Throwable failure;

    Access(Class<?> eventClass) {
      try {
        Class<?> base = eventClass;
        while (!base.getName().equals(EVENT)) {
          base = base.getSuperclass();
        }
        loggerContext = base.getDeclaredField("loggerContext");
        loggerContext.setAccessible(true);
        setMdcPropertyMap = base.getMethod("setMDCPropertyMap", Map.class);
        getMdcAdapter = loggerContext.getType().getMethod("getMDCAdapter");
        getCopyOfContextMap = getMdcAdapter.getReturnType().getMethod("getCopyOfContextMap");
        try {
          Class<?> logbackAdapter =
              Class.forName(
                  "ch.qos.logback.classic.util.LogbackMDCAdapter",
                  false,
                  eventClass.getClassLoader());
          getPropertyMap = logbackAdapter.getMethod("getPropertyMap");
        } catch (ReflectiveOperationException olderLogback) {
          getPropertyMap = null;
        }
      } catch (Throwable t) {
        failure = t;
        System.err.println(
            "[trailmark-agent] Logback "
                + eventClass.getName()
                + " not supported, logs carry no trace ids: "
                + t);
      }
    }

    @SuppressWarnings("unchecked")
    void apply(Object event, Map<String, String> fields) {
      try {
        Object context = loggerContext.get(event);
        Object adapter = context == null ? null : getMdcAdapter.invoke(context);
        Map<String, String> threadMdc = null;
        if (adapter != null) {
          threadMdc =
              getPropertyMap != null && getPropertyMap.getDeclaringClass().isInstance(adapter)
                  ? (Map<String, String>) getPropertyMap.invoke(adapter)
                  : (Map<String, String>) getCopyOfContextMap.invoke(adapter);
        }
        if (threadMdc == null || threadMdc.isEmpty()) {
          setMdcPropertyMap.invoke(
              event, fields); // the span's own immutable map, shared by its events
          return;
        }
        Map<String, String> merged = new HashMap<>(threadMdc);
        merged.putAll(fields);
        setMdcPropertyMap.invoke(event, merged);
      } catch (ReflectiveOperationException e) {
        // the event keeps the thread's MDC only
      }
    }
  }
}
