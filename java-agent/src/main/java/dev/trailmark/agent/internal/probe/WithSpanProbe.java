package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.trace.ManualData;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.Tracer;
import dev.trailmark.agent.internal.weave.Rule;
import dev.trailmark.agent.internal.weave.Weaver;
import dev.trailmark.agent.internal.weave.WithSpanWeaver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A span for each call of an application method annotated {@code @WithSpan} (OpenTelemetry's
 * instrumentation annotations, or the older extension annotations), with its {@code @SpanAttribute}
 * parameters as attributes: a child of the current span (a new trace outside any), current while
 * the method runs, ended when it returns or throws (when the {@code CompletionStage} it returns
 * completes). The methods are found by {@link WithSpanWeaver} as their classes load.
 */
public final class WithSpanProbe extends Probe {

  /** What the annotation says of one method: its span's name, kind and attribute parameters. */
  private static final class Site {
    final String name;
    final SpanKind kind;
    final String[] attributes;

    Site(String name, SpanKind kind, String[] attributes) {
      this.name = name;
      this.kind = kind;
      this.attributes = attributes;
    }
  }

  private final Map<String, Site> sites = new ConcurrentHashMap<>();
  private int hook;

  @Override
  public String name() {
    return "opentelemetry-annotations";
  }

  @Override
  public List<Rule> rules(int hook) {
    this.hook = hook;
    return List.of(); // found by annotation, not by name
  }

  @Override
  public void install(Instrumentation inst, Weaver weaver) {
    new WithSpanWeaver(
            name(),
            hook,
            weaver,
            new WithSpanWeaver.Listener() {
              @Override
              public void annotated(
                  String site,
                  String className,
                  String method,
                  String spanName,
                  String kind,
                  String[] attributes) {
                String simple = className.substring(className.lastIndexOf('.') + 1);
                SpanKind spanKind = SpanKind.INTERNAL;
                try {
                  spanKind = kind == null ? SpanKind.INTERNAL : SpanKind.valueOf(kind);
                } catch (IllegalArgumentException e) {
                  // a kind a later API adds: internal
                }
                sites.put(
                    site,
                    new Site(
                        spanName.isEmpty() ? simple + "." + method : spanName,
                        spanKind,
                        attributes));
              }
            },
            pkg("instrumentation/annotations"),
            pkg("extension/annotations"))
        .install(inst);
  }

  /** An annotations package in internal form, built at run time so that shading leaves it alone. */
  private static String pkg(String rest) {
    return new StringBuilder(48).append("io").append("/opentelemetry/").append(rest).toString();
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    // The woven wrapper passes its site after the method's arguments.
    Object siteKey = args.length == 0 ? null : args[args.length - 1];
    Site site = siteKey instanceof String ? sites.get(siteKey) : null;
    if (site == null) {
      return null;
    }
    ManualData manual = new ManualData(true, site.name);
    manual.kind(site.kind);
    for (int i = 0; i < site.attributes.length && i < args.length; i++) {
      if (site.attributes[i] != null && args[i] != null) {
        Object value =
            args[i] instanceof Number || args[i] instanceof Boolean
                ? args[i]
                : String.valueOf(args[i]);
        AttributeKey<Object> key = OtelApi.key(site.attributes[i], value);
        if (key != null) {
          manual.attribute(key, OtelApi.normalized(value));
        }
      }
    }
    Span parent = Tracer.current();
    Span span = hooks.tracer().startManual(null, parent, manual);
    return new Object[] {span, Tracer.makeCurrent(span)};
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    Object[] started = (Object[]) scope;
    Span span = (Span) started[0];
    Tracer.restore((Span) started[1]);
    Tracer tracer = hooks.tracer();
    if (thrown == null && result instanceof CompletionStage) {
      ((CompletionStage<?>) result)
          .whenComplete(
              (value, error) -> {
                end(tracer, span, error);
              });
    } else {
      end(tracer, span, thrown);
    }
    return result;
  }

  private static void end(Tracer tracer, Span span, Throwable error) {
    ManualData manual = span.manual();
    if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error != null) {
      manual.status(StatusCode.ERROR, null);
      OtelSpans.exception(manual, error, Attributes.empty());
    }
    if (manual.end()) {
      tracer.end(span);
    }
  }
}
