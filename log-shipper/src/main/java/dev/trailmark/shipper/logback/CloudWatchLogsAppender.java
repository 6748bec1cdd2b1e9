package dev.trailmark.shipper.logback;

import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import dev.trailmark.shipper.internal.aws.CloudWatchLogsDestination;
import dev.trailmark.shipper.internal.aws.StreamNamePattern;
import dev.trailmark.shipper.internal.delivery.Destination;

/**
 * Logback appender that ships events to CloudWatch Logs with PutLogEvents, asynchronously and
 * bounded by bytes; see {@link DeliveryAppender} for the delivery options.
 */
public class CloudWatchLogsAppender extends DeliveryAppender {
  private String logGroupName;
  private String logStreamName = StreamNamePattern.DEFAULT;
  private boolean createLogGroup = true;

  @Override
  Destination createDestination(AwsEndpointSettings aws) {
    if (logGroupName == null || logGroupName.isBlank()) {
      throw new IllegalStateException("logGroupName is required");
    }
    Resource resource = Resource.detect(null);
    StreamNamePattern pattern =
        new StreamNamePattern(
            logStreamName,
            resource.attributes.get("host.name"),
            StreamNamePattern.instanceId(resource.attributes));
    return new CloudWatchLogsDestination(aws, logGroupName, pattern::format, createLogGroup);
  }

  /** The log group (required). */
  public void setLogGroupName(String logGroupName) {
    this.logGroupName = logGroupName;
  }

  /**
   * Stream name pattern with {host}, {instance}, {date}, {pid} (default {@value
   * StreamNamePattern#DEFAULT}).
   */
  public void setLogStreamName(String logStreamName) {
    this.logStreamName = logStreamName;
  }

  /** Whether to create the group and stream when missing (default true). */
  public void setCreateLogGroup(boolean createLogGroup) {
    this.createLogGroup = createLogGroup;
  }
}
