package dev.trailmark.shipper.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Map;

/**
 * The forked application of {@link KillNineIT}: logs numbered events through CloudWatchLogsAppender
 * with a disk spool and prints its progress, until it is killed or has logged {@code count} events.
 * Args: endpoint spoolDir prefix count.
 */
public final class SpoolingApp {
  static final String XML =
      """
      <configuration>
        <appender name="cwl" class="dev.trailmark.shipper.logback.CloudWatchLogsAppender">
          <logGroupName>/trailmark/it-kill</logGroupName>
          <logStreamName>{host}-{pid}</logStreamName>
          <endpoint>${endpoint}</endpoint>
          <accessKeyId>trailmark</accessKeyId>
          <secretAccessKey>trailmark</secretAccessKey>
          <spoolDir>${spool}</spoolDir>
          <spoolMaxBytes>67108864</spoolMaxBytes>
          <spoolSegmentBytes>2097152</spoolSegmentBytes>
          <fsync>never</fsync>
          <overflowPolicy>block</overflowPolicy>
          <maxBatchDelayMillis>200</maxBatchDelayMillis>
          <shutdownTimeoutMillis>30000</shutdownTimeoutMillis>
        </appender>
        <root level="INFO"><appender-ref ref="cwl"/></root>
      </configuration>
      """;

  private SpoolingApp() {}

  public static void main(String[] args) throws Exception {
    LoggerContext ctx = Collected.logback(XML, Map.of("endpoint", args[0], "spool", args[1]));
    Logger log = ctx.getLogger("app");
    String prefix = args[2];
    int count = Integer.parseInt(args[3]);
    for (int i = 0; i < count; i++) {
      log.info("{}-{}", prefix, i);
      // log.info has returned: the event is in the spool's mapped segment, so a kill -9 cannot lose
      // it
      if (i % 50 == 0) {
        System.out.println("logged " + i);
        System.out.flush();
      }
      if (i % 10 == 9) {
        Thread.sleep(1);
      }
    }
    ctx.stop();
    System.out.println("done " + count);
    System.out.flush();
  }
}
