package dev.trailmark.agent.testapp;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The container's error page, as Spring Boot's {@code BasicErrorController} is: {@code /error}. */
@RestController
public class SpringErrorController {

  private static final Logger log = LoggerFactory.getLogger(SpringErrorController.class);

  @RequestMapping("/error")
  public ResponseEntity<String> error(HttpServletRequest request) {
    Object status = request.getAttribute("jakarta.servlet.error.status_code");
    log.info("spring error page for {}", request.getAttribute("jakarta.servlet.error.request_uri"));
    return ResponseEntity.status(status instanceof Integer ? (Integer) status : 500).body("error page\n");
  }
}
