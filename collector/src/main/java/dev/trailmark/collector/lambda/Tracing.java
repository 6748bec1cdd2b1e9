package dev.trailmark.collector.lambda;

import com.amazonaws.xray.AWSXRay;
import com.amazonaws.xray.entities.Subsegment;
import com.amazonaws.xray.strategy.IgnoreErrorContextMissingStrategy;

/**
 * The handlers' X-Ray subsegments, made with the AWS X-Ray SDK. Inside Lambda (with active tracing)
 * they join the invocation's trace and go to the X-Ray daemon; elsewhere (tests, a local run
 * without a trace) there is no segment to join, so the SDK is told to ignore that instead of
 * logging an error for every subsegment.
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

  /** Records the exception on the subsegment (a fault) before it is rethrown. */
  static void fail(Subsegment subsegment, Throwable e, String outcome) {
    subsegment.putAnnotation("outcome", outcome);
    subsegment.addException(e);
  }

  static void end(Subsegment subsegment) {
    AWSXRay.endSubsegment(subsegment);
  }
}
