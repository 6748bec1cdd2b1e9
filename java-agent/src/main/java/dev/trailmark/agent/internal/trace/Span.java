package dev.trailmark.agent.internal.trace;

import static dev.trailmark.agent.internal.trace.SpanAttributes.*;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One timed operation: an inbound request (server), an outbound call (client) or an AWS call.
 * Mutated only by the thread that owns it until {@link Tracer#end}; read by exporters after that.
 *
 * <p>It is the OpenTelemetry SDK's {@link io.opentelemetry.sdk.trace.data.SpanData} itself, so any
 * SDK {@code SpanExporter} exports it without a copy; the SDK views (ids, attributes, events) are
 * built only when an exporter asks, on the exporter's thread, never on the application's.
 */
public final class Span implements io.opentelemetry.sdk.trace.data.SpanData {

  /** The agent as the instrumentation scope of every span it makes. */
  static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.builder("trailmark-agent").setVersion(AgentVersion.VERSION).build();

  /** What side of a call a span is. */
  public enum Kind {
    SERVER,
    CLIENT,
    /** The processing of one message received from a queue: a segment of the producer's trace. */
    CONSUMER,
    /** The sending of one message to a broker (Kafka), ended when the broker acknowledges it. */
    PRODUCER,
    /** A span the application opened through its own OpenTelemetry API (see {@link ManualData}). */
    INTERNAL
  }

  private final SpanContext context;
  private final String parentSpanId;
  private final boolean parentRemote;
  private final Kind kind;
  private final Span localParent;
  private final Object carrier;
  private final long startEpochNanos;
  private final long startNanoTime;
  private long endEpochNanos;
  private String method;
  private String url;
  private String route;
  private int status;
  private Throwable error;
  private String awsService;
  private String awsOperation;
  private String awsRegion;
  private String awsResource;
  private Map<String, String> logFields;
  private Database database;
  private String dbOperation;
  private String dbStatement;
  private String dbPreparation;
  private int dbBatchSize;
  private String queueUrl; // a consumer span's queue
  private String messageId;
  private String messagingSystem; // a Kafka span's "kafka"; null: SQS
  private SpanContext link; // a consumer span's receive call, when it was traced
  private String faasName; // a Lambda invocation's function, else null
  private String faasInvocationId;
  private String faasTrigger;
  private boolean faasColdStart;
  private int faasMessages; // an SQS-triggered invocation's batch size
  private String rpcService; // a gRPC call's service (package.Service) and method
  private String rpcMethod;
  private int grpcStatus = -1; // the gRPC status code, once known
  private final Resource resource;
  private Attributes attributes; // built on first export
  private io.opentelemetry.api.trace.SpanContext sdkContext; // built on first export
  private io.opentelemetry.api.trace.SpanContext sdkParent; // built on first export
  private volatile ManualData manual; // what the application's OpenTelemetry API added, or null

  Span(
      SpanContext context,
      String parentSpanId,
      boolean parentRemote,
      Kind kind,
      Span localParent,
      Object carrier,
      long startEpochNanos,
      long startNanoTime,
      Resource resource) {
    this.resource = resource;
    this.context = context;
    this.parentSpanId = parentSpanId;
    this.parentRemote = parentRemote;
    this.kind = kind;
    this.localParent = localParent;
    this.carrier = carrier;
    this.startEpochNanos = startEpochNanos;
    this.startNanoTime = startNanoTime;
  }

  public SpanContext context() {
    return context;
  }

  /** What the application's OpenTelemetry API put on this span, or null. */
  public ManualData manual() {
    return manual;
  }

  /**
   * What the application's OpenTelemetry API puts on this span, created when it first adds to one
   * of the agent's own spans.
   */
  public synchronized ManualData manualOrCreate() {
    ManualData m = manual;
    if (m == null) {
      m = new ManualData(false, null);
      manual = m;
    }
    return m;
  }

  void manual(ManualData manual) {
    this.manual = manual;
  }

  /** The parent span's id, or null for the first span of a trace (or under a Root-only header). */
  public String parentSpanId() {
    return parentSpanId;
  }

  public boolean parentRemote() {
    return parentRemote;
  }

  public Kind kind() {
    return kind;
  }

  /** The span that was current when this one started in this process, or null. */
  public Span localParent() {
    return localParent;
  }

  /**
   * The request object this span was started for (nested instrumentation of one request is
   * skipped).
   */
  public Object carrier() {
    return carrier;
  }

  public long startEpochNanos() {
    return startEpochNanos;
  }

  long startNanoTime() {
    return startNanoTime;
  }

  void end(long nanoTime) {
    this.endEpochNanos = startEpochNanos + (nanoTime - startNanoTime);
  }

  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  public String method() {
    return method;
  }

  public String url() {
    return url;
  }

  /** The route template ({@code /orders/{id}}), or null when the framework does not know one. */
  public String route() {
    return route;
  }

  public int status() {
    return status;
  }

  public Throwable error() {
    return error;
  }

  public String awsService() {
    return awsService;
  }

  public String awsOperation() {
    return awsOperation;
  }

  public String awsRegion() {
    return awsRegion;
  }

  public String awsResource() {
    return awsResource;
  }

  /** The database a database client span called, or null for any other span. */
  public Database database() {
    return database;
  }

  /** The statement's operation ({@code SELECT}, {@code BATCH INSERT}...), or null. */
  public String dbOperation() {
    return dbOperation;
  }

  /** The statement with its literals replaced by {@code ?}, or null. */
  public String dbStatement() {
    return dbStatement;
  }

  /**
   * X-Ray's {@code preparation}: {@code statement} (prepared), {@code call} (callable) or null
   * (plain).
   */
  public String dbPreparation() {
    return dbPreparation;
  }

  /** A consumer span's queue URL, or null. */
  public String queueUrl() {
    return messagingSystem == null ? queueUrl : null;
  }

  /** A Kafka producer's topic: what X-Ray names its remote node after; null for any other span. */
  public String producerDestination() {
    return kind == Kind.PRODUCER ? queueUrl : null;
  }

  /** A consumer span's message id, or null. */
  public String messageId() {
    return messageId;
  }

  /** The span a consumer span is linked to (the receive call that fetched its message), or null. */
  public SpanContext link() {
    return link;
  }

  /** Whether this span is a Lambda invocation's; null for any other span. */
  public Boolean faasColdStart() {
    return faasName == null ? null : faasColdStart;
  }

  /** Marks this span as the invocation of Lambda function {@code name}. */
  void invocation(String name, String requestId, boolean coldStart, String trigger) {
    this.faasName = name;
    this.faasInvocationId = requestId;
    this.faasColdStart = coldStart;
    this.faasTrigger = trigger;
  }

  void trigger(String trigger) {
    this.faasTrigger = trigger;
  }

  /** An SQS-triggered invocation: the queue its batch of {@code messages} came from. */
  void invocationMessages(String queueUrl, int messages) {
    this.queueUrl = queueUrl;
    this.faasMessages = messages;
    this.faasTrigger = "pubsub";
  }

  void message(String queueUrl, String messageId, SpanContext link) {
    this.queueUrl = queueUrl;
    this.messageId = messageId;
    this.link = link;
  }

  /**
   * A message of a broker other than SQS ({@code system}, e.g. {@code kafka}) sent to or processed
   * from {@code destination} (a topic).
   */
  void brokerMessage(String system, String destination, String messageId) {
    this.messagingSystem = system;
    this.queueUrl = destination;
    this.messageId = messageId;
  }

  /** The last part of a queue URL: the queue's name. */
  public static String queueName(String queueUrl) {
    if (queueUrl == null) {
      return "unknown";
    }
    int slash = queueUrl.lastIndexOf('/');
    return queueUrl.substring(slash + 1);
  }

  void db(
      Database database, String operation, String statement, String preparation, int batchSize) {
    this.database = database;
    this.dbOperation = operation;
    this.dbStatement = statement;
    this.dbPreparation = preparation;
    this.dbBatchSize = batchSize;
  }

  void http(String method, String url) {
    this.method = method;
    this.url = url;
  }

  void route(String route) {
    this.route = route;
  }

  void result(int status, Throwable error) {
    this.status = status;
    this.error = error;
  }

  /** Marks a gRPC call: its service ({@code package.Service}) and method. */
  void grpc(String service, String method) {
    this.rpcService = service;
    this.rpcMethod = method;
  }

  /**
   * The outcome of a gRPC call: its status code, and the HTTP status Google's APIs map it to (so
   * that faults, errors and RED outcomes read as for HTTP: {@code UNAVAILABLE} a 503, {@code
   * NOT_FOUND} a 404).
   */
  void grpcResult(int code, Throwable error) {
    this.grpcStatus = code;
    this.status = httpStatusOfGrpc(code);
    this.error = error;
  }

  /** The HTTP status of a gRPC status code, as google.rpc.Code documents it. */
  static int httpStatusOfGrpc(int code) {
    switch (code) {
      case 0:
        return 200;
      case 1: // CANCELLED
        return 499;
      case 3: // INVALID_ARGUMENT
      case 9: // FAILED_PRECONDITION
      case 11: // OUT_OF_RANGE
        return 400;
      case 4: // DEADLINE_EXCEEDED
        return 504;
      case 5: // NOT_FOUND
        return 404;
      case 6: // ALREADY_EXISTS
      case 10: // ABORTED
        return 409;
      case 7: // PERMISSION_DENIED
        return 403;
      case 8: // RESOURCE_EXHAUSTED
        return 429;
      case 12: // UNIMPLEMENTED
        return 501;
      case 14: // UNAVAILABLE
        return 503;
      case 16: // UNAUTHENTICATED
        return 401;
      default: // UNKNOWN, INTERNAL, DATA_LOSS
        return 500;
    }
  }

  void aws(String service, String operation, String region, String resource) {
    this.awsService = service;
    this.awsOperation = operation;
    this.awsRegion = region;
    this.awsResource = resource;
  }

  /**
   * The OpenTelemetry-style span name: {@code GET /orders/{id}} for servers, {@code
   * SQS.SendMessage} for AWS.
   */
  public String name() {
    if (awsService != null) {
      return awsService + "." + awsOperation;
    }
    if (kind == Kind.CONSUMER) {
      return queueName(queueUrl) + " process";
    }
    if (kind == Kind.PRODUCER) {
      return queueUrl + " publish";
    }
    if (faasName != null && method == null) {
      return faasName;
    }
    if (rpcService != null) {
      return rpcService + "/" + rpcMethod;
    }
    if (database != null) {
      String db = database.name() != null ? database.name() : database.system();
      return dbOperation == null ? db : dbOperation + " " + db;
    }
    String m = method == null ? "HTTP" : method;
    if (kind == Kind.SERVER) {
      return route == null ? m : m + " " + route;
    }
    return m;
  }

  /** The host of {@link #url()}, for X-Ray's remote subsegment name and the client RED tag. */
  public String host() {
    return database != null ? database.node() : host(url);
  }

  /** The host (and port) of a URL; {@code unknown} for none. */
  public static String host(String url) {
    if (url == null) {
      return "unknown";
    }
    int start = url.indexOf("://");
    start = start < 0 ? 0 : start + 3;
    int end = start;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    return url.substring(start, end);
  }

  /** Whether the outcome was a server fault (5xx or an exception). */
  public boolean isFault() {
    return status >= 500 || (error != null && status < 400);
  }

  /** Whether the outcome was a client error (4xx). */
  public boolean isClientError() {
    return status >= 400 && status < 500;
  }

  /** The MDC fields of log events made under this span; computed once, shared by all of them. */
  public Map<String, String> logFields() {
    Map<String, String> fields = logFields;
    if (fields == null) {
      fields =
          Map.of(
              "trace_id", context.traceId(),
              "span_id", context.spanId(),
              "trace_flags", context.isSampled() ? "01" : "00",
              "AWS-XRAY-TRACE-ID",
                  new StringBuilder(52)
                      .append(context.xrayTraceId())
                      .append('@')
                      .append(context.spanId())
                      .toString());
      logFields = fields; // a benign race: every thread computes the same map
    }
    return fields;
  }

  // ---- io.opentelemetry.sdk.trace.data.SpanData, read by exporters once the span has ended ----

  @Override
  public String getName() {
    ManualData m = manual;
    String named = m == null ? null : m.name();
    return named != null ? named : name();
  }

  @Override
  public SpanKind getKind() {
    if (kind == Kind.INTERNAL) {
      return manual == null ? SpanKind.INTERNAL : manual.kind();
    }
    return kind == Kind.SERVER
        ? SpanKind.SERVER
        : kind == Kind.CONSUMER
            ? SpanKind.CONSUMER
            : kind == Kind.PRODUCER ? SpanKind.PRODUCER : SpanKind.CLIENT;
  }

  @Override
  public io.opentelemetry.api.trace.SpanContext getSpanContext() {
    io.opentelemetry.api.trace.SpanContext built = sdkContext;
    if (built == null) {
      built =
          io.opentelemetry.api.trace.SpanContext.create(
              context.traceId(),
              context.spanId(),
              context.isSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
              traceState());
      sdkContext = built; // a benign race: every exporter thread builds the same value
    }
    return built;
  }

  @Override
  public io.opentelemetry.api.trace.SpanContext getParentSpanContext() {
    if (parentSpanId == null) {
      return io.opentelemetry.api.trace.SpanContext.getInvalid();
    }
    io.opentelemetry.api.trace.SpanContext built = sdkParent;
    if (built == null) {
      TraceFlags flags = context.isSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault();
      built =
          parentRemote
              ? io.opentelemetry.api.trace.SpanContext.createFromRemoteParent(
                  context.traceId(), parentSpanId, flags, traceState())
              : io.opentelemetry.api.trace.SpanContext.create(
                  context.traceId(), parentSpanId, flags, traceState());
      sdkParent = built;
    }
    return built;
  }

  // The ids as they are: the SDK's defaults would build (and validate) a span context on every
  // call.

  @Override
  public String getTraceId() {
    return context.traceId();
  }

  @Override
  public String getSpanId() {
    return context.spanId();
  }

  @Override
  public String getParentSpanId() {
    return parentSpanId == null ? io.opentelemetry.api.trace.SpanId.getInvalid() : parentSpanId;
  }

  private TraceState traceState() {
    String header = context.traceState();
    if (header == null) {
      return TraceState.getDefault();
    }
    io.opentelemetry.api.trace.TraceStateBuilder builder = TraceState.builder();
    String[] members = header.split(",");
    for (int i = members.length - 1; i >= 0; i--) { // put() prepends: the header's order is kept
      String member = members[i].trim();
      int eq = member.indexOf('=');
      if (eq > 0) {
        builder.put(member.substring(0, eq), member.substring(eq + 1));
      }
    }
    return builder.build();
  }

  @Override
  public StatusData getStatus() {
    // Error for server faults (5xx, exceptions) and for any failed client call (4xx included).
    boolean failed = isFault() || (kind == Kind.CLIENT && isClientError());
    ManualData m = manual;
    if (m != null && (!failed || m.status().getStatusCode() != StatusCode.UNSET)) {
      return m.status(); // what the application set wins, as in the SDK
    }
    return failed ? StatusData.error() : StatusData.unset();
  }

  @Override
  public long getStartEpochNanos() {
    return startEpochNanos;
  }

  @Override
  public Attributes getAttributes() {
    Attributes built = attributes;
    if (built == null) {
      AttributesBuilder b = Attributes.builder();
      if (method != null) {
        b.put(HTTP_METHOD, method);
      }
      if (url != null) {
        b.put(URL_FULL, url);
      }
      if (route != null) {
        b.put(HTTP_ROUTE, route);
      }
      if (rpcService != null) {
        b.put(RPC_SYSTEM, "grpc");
        b.put(RPC_SERVICE, rpcService);
        b.put(RPC_METHOD, rpcMethod);
        if (grpcStatus >= 0) {
          b.put(RPC_GRPC_STATUS, (long) grpcStatus);
        }
      } else if (status > 0) { // a gRPC call's HTTP status is only the mapping of its code
        b.put(HTTP_STATUS, (long) status);
      }
      if (messagingSystem != null) {
        b.put(MESSAGING_SYSTEM, messagingSystem);
        b.put(MESSAGING_OPERATION, kind == Kind.PRODUCER ? "publish" : "process");
        b.put(MESSAGING_DESTINATION, queueUrl);
        if (messageId != null) {
          b.put(MESSAGING_MESSAGE_ID, messageId);
        }
      } else if (kind == Kind.CONSUMER) {
        b.put(MESSAGING_SYSTEM, "aws_sqs");
        b.put(MESSAGING_OPERATION, "process");
        b.put(MESSAGING_DESTINATION, queueName(queueUrl));
        if (queueUrl != null) {
          b.put(AWS_QUEUE_URL, queueUrl);
        }
        if (messageId != null) {
          b.put(MESSAGING_MESSAGE_ID, messageId);
        }
      }
      if (faasName != null) {
        b.put(FAAS_NAME, faasName);
        b.put(FAAS_TRIGGER, faasTrigger);
        b.put(FAAS_COLDSTART, faasColdStart);
        if (faasInvocationId != null) {
          b.put(FAAS_INVOCATION_ID, faasInvocationId);
        }
        if (faasMessages > 0) {
          b.put(MESSAGING_SYSTEM, "aws_sqs");
          b.put(MESSAGING_DESTINATION, queueName(queueUrl));
          b.put(AWS_QUEUE_URL, queueUrl);
          b.put(MESSAGING_BATCH_COUNT, (long) faasMessages);
        }
      }
      if (database != null) {
        b.put(DB_SYSTEM, database.system());
        if (database.name() != null) {
          b.put(DB_NAME, database.name());
        }
        if (database.user() != null) {
          b.put(DB_USER, database.user());
        }
        if (database.host() != null) {
          b.put(SERVER_ADDRESS, database.host());
        }
        if (database.port() > 0) {
          b.put(SERVER_PORT, (long) database.port());
        }
        if (dbOperation != null) {
          b.put(DB_OPERATION, dbOperation);
        }
        if (dbStatement != null) {
          b.put(DB_STATEMENT, dbStatement);
        }
        if (dbBatchSize > 0) {
          b.put(DB_BATCH_SIZE, (long) dbBatchSize);
        }
      }
      if (awsService != null) {
        b.put(RPC_SYSTEM, "aws-api");
        b.put(RPC_SERVICE, awsService);
        if (awsOperation != null) {
          b.put(RPC_METHOD, awsOperation);
        }
        if (awsRegion != null) {
          b.put(CLOUD_REGION, awsRegion);
        }
        if (awsResource != null && "SQS".equals(awsService)) {
          b.put(AWS_QUEUE_URL, awsResource);
        }
      }
      ManualData m = manual;
      if (m != null) {
        m.addAttributesTo(b);
      }
      built = b.build();
      attributes = built; // a benign race: every exporter thread builds the same attributes
    }
    return built;
  }

  @Override
  public List<EventData> getEvents() {
    ManualData m = manual;
    if (m != null) {
      List<EventData> all = new java.util.ArrayList<>(m.events());
      if (error != null) {
        all.add(exceptionEvent());
      }
      return all;
    }
    if (error == null) {
      return Collections.emptyList();
    }
    return Collections.singletonList(exceptionEvent());
  }

  private EventData exceptionEvent() {
    Attributes exception =
        error.getMessage() == null
            ? Attributes.of(EXCEPTION_TYPE, error.getClass().getName())
            : Attributes.of(
                EXCEPTION_TYPE, error.getClass().getName(), EXCEPTION_MESSAGE, error.getMessage());
    return EventData.create(endEpochNanos, "exception", exception);
  }

  @Override
  public List<LinkData> getLinks() {
    if (manual != null) {
      return manual.links();
    }
    if (link == null) {
      return Collections.emptyList();
    }
    return Collections.singletonList(
        LinkData.create(
            io.opentelemetry.api.trace.SpanContext.create(
                link.traceId(),
                link.spanId(),
                link.isSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault())));
  }

  @Override
  public long getEndEpochNanos() {
    return endEpochNanos;
  }

  @Override
  public boolean hasEnded() {
    return endEpochNanos != 0;
  }

  @Override
  public int getTotalRecordedEvents() {
    return manual != null ? getEvents().size() : error == null ? 0 : 1;
  }

  @Override
  public int getTotalRecordedLinks() {
    return manual != null ? manual.links().size() : link == null ? 0 : 1;
  }

  @Override
  public int getTotalAttributeCount() {
    return getAttributes().size();
  }

  @Override
  @Deprecated
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(SCOPE.getName(), SCOPE.getVersion());
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return SCOPE;
  }

  @Override
  public Resource getResource() {
    return resource;
  }
}
