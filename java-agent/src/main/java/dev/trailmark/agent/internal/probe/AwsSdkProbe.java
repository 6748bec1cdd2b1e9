package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWS SDK for Java v2: adds an {@code ExecutionInterceptor} to every client, as if it were listed
 * in the SDK's global interceptors. It records a client span per AWS call (service, operation,
 * region), adds the trace headers to every HTTP request, and sets the {@code AWSTraceHeader} system
 * attribute of SQS SendMessage and of every SendMessageBatch entry (unless the caller set one).
 * Calls made outside any trace (no request in progress, no Lambda invocation) are left untraced.
 * The interceptor is a {@link Proxy} of the application's own interface, so no class is injected
 * into its class loader.
 */
public final class AwsSdkProbe extends Probe {

  /**
   * The name of an AWS SDK class of the application. Built at run time on purpose: the agent jar
   * shades its own copy of the SDK (for metrics), and the shade plugin rewrites every string
   * constant that starts with the SDK's package, which would point this probe at the agent's copy
   * instead of the application's.
   */
  static String sdk(String rest) {
    return new StringBuilder(64)
        .append("software")
        .append(".amazon.awssdk.")
        .append(rest)
        .toString();
  }

  private static final String AWS_TRACE_HEADER = "AWSTraceHeader";
  private static final String SEND_MESSAGE = sdk("services.sqs.model.SendMessageRequest");
  private static final String SEND_MESSAGE_BATCH =
      sdk("services.sqs.model.SendMessageBatchRequest");
  private static final String RECEIVE_MESSAGE = sdk("services.sqs.model.ReceiveMessageRequest");

  /** SQS consumer spans, or null when they are switched off. */
  private final SqsConsumerProbe sqsConsumer;

  /**
   * @param sqsConsumer the SQS consumer probe, told of each receive call, or null
   */
  public AwsSdkProbe(SqsConsumerProbe sqsConsumer) {
    this.sqsConsumer = sqsConsumer;
  }

  /** Per SDK class loader: the interceptor interface and the attribute our scope is kept under. */
  private final ClassValue<Sdk> sdks =
      new ClassValue<>() {
        @Override
        protected Sdk computeValue(Class<?> factoryClass) {
          return new Sdk(factoryClass.getClassLoader());
        }
      };

  private HooksImpl hooks;

  /**
   * The X-Ray SDK's own interceptor traces the AWS call of these execution attributes: the agent
   * makes no span of it (dropping one it started) and adds no header, so the call is one
   * subsegment, X-Ray's, whichever interceptor runs first.
   */
  void leaveToXraySdk(Object attributes) {
    Class<?> factory;
    try {
      factory =
          Class.forName(
              sdk("core.interceptor.ClasspathInterceptorChainFactory"),
              false,
              attributes.getClass().getClassLoader());
    } catch (ClassNotFoundException e) {
      return;
    }
    Sdk sdk = sdks.get(factory);
    Reflect.call(attributes, "putAttribute", sdk.leftToXray, Boolean.TRUE);
    if (sdk.attribute(attributes, sdk.scopeKey) != null) {
      Reflect.call(attributes, "putAttribute", sdk.scopeKey, null); // never ended, never exported
    }
  }

  @Override
  public String name() {
    return "aws-sdk";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            sdk("core.interceptor.ClasspathInterceptorChainFactory"),
            "getGlobalInterceptors",
            "()Ljava/util/List;",
            hook));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    this.hooks = hooks;
    return Boolean.TRUE; // always interested in the result
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (thrown != null || !(result instanceof List)) {
      return result;
    }
    Sdk sdk = sdks.get(self.getClass());
    List<Object> interceptors = new ArrayList<>((List<?>) result);
    interceptors.add(sdk.interceptor);
    return interceptors;
  }

  /**
   * X-Ray's names for the services whose SDK names differ in case only ("Sqs" is "SQS" in the
   * console).
   */
  static String xrayServiceName(String sdkName) {
    if (sdkName == null) {
      return "AWS";
    }
    switch (sdkName) {
      case "Sqs":
        return "SQS";
      case "Sns":
        return "SNS";
      case "DynamoDb":
        return "DynamoDB";
      case "Sts":
        return "STS";
      case "Ec2":
        return "EC2";
      case "Ecs":
        return "ECS";
      case "Iam":
        return "IAM";
      case "Kms":
        return "KMS";
      case "Ses":
        return "SES";
      default:
        return sdkName;
    }
  }

  private final class Sdk implements InvocationHandler {
    final Object interceptor;
    final Object scopeKey;
    final Object leftToXray;
    final Object serviceName;
    final Object operationName;
    final Object region;
    final ClassLoader loader;

    Sdk(ClassLoader loader) {
      this.loader = loader;
      try {
        Class<?> api = Class.forName(sdk("core.interceptor.ExecutionInterceptor"), false, loader);
        Class<?> attribute =
            Class.forName(sdk("core.interceptor.ExecutionAttribute"), false, loader);
        Class<?> sdkAttributes =
            Class.forName(sdk("core.interceptor.SdkExecutionAttribute"), false, loader);
        this.scopeKey = attribute.getConstructor(String.class).newInstance("TrailmarkAgentScope");
        this.leftToXray =
            attribute.getConstructor(String.class).newInstance("TrailmarkAgentLeftToXraySdk");
        this.serviceName = sdkAttributes.getField("SERVICE_NAME").get(null);
        this.operationName = sdkAttributes.getField("OPERATION_NAME").get(null);
        Object regionKey;
        try {
          regionKey =
              Class.forName(sdk("awscore.AwsExecutionAttribute"), false, loader)
                  .getField("AWS_REGION")
                  .get(null);
        } catch (ClassNotFoundException | NoSuchFieldException notAws) {
          regionKey = null;
        }
        this.region = regionKey;
        this.interceptor = Proxy.newProxyInstance(loader, new Class<?>[] {api}, this);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("AWS SDK not supported: " + e, e);
      }
    }

    /**
     * The SDK calls this proxy inside the application's call: whatever the agent fails at, the call
     * goes on as if the interceptor were absent (a modify step hands back what it was given).
     */
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      try {
        return intercept(proxy, method, args);
      } catch (RuntimeException | LinkageError e) {
        switch (method.getName()) {
          case "modifyRequest":
            return Reflect.call(args[0], "request");
          case "modifyHttpRequest":
            return Reflect.call(args[0], "httpRequest");
          default:
            return method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : null;
        }
      }
    }

    private Object intercept(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "beforeExecution":
          beforeExecution(args[1]);
          return null;
        case "modifyRequest":
          return modifyRequest(args[0], args[1]);
        case "modifyHttpRequest":
          return modifyHttpRequest(args[0], args[1]);
        case "afterExecution":
          if (sqsConsumer != null
              && Reflect.call(args[0], "request").getClass().getName().equals(RECEIVE_MESSAGE)) {
            sqsConsumer.receiveEnded(hooks, attribute(args[1], scopeKey));
          }
          end(args[1], Reflect.call(args[0], "httpResponse"), null);
          return null;
        case "onExecutionFailure":
          Object response = Reflect.call(args[0], "httpResponse");
          end(
              args[1],
              response instanceof Optional ? ((Optional<?>) response).orElse(null) : null,
              (Throwable) Reflect.call(args[0], "exception"));
          return null;
        default:
          return Reflect.proxyDefault(proxy, method, args);
      }
    }

    private Object attribute(Object attributes, Object key) {
      return key == null ? null : Reflect.call(attributes, "getAttribute", key);
    }

    private void beforeExecution(Object attributes) {
      if (attribute(attributes, leftToXray) != null) {
        return;
      }
      String service = xrayServiceName((String) attribute(attributes, serviceName));
      String operation = (String) attribute(attributes, operationName);
      Object regionValue = attribute(attributes, region);
      Object scope = hooks.clientStartDetached(attributes, null, null);
      if (scope != null) {
        hooks.clientAws(
            scope, service, operation, regionValue == null ? null : regionValue.toString(), null);
        Reflect.call(attributes, "putAttribute", scopeKey, scope);
      }
    }

    private Object modifyRequest(Object context, Object attributes) {
      Object request = Reflect.call(context, "request");
      Object scope = attribute(attributes, scopeKey);
      String type = request.getClass().getName();
      if (type.equals(RECEIVE_MESSAGE)) {
        if (scope != null) {
          hooks.clientAwsResource(scope, (String) Reflect.call(request, "queueUrl"));
        }
        return sqsConsumer == null ? request : withTraceHeaderRequested(request);
      }
      if (scope == null) {
        return request;
      }
      if (type.equals(SEND_MESSAGE)) {
        hooks.clientAwsResource(scope, (String) Reflect.call(request, "queueUrl"));
        return withTraceHeader(request, hooks.awsTraceHeader(scope));
      }
      if (type.equals(SEND_MESSAGE_BATCH)) {
        hooks.clientAwsResource(scope, (String) Reflect.call(request, "queueUrl"));
        String header = hooks.awsTraceHeader(scope);
        List<Object> entries = new ArrayList<>();
        for (Object entry : (List<?>) Reflect.call(request, "entries")) {
          entries.add(withTraceHeader(entry, header));
        }
        Object builder = Reflect.call(request, "toBuilder");
        Reflect.callTyped(builder, "entries", new Class<?>[] {Collection.class}, entries);
        return Reflect.call(builder, "build");
      }
      return request;
    }

    /**
     * The ReceiveMessage request asking for the AWSTraceHeader system attribute too, unless it asks
     * for it (or for all) already: the consumer spans continue the producer's trace from it.
     */
    @SuppressWarnings("unchecked")
    private Object withTraceHeaderRequested(Object request) {
      List<String> system;
      String setter;
      try {
        system = (List<String>) Reflect.call(request, "messageSystemAttributeNamesAsStrings");
        setter = "messageSystemAttributeNamesWithStrings";
      } catch (IllegalStateException olderSdk) { // before 2.25: only the deprecated attributeNames
        system = (List<String>) Reflect.call(request, "attributeNamesAsStrings");
        setter = "attributeNamesWithStrings";
      }
      List<String> legacy = (List<String>) Reflect.call(request, "attributeNamesAsStrings");
      if (system.contains(AWS_TRACE_HEADER)
          || system.contains("All")
          || legacy.contains(AWS_TRACE_HEADER)
          || legacy.contains("All")) {
        return request;
      }
      List<String> names = new ArrayList<>(system);
      names.add(AWS_TRACE_HEADER);
      Object builder = Reflect.call(request, "toBuilder");
      Reflect.callTyped(builder, setter, new Class<?>[] {Collection.class}, names);
      return Reflect.call(builder, "build");
    }

    /**
     * A copy of a SendMessage request or batch entry with the AWSTraceHeader system attribute
     * added.
     */
    @SuppressWarnings("unchecked")
    private Object withTraceHeader(Object message, String header) {
      Map<String, Object> existing =
          (Map<String, Object>) Reflect.call(message, "messageSystemAttributesAsStrings");
      if (existing.containsKey(AWS_TRACE_HEADER)) {
        return message; // the caller's own trace header wins
      }
      try {
        Class<?> valueType =
            Class.forName(
                sdk("services.sqs.model.MessageSystemAttributeValue"),
                false,
                message.getClass().getClassLoader());
        Object valueBuilder = valueType.getMethod("builder").invoke(null);
        Reflect.call(valueBuilder, "dataType", "String");
        Reflect.callTyped(valueBuilder, "stringValue", new Class<?>[] {String.class}, header);
        Map<String, Object> attributes = new HashMap<>(existing);
        attributes.put(AWS_TRACE_HEADER, Reflect.call(valueBuilder, "build"));
        Object builder = Reflect.call(message, "toBuilder");
        Reflect.callTyped(
            builder, "messageSystemAttributesWithStrings", new Class<?>[] {Map.class}, attributes);
        return Reflect.call(builder, "build");
      } catch (ReflectiveOperationException e) {
        return message;
      }
    }

    private Object modifyHttpRequest(Object context, Object attributes) {
      Object http = Reflect.call(context, "httpRequest");
      Object scope = attribute(attributes, scopeKey);
      String[] headers = scope == null ? null : hooks.clientHeaders(scope);
      if (headers == null) {
        return http;
      }
      hooks.setHttp(
          scope,
          String.valueOf(Reflect.call(http, "method")),
          String.valueOf(Reflect.call(http, "getUri")));
      Object builder = Reflect.call(http, "toBuilder");
      for (int i = 0; i < headers.length; i += 2) {
        Reflect.callTyped(
            builder,
            "putHeader",
            new Class<?>[] {String.class, String.class},
            headers[i],
            headers[i + 1]);
      }
      return Reflect.call(builder, "build");
    }

    private void end(Object attributes, Object httpResponse, Throwable error) {
      Object scope = attribute(attributes, scopeKey);
      if (scope == null) {
        return;
      }
      Reflect.call(attributes, "putAttribute", scopeKey, null);
      int status = httpResponse == null ? 0 : (Integer) Reflect.call(httpResponse, "statusCode");
      hooks.clientEndDetached(scope, status, error);
    }
  }
}
