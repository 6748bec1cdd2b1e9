package dev.trailmark.audit.handlers;

import com.amazonaws.xray.AWSXRay;
import com.amazonaws.xray.entities.Subsegment;
import com.amazonaws.xray.strategy.IgnoreErrorContextMissingStrategy;

/**
 * The handlers' X-Ray subsegments (rule evaluation, dispatch, each remediation), made with the AWS
 * X-Ray SDK and annotated with {@code rule_id}, {@code resource} and {@code outcome} so that X-Ray
 * can filter on them. Inside Lambda they join the invocation's trace; elsewhere there is no segment
 * to join, so that is ignored silently.
 */
final class Tracing {
  static {
    if (System.getenv("LAMBDA_TASK_ROOT") == null
        && System.getenv("AWS_XRAY_CONTEXT_MISSING") == null
        && System.getProperty("com.amazonaws.xray.strategy.contextMissingStrategy") == null) {
      AWSXRay.getGlobalRecorder()
          .setContextMissingStrategy(new IgnoreErrorContextMissingStrategy());
    }
  }

  private Tracing() {}

  /** Starts a subsegment; end it with {@link #end(Subsegment)} in a {@code finally}. */
  static Subsegment begin(String name) {
    return AWSXRay.beginSubsegment(name);
  }

  /** Annotates a value unless it is null (X-Ray annotations cannot be null). */
  static void annotate(Subsegment subsegment, String key, String value) {
    if (value != null) {
      subsegment.putAnnotation(key, value);
    }
  }

  /** Records the exception on the subsegment before it is rethrown. */
  static void fail(Subsegment subsegment, Throwable e) {
    subsegment.putAnnotation("outcome", "error");
    subsegment.addException(e);
  }

  static void end(Subsegment subsegment) {
    AWSXRay.endSubsegment(subsegment);
  }
}
