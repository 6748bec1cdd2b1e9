package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.util.List;
import java.util.Map;

/**
 * The route of a Spring WebFlux request handled by its {@code DispatcherHandler} (as Spring Boot
 * runs WebFlux): the pattern an annotated controller's mapping or a functional route matched, read
 * when WebFlux stores it in the exchange's attributes. That happens while the server span of the
 * request (Reactor Netty's, or a servlet container's) is current, so the route is set on it; the
 * span itself is the server probe's.
 */
public final class SpringWebFluxProbe extends Probe {

  /** {@code RequestMappingInfoHandlerMapping.handleMatch(info, handlerMethod, exchange)}. */
  private static final int ANNOTATED = 0;

  /** {@code RouterFunctionMapping.setAttributes(attributes, request, handlerFunction)}. */
  private static final int FUNCTIONAL = 1;

  /** {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}: a {@code PathPattern}. */
  private static final String PATTERN =
      "org.springframework.web.reactive.HandlerMapping.bestMatchingPattern";

  @Override
  public String name() {
    return "spring-webflux";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            "org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping",
            "handleMatch",
            "(Lorg/springframework/web/reactive/result/method/RequestMappingInfo;"
                + "Lorg/springframework/web/method/HandlerMethod;"
                + "Lorg/springframework/web/server/ServerWebExchange;)V",
            hook + ANNOTATED),
        Rule.wrap(
            name(),
            "org.springframework.web.reactive.function.server.support.RouterFunctionMapping",
            "setAttributes",
            "(Ljava/util/Map;"
                + "Lorg/springframework/web/reactive/function/server/ServerRequest;"
                + "Lorg/springframework/web/reactive/function/server/HandlerFunction;)V",
            hook + FUNCTIONAL));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    // What holds the pattern once the method has stored it: the exchange, or its attribute map.
    return tag == ANNOTATED ? args[2] : args[0];
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (thrown == null && scope != null) {
      Object pattern =
          tag == ANNOTATED
              ? Reflect.call(scope, "getAttribute", PATTERN)
              : ((Map<?, ?>) scope).get(PATTERN);
      if (pattern != null) {
        hooks.serverRoute(pattern.toString()); // PathPattern.toString() is its pattern text
      }
    }
    return result;
  }
}
