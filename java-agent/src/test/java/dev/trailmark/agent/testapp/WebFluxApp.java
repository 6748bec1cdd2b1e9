package dev.trailmark.agent.testapp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Spring WebFlux on Reactor Netty calling itself with {@code WebClient}: {@code /front} calls
 * {@code /back}, which calls {@code /leaf}; each logs, and answers what it got from the next, so
 * one request is client → server → client → server hops on Reactor's threads.
 */
public final class WebFluxApp {

  private static final Logger log = LoggerFactory.getLogger(WebFluxApp.class);

  private static volatile WebClient client;

  public static void main(String[] args) {
    RouterFunction<ServerResponse> routes =
        RouterFunctions.route()
            .GET("/front", request -> hop("front", "/back"))
            .GET("/back", request -> hop("back", "/leaf"))
            .GET(
                "/leaf",
                request -> {
                  log.info("leaf answering");
                  return ServerResponse.ok().bodyValue("leaf");
                })
            .build();
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
            .bindNow();
    client = WebClient.create("http://127.0.0.1:" + server.port());
    System.out.println("READY " + server.port());
    server.onDispose().block();
  }

  private static Mono<ServerResponse> hop(String name, String next) {
    log.info("{} calling {}", name, next);
    return client
        .get()
        .uri(next)
        .retrieve()
        .bodyToMono(String.class)
        .flatMap(
            body -> {
              log.info("{} got {}", name, body);
              return ServerResponse.ok().bodyValue(name + ">" + body);
            });
  }
}
