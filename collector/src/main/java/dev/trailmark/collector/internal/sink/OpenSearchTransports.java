package dev.trailmark.collector.internal.sink;

import java.net.URI;
import java.util.Locale;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.aws.AwsSdk2Transport;
import org.opensearch.client.transport.aws.AwsSdk2TransportOptions;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The transport to OpenSearch: plain HTTP to a local or self-managed cluster, SigV4-signed requests
 * (with the default AWS credentials chain) when the endpoint is Amazon OpenSearch Service ({@code
 * *.es.amazonaws.com}) or OpenSearch Serverless ({@code *.aoss.amazonaws.com}).
 */
public final class OpenSearchTransports {

  private OpenSearchTransports() {}

  /** A transport for {@code uri} whose requests time out after 30 s. */
  public static OpenSearchTransport create(URI uri) {
    return create(uri, java.time.Duration.ofSeconds(30));
  }

  /** A transport for {@code uri} whose requests time out after {@code timeout}. */
  public static OpenSearchTransport create(URI uri, java.time.Duration timeout) {
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost().toLowerCase(Locale.ROOT);
    String service =
        host.endsWith(".aoss.amazonaws.com")
            ? "aoss"
            : host.endsWith(".es.amazonaws.com") ? "es" : null;
    if (service != null) {
      Region region = regionOf(host);
      return new AwsSdk2Transport(
          UrlConnectionHttpClient.create(),
          uri.getHost(),
          service,
          region,
          AwsSdk2TransportOptions.builder().setMapper(new JacksonJsonpMapper()).build());
    }
    HttpHost httpHost =
        new HttpHost(
            uri.getScheme() == null ? "http" : uri.getScheme(),
            uri.getHost(),
            uri.getPort() < 0 ? ("https".equals(uri.getScheme()) ? 443 : 9200) : uri.getPort());
    return ApacheHttpClient5TransportBuilder.builder(httpHost)
        .setMapper(new JacksonJsonpMapper())
        .setConnectionConfigCallback(
            c ->
                c.setConnectTimeout(Timeout.ofSeconds(2))
                    .setSocketTimeout(Timeout.ofMilliseconds(timeout.toMillis())))
        .setRequestConfigCallback(
            r -> r.setResponseTimeout(Timeout.ofMilliseconds(timeout.toMillis())))
        .build();
  }

  /**
   * {@code search-x.eu-west-1.es.amazonaws.com} names its region; otherwise the default region
   * chain decides.
   */
  static Region regionOf(String host) {
    String[] labels = host.split("\\.");
    for (int i = labels.length - 1; i > 0; i--) {
      if ((labels[i].equals("es") || labels[i].equals("aoss"))
          && labels[i - 1].matches("[a-z]{2}(-[a-z]+)+-\\d")) {
        return Region.of(labels[i - 1]);
      }
    }
    return DefaultAwsRegionProviderChain.builder().build().getRegion();
  }
}
