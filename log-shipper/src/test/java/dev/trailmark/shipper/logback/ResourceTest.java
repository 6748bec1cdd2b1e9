package dev.trailmark.shipper.logback;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceTest {
  @TempDir Path dmi;

  @Test
  void serviceNameComesFromConfigurationThenOtelServiceName() {
    assertThat(
            Resource.detect("cfg", Map.of("OTEL_SERVICE_NAME", "env"), dmi)
                .attributes
                .get("service.name"))
        .isEqualTo("cfg");
    assertThat(
            Resource.detect(null, Map.of("OTEL_SERVICE_NAME", "env"), dmi)
                .attributes
                .get("service.name"))
        .isEqualTo("env");
    assertThat(
            Resource.detect(
                    null,
                    Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=attr,team=pay%20ments"),
                    dmi)
                .attributes)
        .containsEntry("service.name", "attr")
        .containsEntry("team", "pay ments");
    assertThat(Resource.detect(null, Map.of(), dmi).attributes.get("service.name"))
        .isEqualTo("unknown_service:java");
  }

  @Test
  void detectsLambdaFromItsEnvironment() {
    Map<String, String> a =
        Resource.detect(
                null,
                Map.of(
                    "AWS_LAMBDA_FUNCTION_NAME",
                    "fixer",
                    "AWS_LAMBDA_FUNCTION_VERSION",
                    "3",
                    "AWS_LAMBDA_LOG_STREAM_NAME",
                    "2026/11/26/[3]abc",
                    "AWS_REGION",
                    "eu-west-1"),
                dmi)
            .attributes;
    assertThat(a)
        .containsEntry("service.name", "fixer")
        .containsEntry("cloud.platform", "aws_lambda")
        .containsEntry("faas.name", "fixer")
        .containsEntry("faas.version", "3")
        .containsEntry("cloud.region", "eu-west-1");
  }

  @Test
  void detectsEc2InstanceFromTheNitroAssetTag() throws Exception {
    Files.writeString(dmi.resolve("board_asset_tag"), "i-0123456789abcdef0\n");
    Map<String, String> a =
        Resource.detect("svc", Map.of("AWS_REGION", "us-east-1"), dmi).attributes;
    assertThat(a)
        .containsEntry("cloud.platform", "aws_ec2")
        .containsEntry("host.id", "i-0123456789abcdef0");
  }

  @Test
  void readsTheEcsTaskFromTheMetadataEndpoint() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v4/abc/task",
        ex -> {
          byte[] body =
              ("{\"Cluster\":\"arn:aws:ecs:us-east-1:123:cluster/prod\",\"TaskARN\":"
                      + "\"arn:aws:ecs:us-east-1:123:task/prod/9781c248\",\"Family\":\"web\",\"Revision\":\"7\","
                      + "\"AvailabilityZone\":\"us-east-1a\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/v4/abc";
      Map<String, String> a =
          Resource.detect("web", Map.of("ECS_CONTAINER_METADATA_URI_V4", uri), dmi).attributes;
      assertThat(a)
          .containsEntry("cloud.platform", "aws_ecs")
          .containsEntry("aws.ecs.task.arn", "arn:aws:ecs:us-east-1:123:task/prod/9781c248")
          .containsEntry("aws.ecs.cluster.arn", "arn:aws:ecs:us-east-1:123:cluster/prod")
          .containsEntry("aws.ecs.task.family", "web")
          .containsEntry("cloud.availability_zone", "us-east-1a");
    } finally {
      server.stop(0);
    }
  }
}
