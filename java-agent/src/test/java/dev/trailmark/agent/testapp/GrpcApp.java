package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpExchange;
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
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC server ({@code trailmark.Orders/Get} on Netty, loopback) and an HTTP endpoint {@code
 * /order?id=…} that calls it through a real channel with a blocking stub, in one JVM. The server
 * answers {@code order <id>}, {@code NOT_FOUND} for id {@code missing}, and throws for id {@code
 * boom}; the endpoint answers the reply or the call's status code. {@code /list?n=…} calls the
 * server-streaming {@code trailmark.Orders/List} (n replies) and {@code /chat?words=a,b} the
 * bidirectional {@code trailmark.Orders/Chat} (one upper-cased reply per word, the call completed
 * after the last); both answer the replies joined by commas.
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

  static final MethodDescriptor<String, String> LIST =
      GET.toBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("trailmark.Orders/List")
          .build();

  static final MethodDescriptor<String, String> CHAT =
      GET.toBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName("trailmark.Orders/Chat")
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
                    .addMethod(
                        LIST,
                        ServerCalls.asyncServerStreamingCall(
                            (n, reply) -> {
                              for (int i = 1; i <= Integer.parseInt(n); i++) {
                                log.info("grpc server listing item {}", i);
                                reply.onNext("item " + i);
                              }
                              reply.onCompleted();
                            }))
                    .addMethod(
                        CHAT,
                        ServerCalls.asyncBidiStreamingCall(
                            reply ->
                                new StreamObserver<String>() {
                                  @Override
                                  public void onNext(String word) {
                                    log.info("grpc server got {}", word);
                                    reply.onNext(word.toUpperCase(Locale.ROOT));
                                  }

                                  @Override
                                  public void onError(Throwable t) {}

                                  @Override
                                  public void onCompleted() {
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
          answer(exchange, answer);
        });
    http.createContext(
        "/list",
        exchange -> {
          String n = exchange.getRequestURI().getQuery().substring("n=".length());
          List<String> items = new ArrayList<>();
          ClientCalls.blockingServerStreamingCall(channel, LIST, CallOptions.DEFAULT, n)
              .forEachRemaining(items::add);
          answer(exchange, String.join(",", items));
        });
    http.createContext(
        "/chat",
        exchange -> {
          String[] words =
              exchange.getRequestURI().getQuery().substring("words=".length()).split(",");
          List<String> replies = new CopyOnWriteArrayList<>();
          CountDownLatch done = new CountDownLatch(1);
          StreamObserver<String> call =
              ClientCalls.asyncBidiStreamingCall(
                  channel.newCall(CHAT, CallOptions.DEFAULT),
                  new StreamObserver<String>() {
                    @Override
                    public void onNext(String reply) {
                      replies.add(reply);
                    }

                    @Override
                    public void onError(Throwable t) {
                      replies.add(Status.fromThrowable(t).getCode().name());
                      done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                      done.countDown();
                    }
                  });
          for (String word : words) {
            call.onNext(word);
          }
          call.onCompleted();
          try {
            done.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(exchange, String.join(",", replies));
        });
    http.setExecutor(Executors.newFixedThreadPool(2));
    http.start();
    System.out.println("READY " + http.getAddress().getPort());
  }

  private static void answer(HttpExchange exchange, String answer) throws IOException {
    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
