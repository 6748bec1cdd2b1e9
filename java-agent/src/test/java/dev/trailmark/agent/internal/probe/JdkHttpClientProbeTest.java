package dev.trailmark.agent.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JdkHttpClientProbeTest {

  private static final String[] TRACE_HEADERS = {
    "X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    "traceparent", "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
  };

  @Test
  void tracedCopyIsTheRequestTheJdkWouldCopyPlusTheTraceHeaders() {
    URI uri = URI.create("http://127.0.0.1:8080/orders?id=1");
    List<HttpRequest> requests =
        List.of(
            HttpRequest.newBuilder(uri).build(),
            HttpRequest.newBuilder(uri)
                .DELETE()
                .header("Accept", "a")
                .header("Accept", "b")
                .build(),
            HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(3))
                .version(HttpClient.Version.HTTP_1_1)
                .expectContinue(true)
                .build(),
            HttpRequest.newBuilder(uri)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("x"))
                .build());
    for (HttpRequest request : requests) {
      HttpRequest.Builder expected = HttpRequest.newBuilder(request, (name, value) -> true);
      for (int i = 0; i < TRACE_HEADERS.length; i += 2) {
        expected.setHeader(TRACE_HEADERS[i], TRACE_HEADERS[i + 1]);
      }
      HttpRequest want = expected.build();

      HttpRequest copy = JdkHttpClientProbe.requestWithHeaders(request, TRACE_HEADERS);

      assertThat(copy).isEqualTo(want); // method, URI and headers
      assertThat(copy.headers().map()).isEqualTo(want.headers().map());
      assertThat(copy.headers().firstValue("traceparent")).contains(TRACE_HEADERS[3]);
      assertThat(copy.expectContinue()).isEqualTo(want.expectContinue());
      assertThat(copy.timeout()).isEqualTo(want.timeout());
      assertThat(copy.version()).isEqualTo(want.version());
      assertThat(copy.bodyPublisher().isPresent()).isEqualTo(want.bodyPublisher().isPresent());
      assertThat(copy.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength))
          .isEqualTo(want.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength));
      if (request.bodyPublisher().isPresent()) {
        assertThat(copy.bodyPublisher()).containsSame(request.bodyPublisher().get());
      }
    }
  }

  @Test
  void aTraceHeaderTheRequestAlreadyHadIsReplacedNotDoubled() {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1/"))
            .header("traceparent", "00-00000000000000000000000000000001-0000000000000001-00")
            .build();

    HttpRequest copy = JdkHttpClientProbe.requestWithHeaders(request, TRACE_HEADERS);

    assertThat(copy.headers().allValues("traceparent")).containsExactly(TRACE_HEADERS[3]);
  }
}
