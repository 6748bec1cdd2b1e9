package dev.trailmark.agent.internal.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a gRPC call's span says: its rpc attributes, its name and its outcome from the code. */
class GrpcSpanTest {

  @Test
  void aGrpcCallCarriesRpcAttributesAndItsStatusCodeNotAnHttpStatus() {
    Span server = TestSpans.server("http://127.0.0.1:1/trailmark.Orders/Get", 0, "/x");
    Span call = TestSpans.clientUnder(server, "http://127.0.0.1:1/trailmark.Orders/Get", 0, null);
    Tracer.grpc(call, "trailmark.Orders", "Get");
    Tracer.grpcResult(call, 5, null); // NOT_FOUND

    assertThat(call.name()).isEqualTo("trailmark.Orders/Get");
    assertThat(call.getAttributes().get(SpanAttributes.RPC_SYSTEM)).isEqualTo("grpc");
    assertThat(call.getAttributes().get(SpanAttributes.RPC_SERVICE)).isEqualTo("trailmark.Orders");
    assertThat(call.getAttributes().get(SpanAttributes.RPC_METHOD)).isEqualTo("Get");
    assertThat(call.getAttributes().get(SpanAttributes.RPC_GRPC_STATUS)).isEqualTo(5L);
    assertThat(call.getAttributes().get(SpanAttributes.HTTP_STATUS)).isNull();
    assertThat(call.isClientError()).isTrue();
    assertThat(call.isFault()).isFalse();
  }

  @Test
  void serverSideCodesAreFaultsAndOkIsNeither() {
    assertThat(Span.httpStatusOfGrpc(0)).isEqualTo(200);
    assertThat(Span.httpStatusOfGrpc(2)).isEqualTo(500); // UNKNOWN: an application's exception
    assertThat(Span.httpStatusOfGrpc(14)).isEqualTo(503); // UNAVAILABLE
    assertThat(Span.httpStatusOfGrpc(4)).isEqualTo(504); // DEADLINE_EXCEEDED
    assertThat(Span.httpStatusOfGrpc(8)).isEqualTo(429); // RESOURCE_EXHAUSTED: a throttle
    assertThat(Span.httpStatusOfGrpc(16)).isEqualTo(401); // UNAUTHENTICATED
  }
}
