package dev.trailmark.shipper.logback;

import dev.trailmark.shipper.internal.json.JsonWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the events come from: service, host and the AWS compute that runs it, detected once at
 * start.
 *
 * <p>Detection reads only the environment the platform provides: {@code OTEL_SERVICE_NAME} and
 * {@code OTEL_RESOURCE_ATTRIBUTES}; Lambda's {@code AWS_LAMBDA_*} variables; on ECS the task
 * metadata endpoint named by {@code ECS_CONTAINER_METADATA_URI_V4} (a link-local HTTP call with a
 * short timeout); on EC2 the instance id that Nitro exposes in the DMI board asset tag.
 */
final class Resource {
  /** Flat OpenTelemetry resource attribute names to values, in a stable order. */
  final Map<String, String> attributes;

  Resource(Map<String, String> attributes) {
    this.attributes = attributes;
  }

  static Resource detect(String configuredServiceName) {
    return detect(configuredServiceName, System.getenv(), Path.of("/sys/devices/virtual/dmi/id"));
  }

  static Resource detect(String configuredServiceName, Map<String, String> env, Path dmiDir) {
    Map<String, String> a = new LinkedHashMap<>();
    Map<String, String> otel = parseResourceAttributes(env.get("OTEL_RESOURCE_ATTRIBUTES"));
    String service =
        firstNonBlank(
            configuredServiceName,
            env.get("OTEL_SERVICE_NAME"),
            otel.get("service.name"),
            env.get("AWS_LAMBDA_FUNCTION_NAME"));
    a.put("service.name", service != null ? service : "unknown_service:java");
    String host = firstNonBlank(env.get("HOSTNAME"), env.get("COMPUTERNAME"));
    if (host == null) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
    }
    a.put("host.name", host);
    String region = firstNonBlank(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
    if (env.get("AWS_LAMBDA_FUNCTION_NAME") != null) {
      a.put("cloud.provider", "aws");
      a.put("cloud.platform", "aws_lambda");
      putIfPresent(a, "cloud.region", region);
      a.put("faas.name", env.get("AWS_LAMBDA_FUNCTION_NAME"));
      putIfPresent(a, "faas.version", env.get("AWS_LAMBDA_FUNCTION_VERSION"));
      putIfPresent(a, "faas.instance", env.get("AWS_LAMBDA_LOG_STREAM_NAME"));
      putIfPresent(a, "faas.max_memory", env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
    } else if (env.get("ECS_CONTAINER_METADATA_URI_V4") != null) {
      a.put("cloud.provider", "aws");
      a.put("cloud.platform", "aws_ecs");
      putIfPresent(a, "cloud.region", region);
      readEcsTask(env.get("ECS_CONTAINER_METADATA_URI_V4"), a);
    } else {
      String instanceId = readEc2InstanceId(dmiDir);
      if (instanceId != null) {
        a.put("cloud.provider", "aws");
        a.put("cloud.platform", "aws_ec2");
        putIfPresent(a, "cloud.region", region);
        a.put("host.id", instanceId);
      }
    }
    for (Map.Entry<String, String> e : otel.entrySet()) {
      a.putIfAbsent(e.getKey(), e.getValue());
    }
    return new Resource(a);
  }

  /**
   * Writes the attributes as nested objects ({@code service.name} becomes {"service":{"name":..}}).
   */
  void writeNested(JsonWriter w) {
    w.beginObject();
    writeNestedMembers(w, attributes, "");
    w.endObject();
  }

  private static void writeNestedMembers(JsonWriter w, Map<String, String> flat, String prefix) {
    // Group keys by their first segment under the prefix, preserving order.
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (String key : flat.keySet()) {
      if (!key.startsWith(prefix)) {
        continue;
      }
      String rest = key.substring(prefix.length());
      int dot = rest.indexOf('.');
      String head = dot < 0 ? rest : rest.substring(0, dot);
      if (seen.putIfAbsent(head, Boolean.TRUE) != null) {
        continue;
      }
      String full = prefix + head;
      boolean hasChildren = flat.keySet().stream().anyMatch(k -> k.startsWith(full + "."));
      if (hasChildren) {
        w.name(head).beginObject();
        writeNestedMembers(w, flat, full + ".");
        w.endObject();
      } else {
        w.name(head).value(flat.get(full));
      }
    }
  }

  /** Writes the attributes as dotted top-level members (the ECS logging layout). */
  void writeFlatMembers(JsonWriter w) {
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
  }

  static Map<String, String> parseResourceAttributes(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s == null || s.isBlank()) {
      return out;
    }
    for (String pair : s.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            pair.substring(0, eq).trim(),
            java.net.URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static final Pattern TASK_ARN = Pattern.compile("\"TaskARN\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern CLUSTER = Pattern.compile("\"Cluster\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern FAMILY = Pattern.compile("\"Family\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern REVISION = Pattern.compile("\"Revision\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern AZ = Pattern.compile("\"AvailabilityZone\"\\s*:\\s*\"([^\"]+)\"");

  private static void readEcsTask(String metadataUri, Map<String, String> a) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create(metadataUri + "/task"))
                  .timeout(Duration.ofMillis(1000))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return;
      }
      String body = r.body();
      putMatch(a, "aws.ecs.task.arn", TASK_ARN, body);
      putMatch(a, "aws.ecs.cluster.arn", CLUSTER, body);
      putMatch(a, "aws.ecs.task.family", FAMILY, body);
      putMatch(a, "aws.ecs.task.revision", REVISION, body);
      putMatch(a, "cloud.availability_zone", AZ, body);
    } catch (IOException | RuntimeException e) {
      // No metadata: the events still carry the platform; a logging setup must never fail on it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readEc2InstanceId(Path dmiDir) {
    try {
      Path tag = dmiDir.resolve("board_asset_tag");
      if (Files.isReadable(tag)) {
        String id = Files.readString(tag).trim();
        if (id.matches("i-[0-9a-f]{8,17}")) {
          return id;
        }
      }
    } catch (IOException e) {
      // not EC2, or not readable: nothing to add
    }
    return null;
  }

  private static void putMatch(Map<String, String> a, String key, Pattern p, String body) {
    Matcher m = p.matcher(body);
    if (m.find()) {
      a.put(key, m.group(1));
    }
  }

  private static void putIfPresent(Map<String, String> a, String key, String value) {
    if (value != null && !value.isBlank()) {
      a.put(key, value);
    }
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
