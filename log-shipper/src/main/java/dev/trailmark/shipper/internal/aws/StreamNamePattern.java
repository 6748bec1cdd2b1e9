package dev.trailmark.shipper.internal.aws;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A log stream name pattern: {@code {host}}, {@code {instance}} (EC2 instance, ECS task, Lambda
 * stream, else the process id), {@code {date}} (UTC {@code yyyy/MM/dd} of the batch) and {@code
 * {pid}}. Characters CloudWatch Logs forbids in stream names ({@code :} and {@code *}) become
 * {@code -}.
 */
public final class StreamNamePattern {
  /** The default pattern. */
  public static final String DEFAULT = "{date}/{host}/{instance}";

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
  private final String fixed; // the pattern with everything but {date} resolved
  private final boolean hasDate;
  private long cachedDay = Long.MIN_VALUE;
  private String cached;

  /** Resolves the fixed placeholders now; {@code {date}} per batch. */
  public StreamNamePattern(String pattern, String host, String instance) {
    String pid = Long.toString(ProcessHandle.current().pid());
    this.fixed =
        pattern
            .replace("{host}", host == null ? "localhost" : host)
            .replace("{instance}", instance == null ? pid : instance)
            .replace("{pid}", pid)
            .replace(':', '-')
            .replace('*', '-');
    this.hasDate = fixed.contains("{date}");
  }

  /** The stream name for a batch whose first event has this time. */
  public synchronized String format(long epochMillis) {
    if (!hasDate) {
      return fixed;
    }
    long day = Math.floorDiv(epochMillis, 86_400_000L);
    if (day != cachedDay) {
      cached =
          fixed.replace(
              "{date}", LocalDate.ofEpochDay(day).atStartOfDay(ZoneOffset.UTC).format(DATE));
      cachedDay = day;
    }
    return cached;
  }

  /** The most specific compute instance id among detected resource attributes, or null. */
  public static String instanceId(Map<String, String> resource) {
    String arn = resource.get("aws.ecs.task.arn");
    if (arn != null) {
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
    if (resource.get("faas.instance") != null) {
      return resource.get("faas.instance");
    }
    return resource.get("host.id");
  }
}
