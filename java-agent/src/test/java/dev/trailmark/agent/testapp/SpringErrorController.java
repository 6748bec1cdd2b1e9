package dev.trailmark.agent.testapp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.WebRequest;

/** The container's error page, as Spring Boot's {@code BasicErrorController} is: {@code /error}. */
@RestController
public class SpringErrorController {

  private static final Logger log = LoggerFactory.getLogger(SpringErrorController.class);

  @RequestMapping("/error")
  public ResponseEntity<String> error(WebRequest request) {
    Object status = errorAttribute(request, "status_code");
    log.info("spring error page for {}", errorAttribute(request, "request_uri"));
    return ResponseEntity.status(status instanceof Integer ? (Integer) status : 500)
        .body("error page\n");
  }

  /** The container's error attribute, under its jakarta.servlet or javax.servlet name. */
  private static Object errorAttribute(WebRequest request, String name) {
    Object value =
        request.getAttribute("jakarta.servlet.error." + name, RequestAttributes.SCOPE_REQUEST);
    return value != null
        ? value
        : request.getAttribute("javax.servlet.error." + name, RequestAttributes.SCOPE_REQUEST);
  }
}
