package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

class ServletProbeTest {

  @Test
  void onlyAPathMappingPrefixesSpringsPattern() {
    assertThat(ServletProbe.pathPrefix("/api/*")).isEqualTo("/api");
    assertThat(ServletProbe.pathPrefix("/*")).isEmpty();
    assertThat(ServletProbe.pathPrefix("/")).as("the default servlet").isEmpty();
    assertThat(ServletProbe.pathPrefix("")).as("the context root").isEmpty();
    assertThat(ServletProbe.pathPrefix("*.do")).isEmpty();
    assertThat(ServletProbe.pathPrefix("/exact")).isEmpty();
    assertThat(ServletProbe.pathPrefix(null)).as("a Servlet 3 container").isEmpty();
  }

  @Test
  void theApplicationsExceptionIsReportedNotTheServletExceptionWrappingIt() {
    IllegalStateException boom = new IllegalStateException("boom");
    assertThat(
            ServletProbe.applicationError(
                new ServletException("Request processing failed: " + boom, boom)))
        .isSameAs(boom);
    assertThat(
            ServletProbe.applicationError(
                new ServletException("outer", new javax.servlet.ServletException("inner", boom))))
        .isSameAs(boom);
    assertThat(ServletProbe.applicationError(new ServletException("no cause")))
        .hasMessage("no cause")
        .isInstanceOf(ServletException.class);
    RuntimeException wrapped = new RuntimeException("kept", boom);
    assertThat(ServletProbe.applicationError(wrapped))
        .as("only servlet wrappers are unwrapped")
        .isSameAs(wrapped);
    assertThat(ServletProbe.applicationError(null)).isNull();
  }
}
