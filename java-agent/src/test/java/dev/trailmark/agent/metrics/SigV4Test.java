package dev.trailmark.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

class SigV4Test {

  @Test
  void signatureMatchesTheAwsSdkSigner() {
    ZonedDateTime now = ZonedDateTime.of(2026, 11, 26, 10, 41, 23, 0, ZoneOffset.UTC);
    byte[] body = "Action=PutMetricData&Version=2010-08-01&Namespace=Trailmark".getBytes(StandardCharsets.UTF_8);
    String type = "application/x-www-form-urlencoded; charset=utf-8";
    Map<String, String> ours = new SigV4("AKIDEXAMPLE", "secret", null, "us-east-1", "monitoring")
        .sign("127.0.0.1:4318", "/", type, body, now);

    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http")
        .host("127.0.0.1").port(4318).encodedPath("/");
    request.putHeader("content-type", type);
    request.putHeader("x-amz-content-sha256", ours.get("x-amz-content-sha256"));
    request.putHeader("x-amz-date", ours.get("x-amz-date"));
    String sdk = AwsV4HttpSigner.create().sign(r -> r.request(request.build())
            .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
            .identity(AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret"))
            .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "monitoring")
            .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now.toInstant(), ZoneOffset.UTC)))
        .request().firstMatchingHeader("Authorization").orElseThrow();

    assertThat(ours.get("authorization")).isEqualTo(sdk);
  }
}
