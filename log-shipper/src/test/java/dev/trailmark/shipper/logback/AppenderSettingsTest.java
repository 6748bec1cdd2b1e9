package dev.trailmark.shipper.logback;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The appenders configured as people write logback.xml: Logback's own {@code Duration} and {@code
 * FileSize} spellings, enums checked at start with the allowed values in the error, and warnings
 * (drops, refused settings) reaching standard error through a default status listener when the
 * configuration names none.
 */
class AppenderSettingsTest {
  private final LoggerContext context = new LoggerContext();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream realErr;

  @BeforeEach
  void captureStderr() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    realErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    context.stop();
    System.setErr(realErr);
  }

  private CloudWatchLogsAppender configure(String appenderBody, String extra) throws Exception {
    String xml =
        "<configuration>"
            + extra
            + "<appender name=\"cwl\" class=\"dev.trailmark.shipper.logback.CloudWatchLogsAppender\">"
            + "<logGroupName>/trailmark/settings</logGroupName><logStreamName>s</logStreamName>"
            + "<endpoint>http://127.0.0.1:1</endpoint><accessKeyId>k</accessKeyId><secretAccessKey>s</secretAccessKey>"
            + "<registerShutdownHook>false</registerShutdownHook><metrics>false</metrics>"
            + appenderBody
            + "</appender><root level=\"INFO\"><appender-ref ref=\"cwl\"/></root></configuration>";
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    return (CloudWatchLogsAppender) context.getLogger("ROOT").getAppender("cwl");
  }

  private List<Status> statuses(int level) {
    return context.getStatusManager().getCopyOfStatusList().stream()
        .filter(s -> s.getEffectiveLevel() >= level)
        .collect(Collectors.toList());
  }

  @Test
  void durationsAndSizesInLogbacksOwnSpelling() throws Exception {
    CloudWatchLogsAppender a =
        configure(
            "<maxBufferSize>64MB</maxBufferSize><maxBatchDelay>5 seconds</maxBatchDelay>"
                + "<requestTimeout>2 seconds</requestTimeout><retryMax>1 minute</retryMax>"
                + "<shutdownTimeout>250 milliseconds</shutdownTimeout>",
            "");
    assertThat(a.isStarted()).as(statuses(Status.WARN).toString()).isTrue();
    assertThat(a.maxBufferBytes()).isEqualTo(64L * 1024 * 1024);
    assertThat(a.maxBatchDelayMillis()).isEqualTo(5_000);
    assertThat(a.requestTimeoutMillis()).isEqualTo(2_000);
    assertThat(a.retryMaxMillis()).isEqualTo(60_000);
    assertThat(a.shutdownTimeoutMillis()).isEqualTo(250);
  }

  @Test
  void theOldMillisAndBytesSpellingsStillWork() throws Exception {
    CloudWatchLogsAppender a =
        configure(
            "<maxBufferBytes>1048576</maxBufferBytes>"
                + "<maxBatchDelayMillis>200</maxBatchDelayMillis>",
            "");
    assertThat(a.isStarted()).isTrue();
    assertThat(a.maxBufferBytes()).isEqualTo(1024 * 1024);
    assertThat(a.maxBatchDelayMillis()).isEqualTo(200);
  }

  @Test
  void aWrongOverflowPolicyStopsTheAppenderWithTheAllowedValuesOnStandardError() throws Exception {
    CloudWatchLogsAppender a = configure("<overflowPolicy>drop-everything</overflowPolicy>", "");
    assertThat(a.isStarted()).isFalse();
    assertThat(statuses(Status.ERROR))
        .extracting(Status::getMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "overflowPolicy 'drop-everything' is not one of block, drop-oldest, drop-newest"));
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("ERROR Appender cwl not started: overflowPolicy 'drop-everything' is not one of");
  }

  @Test
  void aWrongFsyncIsRefusedTheSameWay() throws Exception {
    CloudWatchLogsAppender a =
        configure(
            "<spoolDir>"
                + System.getProperty("java.io.tmpdir")
                + "/never-created"
                + "</spoolDir><fsync>sometimes</fsync>",
            "");
    assertThat(a.isStarted()).isFalse();
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains("fsync 'sometimes' is not one of always, interval, never");
  }

  @Test
  void dropsReachStandardErrorWithoutAnyStatusListenerConfigured() throws Exception {
    CloudWatchLogsAppender a =
        configure(
            "<maxBufferSize>64KB</maxBufferSize><overflowPolicy>drop-newest</overflowPolicy>"
                + "<shutdownTimeout>100 milliseconds</shutdownTimeout>",
            "");
    assertThat(a.isStarted()).isTrue();
    String big = "x".repeat(1000);
    for (int i = 0; i < 500; i++) { // 500 KB into a 64 KB buffer, nothing listening at the endpoint
      context.getLogger("app").info("{} {}", i, big);
    }
    a.stop(); // reports the drops at the latest when it stops
    assertThat(statuses(Status.WARN))
        .extracting(Status::getMessage)
        .anySatisfy(m -> assertThat(m).contains("events dropped"));
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains(" WARN ")
        .contains("events dropped");
  }

  @Test
  void aListenerInTheConfigurationReplacesTheDefaultOne() throws Exception {
    CloudWatchLogsAppender a =
        configure(
            "<overflowPolicy>nonsense</overflowPolicy>",
            "<statusListener class=\"ch.qos.logback.core.status.NopStatusListener\"/>");
    assertThat(a.isStarted()).isFalse();
    assertThat(statuses(Status.ERROR)).isNotEmpty(); // still in Logback's status manager
    assertThat(stderr.toString(StandardCharsets.UTF_8)).doesNotContain("not started");
  }
}
