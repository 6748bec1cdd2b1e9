package dev.trailmark.agent.testapp;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Spring WebFlux as Spring Boot runs it, through its {@code DispatcherHandler}: an annotated
 * controller at {@code /items/{id}} and a functional route at {@code /greet/{name}}, on Reactor
 * Netty.
 */
public final class WebFluxDispatcherApp {

  public static void main(String[] args) {
    AnnotationConfigApplicationContext context =
        new AnnotationConfigApplicationContext(Config.class);
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                new ReactorHttpHandlerAdapter(
                    WebHttpHandlerBuilder.applicationContext(context).build()))
            .bindNow();
    System.out.println("READY " + server.port());
    server.onDispose().block();
  }

  /** The application's WebFlux configuration. */
  @Configuration
  @EnableWebFlux
  public static class Config {
    @Bean
    public ItemsController items() {
      return new ItemsController();
    }

    @Bean
    public RouterFunction<ServerResponse> greetings() {
      return RouterFunctions.route()
          .GET(
              "/greet/{name}",
              request -> ServerResponse.ok().bodyValue("hello " + request.pathVariable("name")))
          .build();
    }
  }

  /** An annotated controller. */
  @RestController
  public static class ItemsController {
    @GetMapping("/items/{id}")
    public Mono<String> item(@PathVariable("id") String id) {
      return Mono.just("item " + id);
    }
  }
}
