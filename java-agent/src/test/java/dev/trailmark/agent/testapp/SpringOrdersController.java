package dev.trailmark.agent.testapp;

import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring MVC controller: answers with the trace headers it received; order {@code missing} is a
 * 404, order {@code boom} throws; {@code /slow-orders/{id}} answers asynchronously.
 */
@RestController
public class SpringOrdersController {

  private static final Logger log = LoggerFactory.getLogger(SpringOrdersController.class);

  @GetMapping("/orders/{id}")
  public String order(
      @PathVariable("id") String id,
      @RequestHeader(name = "X-Amzn-Trace-Id", required = false) String xray,
      @RequestHeader(name = "traceparent", required = false) String traceparent) {
    log.info("spring controller handling order {}", id);
    if (id.equals("boom")) {
      throw new IllegalStateException("boom");
    }
    if (id.equals("missing")) {
      throw new NoSuchOrder(); // Spring answers with sendError(404), as for ResponseStatusException
    }
    return "order=" + id + "\nxray=" + xray + "\ntraceparent=" + traceparent + "\n";
  }

  /**
   * An asynchronous handler: Spring starts the request's async mode, the servlet container thread
   * returns, and the answer (or the failure) of order {@code boom}) comes 200 ms later from another
   * thread.
   */
  @GetMapping("/slow-orders/{id}")
  public CompletableFuture<String> slowOrder(@PathVariable("id") String id) {
    log.info("spring controller accepted slow order {}", id);
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          log.info("spring worker finished slow order {}", id);
          if (id.equals("boom")) {
            throw new IllegalStateException("slow boom");
          }
          return "slow order=" + id + "\n";
        });
  }

  /**
   * An annotated exception rather than ResponseStatusException, whose constructors differ in Spring
   * 5 and 6.
   */
  @ResponseStatus(HttpStatus.NOT_FOUND)
  static final class NoSuchOrder extends RuntimeException {}
}
