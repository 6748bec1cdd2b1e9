package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.trace.Span;
import dev.trailmark.agent.internal.trace.Tracer;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.List;

/**
 * The application's own OpenTelemetry API (any 1.x it bundles) joins the agent's trace. Three
 * methods are woven, all present since 1.0:
 *
 * <ul>
 *   <li>{@code GlobalOpenTelemetry.get()} (and 1.50's {@code getOrNoop()}) returns a bridged {@code
 *       OpenTelemetry}: its tracers open agent spans ({@link OtelSpans}), its propagators are the
 *       API's own W3C trace context and baggage ones; meters and logs stay the application's;
 *   <li>{@code ThreadLocalContextStorage.current()} and {@code attach(Context)}, the API's default
 *       context storage, keep the application's context and the agent's current span one: {@code
 *       Span.current()} in a request is the agent's server span, a span the application makes
 *       current is the parent of the agent's calls made inside it.
 * </ul>
 *
 * An application without the API loads none of these classes and pays nothing; one whose API lacks
 * what the bridge needs is left alone, with one line.
 */
public final class OtelApiProbe extends Probe {

  private static final int GET = 0;
  private static final int CURRENT = 1;
  private static final int ATTACH = 2;

  /**
   * What this thread has attached through the application's storage, innermost first: the context
   * and the agent span it stands for.
   */
  private static final ThreadLocal<Attached> ATTACHED = new ThreadLocal<>();

  private static volatile boolean reported;

  @Override
  public String name() {
    return "opentelemetry-api";
  }

  @Override
  public List<Rule> rules(int hook) {
    String global = OtelApi.name("api.GlobalOpenTelemetry");
    String storage = OtelApi.name("context.ThreadLocalContextStorage");
    return List.of(
        Rule.wrap(name(), global, "get", null, hook | GET),
        Rule.wrap(name(), global, "getOrNoop", null, hook | GET),
        Rule.wrap(name(), storage, "current", null, hook | CURRENT),
        Rule.wrap(name(), storage, "attach", null, hook | ATTACH));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (OtelApi.agentTracer == null) {
      OtelApi.agentTracer = hooks.tracer();
    }
    return tag == ATTACH ? args[0] : Boolean.TRUE;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (thrown != null || (tag != CURRENT && result == null)) {
      return result;
    }
    OtelApi api = OtelApi.of(tag == GET ? result.getClass() : self.getClass());
    if (api == null) {
      if (!reported) {
        reported = true;
        System.err.println(
            "[trailmark-agent] opentelemetry-api: left the application's OpenTelemetry API alone"
                + " (not a version the agent knows)");
      }
      return result;
    }
    switch (tag) {
      case GET:
        return api.openTelemetry(result);
      case CURRENT:
        return current(api, result);
      case ATTACH:
        return attached(api, scope, result);
      default:
        return result;
    }
  }

  /**
   * What {@code Context.current()} is: the application's context while the agent's current span is
   * the one it stands for (or one the agent made inside it: then with that span); the agent's span
   * alone where the agent moved on (a new request, a task on a pool thread); what the application
   * left behind on a thread where neither is current is gone, as it would be with the SDK.
   */
  private static Object current(OtelApi api, Object stored) {
    Attached top = ATTACHED.get();
    Span agent = Tracer.current();
    if (top != null && (top.context == stored || top.carriedTo(stored, api))) {
      if (top.span == agent) {
        return top.context;
      }
      if (agent != null && descends(agent, top.span)) {
        return api.with(top.context, api.span(agent));
      }
    }
    if (agent == null) {
      return top == null ? null : stored;
    }
    return api.with(api.root(), api.span(agent));
  }

  private static boolean descends(Span span, Span ancestor) {
    for (Span s = span.localParent(); s != null; s = s.localParent()) {
      if (s == ancestor) {
        return true;
      }
    }
    return false;
  }

  /**
   * After {@code attach(context)}: the span in it becomes the agent's current span until the scope
   * closes.
   */
  private static Object attached(OtelApi api, Object context, Object scope) {
    if (context == null) {
      return scope;
    }
    Span agent = api.agentSpan(api.spanOf(context));
    Attached a = new Attached(context, agent, ATTACHED.get(), Tracer.makeCurrent(agent), false);
    ATTACHED.set(a);
    return api.proxy(new Class<?>[] {api.scopeClass}, new Closing(scope, a));
  }

  /**
   * The application's context that the current span stands for, to carry onto the pool thread a
   * task is submitted to, so that the task sees the submitter's baggage (and whatever else the
   * application keeps in its context) as it sees its span; null when there is none (most calls: an
   * application without the API never attaches anything).
   */
  public static Object contextToCarry() {
    if (OtelApi.agentTracer == null) {
      return null;
    }
    Attached top = ATTACHED.get();
    if (top == null) {
      return null;
    }
    Span agent = Tracer.current();
    // Only the context and its span: a task waiting in a queue keeps nothing else of this thread.
    return top.span == agent || (agent != null && descends(agent, top.span))
        ? new Attached(top.context, top.span, null, null, true)
        : null;
  }

  /**
   * Makes a carried context the application's current one on this (pool) thread until {@link
   * #leaveCarried}; returns what to hand that call.
   */
  public static Object enterCarried(Object carried) {
    Attached from = (Attached) carried;
    Attached previous = ATTACHED.get();
    ATTACHED.set(new Attached(from.context, from.span, previous, null, true));
    return previous;
  }

  /** Ends what {@link #enterCarried} began, once the task has run. */
  public static void leaveCarried(Object previous) {
    ATTACHED.set((Attached) previous);
  }

  /**
   * One attach (or one context carried onto a pool thread): the context, its agent span, and what
   * was current before.
   */
  private static final class Attached {
    final Object context;
    final Span span;
    final Attached previous;
    final Span previousSpan;

    /**
     * Carried onto a pool thread, where the application's storage has attached nothing of it: it
     * holds nothing there (or the root context) until the task attaches a context of its own.
     */
    final boolean carried;

    Attached(Object context, Span span, Attached previous, Span previousSpan, boolean carried) {
      this.context = context;
      this.span = span;
      this.previous = previous;
      this.previousSpan = previousSpan;
      this.carried = carried;
    }

    boolean carriedTo(Object stored, OtelApi api) {
      return carried && (stored == null || stored == api.root());
    }
  }

  /**
   * The application's {@code Scope}: closes the API's own scope, then restores the agent's current
   * span, when closed in order (out of order, the API logs it and changes nothing; neither does
   * this).
   */
  private static final class Closing implements InvocationHandler {
    private final Object scope;
    private final Attached attached;

    Closing(Object scope, Attached attached) {
      this.scope = scope;
      this.attached = attached;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (!"close".equals(method.getName()) || method.getParameterCount() != 0) {
        return Reflect.proxyDefault(proxy, method, args);
      }
      try {
        Reflect.invoke(method, scope);
      } finally {
        if (ATTACHED.get() == attached) {
          ATTACHED.set(attached.previous);
          Tracer.restore(attached.previousSpan);
        }
      }
      return null;
    }
  }
}
