package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server ({@code trailmark.Orders/Get} on Netty, loopback) and an HTTP endpoint {@code
 * /order?id=…} that calls it through a real channel with a blocking stub, in one JVM. The server
 * answers {@code order <id>}, {@code NOT_FOUND} for id {@code missing}, and throws for id {@code
 * boom}; the endpoint answers the reply or the call's status code.
 */
public final class GrpcApp {

  private static final Logger log = LoggerFactory.getLogger(GrpcApp.class);

  /** Plain UTF-8 messages: no protobuf code generation needed for a test service. */
  private static final MethodDescriptor.Marshaller<String> UTF8 =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<String, String> GET =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("trailmark.Orders/Get")
          .setRequestMarshaller(UTF8)
          .setResponseMarshaller(UTF8)
          .build();

  public static void main(String[] args) throws Exception {
    Server grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerServiceDefinition.builder("trailmark.Orders")
                    .addMethod(
                        GET,
                        ServerCalls.asyncUnaryCall(
                            (id, reply) -> {
                              log.info("grpc server getting order {}", id);
                              if (id.equals("missing")) {
                                reply.onError(Status.NOT_FOUND.asRuntimeException());
                              } else if (id.equals("boom")) {
                                throw new IllegalStateException("boom");
                              } else {
                                reply.onNext("order " + id);
                                reply.onCompleted();
                              }
                            }))
                    .build())
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", grpc.getPort()).usePlaintext().build();

    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/order",
        exchange -> {
          String id = exchange.getRequestURI().getQuery().substring("id=".length());
          String answer;
          try {
            answer = ClientCalls.blockingUnaryCall(channel, GET, CallOptions.DEFAULT, id);
          } catch (StatusRuntimeException e) {
            answer = e.getStatus().getCode().name();
          }
          log.info("http endpoint got {}", answer);
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    http.setExecutor(Executors.newFixedThreadPool(2));
    http.start();
    System.out.println("READY " + http.getAddress().getPort());
  }
}
