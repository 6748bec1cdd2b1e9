package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.trace.SpanContext;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.List;

/**
 * The application's own AWS X-Ray SDK for Java (2.x) joins the agent's trace instead of starting
 * another one.
 *
 * <ul>
 *   <li>A subsegment begun on a thread where the X-Ray SDK has no segment but the agent has a span
 *       ({@code AWSXRay.beginSubsegment}, {@code createSubsegment}, the SDK v2 {@code
 *       TracingInterceptor}) is begun under a {@code FacadeSegment} that stands for the agent's
 *       span: the X-Ray SDK's own stand-in for a parent it does not own (what it does in Lambda).
 *       When that subsegment ends, the X-Ray SDK sends it (with what it nests) as an independent
 *       subsegment of the agent's trace whose {@code parent_id} is the agent's span, and the facade
 *       is cleared from the thread.
 *   <li>A segment the X-Ray SDK begins while the agent has a span ({@code AWSXRayServletFilter},
 *       {@code AWSXRay.beginSegment}) is moved into the agent's trace as a child of that span, with
 *       the agent's sampling decision.
 *   <li>An AWS SDK v2 call the X-Ray SDK's {@code TracingInterceptor} traces gets no second span
 *       from the agent's own AWS SDK interceptor (nor its trace headers: X-Ray's carry the call's
 *       subsegment).
 * </ul>
 *
 * Everything goes through the X-Ray SDK's public classes by reflection, in the application's class
 * loader; nothing of the agent is injected there.
 */
public final class XraySdkProbe extends Probe {

  private static final int BEGIN_SUBSEGMENT = 0;
  private static final int END_SUBSEGMENT = 1;
  private static final int BEGIN_SEGMENT = 2;
  private static final int TRACING_INTERCEPTOR = 3;

  private static final String RECORDER = "com/amazonaws/xray/AWSXRayRecorder";
  private static final String CONTEXT = "com.amazonaws.xray.contexts.ThreadLocalSegmentContext";

  /** The agent's AWS SDK instrumentation, or null when it is switched off. */
  private final AwsSdkProbe awsSdk;

  /** Per X-Ray SDK (the recorder's class): the classes a facade is made of. */
  private final ClassValue<Xray> sdks =
      new ClassValue<>() {
        @Override
        protected Xray computeValue(Class<?> recorderClass) {
          return new Xray(recorderClass);
        }
      };

  /**
   * @param awsSdk the agent's AWS SDK probe, told which calls X-Ray traces itself, or null
   */
  public XraySdkProbe(AwsSdkProbe awsSdk) {
    this.awsSdk = awsSdk;
  }

  @Override
  public String name() {
    return "xray-sdk";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            CONTEXT,
            "beginSubsegment",
            "(L" + RECORDER + ";Ljava/lang/String;)Lcom/amazonaws/xray/entities/Subsegment;",
            hook + BEGIN_SUBSEGMENT),
        Rule.wrap(name(), CONTEXT, "endSubsegment", "(L" + RECORDER + ";)V", hook + END_SUBSEGMENT),
        Rule.wrap(
            name(),
            RECORDER,
            "beginSegment",
            "(Lcom/amazonaws/xray/entities/Segment;)Lcom/amazonaws/xray/entities/Segment;",
            hook + BEGIN_SEGMENT),
        Rule.wrap(
            name(),
            "com.amazonaws.xray.interceptors.TracingInterceptor",
            "beforeExecution",
            null,
            hook + TRACING_INTERCEPTOR));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    switch (tag) {
      case BEGIN_SUBSEGMENT:
        beginUnderAgentSpan(hooks, self, args[0]);
        return null;
      case END_SUBSEGMENT:
        return endingUnderFacade(self, args[0]);
      case BEGIN_SEGMENT:
        joinAgentTrace(hooks, self, args[0]);
        return null;
      case TRACING_INTERCEPTOR:
        return awsSdk == null || args.length < 2 ? null : args[1];
      default:
        return null;
    }
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == END_SUBSEGMENT) {
      sendFromFacade(self, (Object[]) scope);
    } else if (tag == TRACING_INTERCEPTOR) {
      awsSdk.leaveToXraySdk(scope);
    }
    return result;
  }

  /**
   * When X-Ray has no entity on this thread and the agent has a span: the facade of that span,
   * which the subsegment about to begin will nest under.
   */
  private void beginUnderAgentSpan(HooksImpl hooks, Object context, Object recorder) {
    if (Reflect.call(context, "getTraceEntity") != null) {
      return; // inside the application's own segment or subsegment: X-Ray's business
    }
    SpanContext span = hooks.currentSpanContext();
    if (span == null || span.spanId() == null) {
      return;
    }
    Reflect.call(context, "setTraceEntity", sdks.get(recorder.getClass()).facade(recorder, span));
  }

  /** The subsegment about to end and its recorder, when it nests directly under a facade. */
  private Object[] endingUnderFacade(Object context, Object recorder) {
    Object current = Reflect.call(context, "getTraceEntity");
    if (current == null) {
      return null;
    }
    Object parent = Reflect.call(current, "getParent");
    return parent != null && sdks.get(recorder.getClass()).facadeClass.isInstance(parent)
        ? new Object[] {current, recorder, parent}
        : null;
  }

  /**
   * X-Ray's thread-local context knows no facade (its Lambda context does): it would keep the ended
   * subsegment forever inside the facade. So it is sent here, as the Lambda context does, and the
   * facade leaves the thread.
   */
  private void sendFromFacade(Object context, Object[] ended) {
    Object subsegment = ended[0];
    Object recorder = ended[1];
    if (Boolean.TRUE.equals(Reflect.call(subsegment, "isSampled"))) {
      Reflect.call(Reflect.call(recorder, "getEmitter"), "sendSubsegment", subsegment);
    }
    if (Reflect.call(context, "getTraceEntity") == ended[2]) {
      Reflect.call(context, "clearTraceEntity");
    }
  }

  /** A real segment begun under the agent's span becomes that span's child in its trace. */
  private void joinAgentTrace(HooksImpl hooks, Object recorder, Object segment) {
    SpanContext span = hooks.currentSpanContext();
    if (span == null || span.spanId() == null || segment == null) {
      return;
    }
    Xray xray = sdks.get(recorder.getClass());
    if (!xray.segmentImplClass.isInstance(segment)) {
      return; // a no-op segment: the X-Ray SDK decided not to record
    }
    Reflect.call(segment, "setTraceId", xray.traceId(span));
    Reflect.call(segment, "setParentId", span.spanId());
    Reflect.call(segment, "setSampled", span.isSampled());
  }

  /** The X-Ray SDK classes of one application class loader. */
  private static final class Xray {
    final Class<?> facadeClass;
    final Class<?> segmentImplClass;
    private final Constructor<?> facade;
    private final Method traceIdFromString;
    private final Object sampled;
    private final Object notSampled;

    Xray(Class<?> recorderClass) {
      ClassLoader loader = recorderClass.getClassLoader();
      try {
        facadeClass = Class.forName("com.amazonaws.xray.entities.FacadeSegment", false, loader);
        segmentImplClass = Class.forName("com.amazonaws.xray.entities.SegmentImpl", false, loader);
        Class<?> traceId = Class.forName("com.amazonaws.xray.entities.TraceID", false, loader);
        Class<?> decision =
            Class.forName("com.amazonaws.xray.entities.TraceHeader$SampleDecision", false, loader);
        Class<?> recorder = Class.forName(RECORDER.replace('/', '.'), false, loader);
        facade = facadeClass.getConstructor(recorder, traceId, String.class, decision);
        traceIdFromString = traceId.getMethod("fromString", String.class);
        sampled = decision.getField("SAMPLED").get(null);
        notSampled = decision.getField("NOT_SAMPLED").get(null);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("X-Ray SDK not supported: " + e, e);
      }
    }

    Object traceId(SpanContext span) {
      try {
        return traceIdFromString.invoke(null, span.xrayTraceId());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }

    Object facade(Object recorder, SpanContext span) {
      try {
        return facade.newInstance(
            recorder, traceId(span), span.spanId(), span.isSampled() ? sampled : notSampled);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
