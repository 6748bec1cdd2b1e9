package dev.trailmark.agent.internal.trace;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The OpenTelemetry semantic-convention attributes the agent's spans carry, as exporters read them.
 */
public final class SpanAttributes {

  public static final AttributeKey<String> HTTP_METHOD =
      AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  public static final AttributeKey<Long> HTTP_STATUS =
      AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  public static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  public static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  public static final AttributeKey<Long> RPC_GRPC_STATUS =
      AttributeKey.longKey("rpc.grpc.status_code");
  public static final AttributeKey<String> CLOUD_REGION = AttributeKey.stringKey("cloud.region");
  public static final AttributeKey<String> AWS_QUEUE_URL = AttributeKey.stringKey("aws.queue.url");
  public static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  public static final AttributeKey<String> DB_NAME = AttributeKey.stringKey("db.name");
  public static final AttributeKey<String> DB_USER = AttributeKey.stringKey("db.user");
  public static final AttributeKey<String> DB_OPERATION = AttributeKey.stringKey("db.operation");
  public static final AttributeKey<String> DB_STATEMENT = AttributeKey.stringKey("db.statement");
  public static final AttributeKey<Long> DB_BATCH_SIZE =
      AttributeKey.longKey("db.operation.batch.size");
  public static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  public static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  public static final AttributeKey<String> MESSAGING_OPERATION =
      AttributeKey.stringKey("messaging.operation");
  public static final AttributeKey<String> MESSAGING_DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  public static final AttributeKey<String> MESSAGING_MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  public static final AttributeKey<String> EXCEPTION_TYPE =
      AttributeKey.stringKey("exception.type");
  public static final AttributeKey<String> EXCEPTION_MESSAGE =
      AttributeKey.stringKey("exception.message");

  public static final AttributeKey<String> FAAS_TRIGGER = AttributeKey.stringKey("faas.trigger");
  public static final AttributeKey<String> FAAS_INVOCATION_ID =
      AttributeKey.stringKey("faas.invocation_id");
  public static final AttributeKey<Boolean> FAAS_COLDSTART =
      AttributeKey.booleanKey("faas.coldstart");
  public static final AttributeKey<String> FAAS_NAME = AttributeKey.stringKey("faas.name");
  public static final AttributeKey<Long> MESSAGING_BATCH_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");

  private SpanAttributes() {}
}
