package dev.trailmark.demo;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The four demo services, each in its own JVM (optionally with the Trailmark agent attached):
 * {@code frontend → orders → inventory (→ its database)}, and {@code orders → SQS queue →
 * shipping}. The queue is an ElasticMQ server inside this JVM. Stopping lets shipping drain the
 * queue, then sends SIGTERM, so that every service flushes its logs the way a container stop would
 * make it.
 */
public final class DemoStack implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  /** Where the services send what they emit, and how they are started. */
  public record Options(
      URI collectorEndpoint,
      int xrayUdpPort,
      Path agentJar,
      Path workDir,
      String classpath,
      Path javaHome) {
    public Options {
      Objects.requireNonNull(collectorEndpoint, "collectorEndpoint");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(classpath, "classpath");
      Objects.requireNonNull(javaHome, "javaHome");
    }
  }

  /** The queue orders sends its order-placed messages to and shipping consumes. */
  public static final String QUEUE = "trailmark-demo-shipments";

  private final Options options;
  private final List<Process> processes = new ArrayList<>();
  private URI frontend;
  private SQSRestServer queueServer;
  private SqsClient sqs;
  private URI sqsEndpoint;
  private String queueUrl;

  private DemoStack(Options options) {
    this.options = options;
  }

  /**
   * Starts the queue, then shipping, inventory, orders and frontend, each once the one it calls is
   * ready.
   */
  public static DemoStack start(Options options) throws IOException {
    DemoStack stack = new DemoStack(options);
    try {
      Files.createDirectories(options.workDir());
      stack.startQueue();
      stack.startService("shipping", null);
      int inventory = stack.startService("inventory", null);
      int orders = stack.startService("orders", URI.create("http://127.0.0.1:" + inventory));
      int frontend = stack.startService("frontend", URI.create("http://127.0.0.1:" + orders));
      stack.frontend = URI.create("http://127.0.0.1:" + frontend);
      return stack;
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  /** The entry service's base URI. */
  public URI frontend() {
    return frontend;
  }

  private void startQueue() {
    queueServer = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
    sqsEndpoint =
        URI.create("http://127.0.0.1:" + queueServer.waitUntilStarted().localAddress().getPort());
    sqs =
        SqsClient.builder()
            .endpointOverride(sqsEndpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("trailmark", "trailmark")))
            .build();
    queueUrl = sqs.createQueue(b -> b.queueName(QUEUE)).queueUrl();
  }

  /** Messages still in the queue, visible or being processed. */
  private int queued() {
    Map<QueueAttributeName, String> attributes =
        sqs.getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return Integer.parseInt(
            attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
        + Integer.parseInt(
            attributes.getOrDefault(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
  }

  private int startService(String name, URI downstream) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(options.javaHome().resolve("bin/java").toString());
    command.add("-Xmx128m");
    command.add("-XX:+UseSerialGC");
    if (options.agentJar() != null) {
      command.add("-javaagent:" + options.agentJar());
    }
    command.addAll(List.of("-cp", options.classpath(), DemoService.class.getName(), name, "0"));
    if (downstream != null) {
      command.add(downstream.toString());
    }
    Path out = options.workDir().resolve(name + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    Map<String, String> env = pb.environment();
    env.put("OTEL_SERVICE_NAME", name);
    env.put("TRAILMARK_ENDPOINT", options.collectorEndpoint().toString());
    if (options.xrayUdpPort() > 0) {
      env.put("AWS_XRAY_DAEMON_ADDRESS", "127.0.0.1:" + options.xrayUdpPort());
    }
    // RED metrics from the agent to the collector, on a short step so that a short demo shows them.
    env.put("TRAILMARK_METRICS_EXPORTER", "collector");
    env.put("TRAILMARK_METRICS_ENDPOINT", options.collectorEndpoint().toString());
    env.put("TRAILMARK_METRICS_STEP_MILLIS", "5000");
    env.put("AWS_ACCESS_KEY_ID", "trailmark");
    env.put("AWS_SECRET_ACCESS_KEY", "trailmark");
    env.put("AWS_REGION", "us-east-1");
    env.put("TRAILMARK_HOME", options.workDir().toString());
    env.put("TRAILMARK_DEMO_SQS_ENDPOINT", sqsEndpoint.toString());
    env.put("TRAILMARK_DEMO_QUEUE_URL", queueUrl);
    env.remove("JAVA_TOOL_OPTIONS");
    Process process = pb.start();
    processes.add(process);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
      Matcher m = READY.matcher(text);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        throw new IOException(
            "demo service "
                + name
                + " exited with "
                + process.exitValue()
                + "; its output:\n"
                + text);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting " + name, e);
      }
    }
    throw new IOException("demo service " + name + " was not ready within 60 s; see " + out);
  }

  /**
   * Waits up to 30 s for shipping to drain the queue, then stops the services front to back, each
   * with SIGTERM and up to 30 s to flush, then the queue.
   */
  @Override
  public void close() {
    if (sqs != null && !processes.isEmpty()) {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      try {
        while (queued() > 0 && Instant.now().isBefore(deadline)) {
          Thread.sleep(200);
        }
      } catch (RuntimeException e) {
        // the queue no longer answers: nothing left to wait for
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    if (sqs != null) {
      sqs.close();
      sqs = null;
    }
    if (queueServer != null) {
      queueServer.stopAndWait();
      queueServer = null;
    }
  }
}
