package dev.trailmark.shipper.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;

/**
 * The forked application of {@link WrongKeyRestartIT}: logs {@code count} numbered events through a
 * spooling CloudWatchLogsAppender signed with the given access key, then stops Logback (waiting at
 * most {@code shutdownMillis} for delivery) and exits. Args: endpoint spoolDir accessKeyId count
 * shutdownMillis.
 */
public final class CredentialsApp {
  static final String XML =
      """
      <configuration>
        <statusListener class="ch.qos.logback.core.status.OnConsoleStatusListener"/>
        <appender name="cwl" class="dev.trailmark.shipper.logback.CloudWatchLogsAppender">
          <logGroupName>/trailmark/it-credentials</logGroupName>
          <logStreamName>{host}-{pid}</logStreamName>
          <endpoint>${endpoint}</endpoint>
          <accessKeyId>${key}</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <spoolDir>${spool}</spoolDir>
          <maxBatchDelayMillis>100</maxBatchDelayMillis>
          <shutdownTimeoutMillis>${shutdown}</shutdownTimeoutMillis>
        </appender>
        <root level="INFO"><appender-ref ref="cwl"/></root>
      </configuration>
      """;

  private CredentialsApp() {}

  public static void main(String[] args) throws Exception {
    LoggerContext ctx =
        Collected.logback(
            XML,
            Map.of("endpoint", args[0], "spool", args[1], "key", args[2], "shutdown", args[4]));
    Logger log = ctx.getLogger("app");
    int count = Integer.parseInt(args[3]);
    for (int i = 0; i < count; i++) {
      log.info("cred-{}", i);
    }
    if (count > 0) {
      // Let the appender try (and fail, with a wrong key) at least twice before stopping.
      dev.trailmark.shipper.logback.CloudWatchLogsAppender appender =
          (dev.trailmark.shipper.logback.CloudWatchLogsAppender)
              ctx.getLogger("ROOT").getAppender("cwl");
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (appender.getStats().failedRequests() < 2
          && appender.getStats().sent() == 0
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    ctx.stop();
    System.out.println("done " + count);
    System.out.flush();
  }
}
