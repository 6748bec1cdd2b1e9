package dev.trailmark.common.xray;

import com.amazonaws.xray.AWSXRay;
import com.amazonaws.xray.entities.Subsegment;
import com.amazonaws.xray.strategy.IgnoreErrorContextMissingStrategy;

/**
 * The Lambda handlers' X-Ray subsegments, made with the AWS X-Ray SDK. Inside Lambda (with active
 * tracing) they join the invocation's trace and go to the X-Ray daemon; elsewhere (tests, a local
 * run without a trace) there is no segment to join, so the SDK is told to ignore that instead of
 * logging an error for every subsegment, unless the user chose a strategy themselves.
 */
public final class Subsegments {
  static {
    if (System.getenv("LAMBDA_TASK_ROOT") == null
        && System.getenv("AWS_XRAY_CONTEXT_MISSING") == null
        && System.getProperty("com.amazonaws.xray.strategy.contextMissingStrategy") == null) {
      AWSXRay.getGlobalRecorder()
          .setContextMissingStrategy(new IgnoreErrorContextMissingStrategy());
    }
  }

  private Subsegments() {}

  /** Starts a subsegment; end it with {@link #end(Subsegment)} in a {@code finally}. */
  public static Subsegment begin(String name) {
    return AWSXRay.beginSubsegment(name);
  }

  /** Annotates a value unless it is null (X-Ray annotations cannot be null). */
  public static void annotate(Subsegment subsegment, String key, String value) {
    if (value != null) {
      subsegment.putAnnotation(key, value);
    }
  }

  /**
   * Records the exception on the subsegment (a fault) before it is rethrown, with an {@code
   * outcome} annotation X-Ray can filter on.
   */
  public static void fail(Subsegment subsegment, Throwable e, String outcome) {
    subsegment.putAnnotation("outcome", outcome);
    subsegment.addException(e);
  }

  /** Ends a subsegment begun with {@link #begin(String)}. */
  public static void end(Subsegment subsegment) {
    AWSXRay.endSubsegment(subsegment);
  }
}
