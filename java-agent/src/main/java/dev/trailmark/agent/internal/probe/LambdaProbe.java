package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * AWS Lambda functions run by the AWS Lambda Java runtime interface client ({@code
 * aws-lambda-java-runtime-interface-client} 2.x, the runtime of container images): each invocation
 * is a span from the moment the runtime receives it ({@code nextInvocation}) to the moment it
 * reports its response or error, under the trace header the Lambda Runtime API gave that invocation
 * ({@code Lambda-Runtime-Trace-Id}, the function's segment), current on the thread that runs the
 * handler, whatever its kind ({@code RequestHandler}, {@code RequestStreamHandler}, a handler
 * method). The first invocation of the process is marked as the cold start ({@code faas.coldstart},
 * X-Ray annotation {@code faas_coldstart}); an API Gateway event (REST or HTTP API) gives the span
 * its method, path, route and the response's status, an SQS event its queue and batch size. Before
 * the response is reported the spans are exported on the runtime's thread: once it is, Lambda may
 * freeze the process until the next invocation.
 */
public final class LambdaProbe extends Probe {

  private static final String CLIENT =
      "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.LambdaRuntimeApiClientImpl";
  private static final String INVOCATION =
      "Lcom/amazonaws/services/lambda/runtime/api/client/runtimeapi/dto/InvocationRequest;";

  private static final int NEXT = 0;
  private static final int SUCCESS = 1;
  private static final int ERROR = 2;
  private static final int FAILURE = 3;

  private final AtomicBoolean coldStart = new AtomicBoolean(true);
  private final String function = functionName();

  /** The invocation open on this runtime thread: its scope, then the handler's failure if any. */
  private final ThreadLocal<Object[]> open = new ThreadLocal<>();

  @Override
  public String name() {
    return "aws-lambda";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(name(), CLIENT, "nextInvocation", "()" + INVOCATION, hook + NEXT),
        Rule.wrap(
            name(), CLIENT, "reportInvocationSuccess", "(Ljava/lang/String;[B)V", hook + SUCCESS),
        Rule.wrap(
            name(),
            CLIENT,
            "reportInvocationError",
            "(Ljava/lang/String;Lcom/amazonaws/services/lambda/runtime/api/client/runtimeapi/"
                + "LambdaError;)V",
            hook + ERROR),
        // Where the runtime turns what the handler threw into the error it reports.
        Rule.wrap(
            name(),
            "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
            "createLambdaErrorFromThrowableOrUserFault",
            null,
            hook + FAILURE));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    switch (tag) {
      case NEXT:
        end(hooks, 0, null); // an invocation whose report never came: it is over
        return hooks.untraced(); // waiting for the next event is no span of the function
      case SUCCESS:
        Object[] invocation = open.get();
        end(
            hooks,
            invocation != null && args[1] instanceof byte[] && invocation[2] != null
                ? LambdaEvent.statusCode((byte[]) args[1])
                : 0,
            null);
        return hooks.untraced(); // the runtime's own call to its API is no span of the function
      case ERROR:
        Object[] failed = open.get();
        end(hooks, 0, failed == null ? null : (Throwable) failed[1]);
        return hooks.untraced();
      case FAILURE:
        Object[] current = open.get();
        if (current != null && args.length == 1 && args[0] instanceof Throwable) {
          current[1] = args[0];
        }
        return null;
      default:
        return null;
    }
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == FAILURE) {
      return result;
    }
    hooks.traced(scope);
    if (tag == NEXT && result != null && thrown == null) {
      start(hooks, result);
    }
    return result;
  }

  private void start(HooksImpl hooks, Object request) {
    Object scope =
        hooks.invocationStart(
            request,
            (String) Reflect.call(request, "getXrayTraceId"),
            function,
            (String) Reflect.call(request, "getId"),
            coldStart.getAndSet(false));
    open.set(new Object[] {scope, null, null});
    Object content = Reflect.call(request, "getContent");
    LambdaEvent event = LambdaEvent.of(content instanceof byte[] ? (byte[]) content : null);
    if (event.method != null) {
      hooks.invocationHttp(scope, event.method, event.path, event.route);
      open.get()[2] = Boolean.TRUE; // its response carries the HTTP status
    } else if (event.messages > 0) {
      hooks.invocationMessages(scope, event.queueUrl, event.messages);
    }
  }

  /** Ends this thread's open invocation, if any, and exports its spans before the report. */
  private void end(HooksImpl hooks, int status, Throwable error) {
    Object[] invocation = open.get();
    if (invocation == null) {
      return;
    }
    open.remove();
    hooks.serverEnd(invocation[0], status, error);
    hooks.flushSpans();
  }

  private static String functionName() {
    String name = System.getenv("AWS_LAMBDA_FUNCTION_NAME");
    return name == null || name.isEmpty() ? "handler" : name;
  }
}
