package dev.trailmark.agent.trace;

import io.opentelemetry.api.common.AttributeKey;

/** The OpenTelemetry semantic-convention attributes the agent's spans carry, as exporters read them. */
public final class SpanAttributes {

  public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  public static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  public static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  public static final AttributeKey<String> CLOUD_REGION = AttributeKey.stringKey("cloud.region");
  public static final AttributeKey<String> AWS_QUEUE_URL = AttributeKey.stringKey("aws.queue.url");
  public static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  public static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");

  private SpanAttributes() {}
}
