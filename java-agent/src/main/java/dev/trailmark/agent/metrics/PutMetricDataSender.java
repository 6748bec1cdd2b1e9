package dev.trailmark.agent.metrics;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends each step to CloudWatch {@code PutMetricData} (AWS Query protocol, SigV4-signed) at a
 * configurable endpoint: CloudWatch itself, or the Trailmark local collector, which speaks the same
 * API. At most {@link #BATCH} data per request; a failed step is counted and dropped (the next step
 * carries new data; metrics are never queued without bound).
 */
final class PutMetricDataSender implements Consumer<List<MetricDatum>> {

  static final int BATCH = 500;
  private static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";

  private final URI endpoint;
  private final String namespace;
  private final SigV4 signer;
  private HttpClient http; // created on the first publish, on the publisher thread: nothing at start-up
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  PutMetricDataSender(URI endpoint, String namespace, SigV4 signer) {
    this.endpoint = endpoint;
    this.namespace = namespace;
    this.signer = signer;
  }

  @Override
  public void accept(List<MetricDatum> data) {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
    for (int from = 0; from < data.size(); from += BATCH) {
      List<MetricDatum> batch = data.subList(from, Math.min(data.size(), from + BATCH));
      try {
        byte[] body = form(batch).getBytes(StandardCharsets.UTF_8);
        String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // The signed headers, Content-Type among them, each sent exactly once.
        for (Map.Entry<String, String> h : signer.sign(host, path, FORM, body, ZonedDateTime.now()).entrySet()) {
          request.header(h.getKey(), h.getValue());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          sent.addAndGet(batch.size());
        } else {
          failed.addAndGet(batch.size());
          System.err.println("[trailmark-agent] PutMetricData to " + endpoint + " answered " + response.statusCode()
              + ": " + abbreviate(response.body()));
        }
      } catch (Exception e) {
        failed.addAndGet(batch.size());
        System.err.println("[trailmark-agent] PutMetricData to " + endpoint + " failed: " + e);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  String form(List<MetricDatum> batch) {
    StringBuilder sb = new StringBuilder(batch.size() * 200);
    sb.append("Action=PutMetricData&Version=2010-08-01&Namespace=").append(encode(namespace));
    for (int i = 0; i < batch.size(); i++) {
      MetricDatum d = batch.get(i);
      String p = "&MetricData.member." + (i + 1) + ".";
      sb.append(p).append("MetricName=").append(encode(d.name));
      sb.append(p).append("Unit=").append(encode(d.unit));
      sb.append(p).append("Value=").append(d.value);
      int n = 1;
      for (Map.Entry<String, String> dim : d.dimensions.entrySet()) {
        if (n > 30) {
          break; // CloudWatch's limit of dimensions per datum
        }
        sb.append(p).append("Dimensions.member.").append(n).append(".Name=").append(encode(dim.getKey()));
        sb.append(p).append("Dimensions.member.").append(n).append(".Value=").append(encode(dim.getValue()));
        n++;
      }
    }
    return sb.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  long sent() {
    return sent.get();
  }

  long failed() {
    return failed.get();
  }
}
