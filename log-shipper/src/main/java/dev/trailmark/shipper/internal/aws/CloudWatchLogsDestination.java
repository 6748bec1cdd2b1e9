package dev.trailmark.shipper.internal.aws;

import dev.trailmark.shipper.internal.delivery.BatchLimits;
import dev.trailmark.shipper.internal.delivery.DeliveryException;
import dev.trailmark.shipper.internal.delivery.Destination;
import dev.trailmark.shipper.internal.delivery.Event;
import dev.trailmark.shipper.internal.delivery.SendResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.RejectedLogEventsInfo;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * Delivers batches with CloudWatch Logs PutLogEvents: creates the group and stream on demand,
 * recreates them when they vanish, and counts the events the service rejects as too old, too new or
 * expired.
 */
public final class CloudWatchLogsDestination implements Destination {
  /**
   * PutLogEvents: 10,000 events, 1,048,576 bytes counting 26 per event, one 24 h span, in time
   * order.
   */
  public static final BatchLimits LIMITS =
      new BatchLimits(10_000, 1_048_576, 26, 1_048_576 - 26, 24L * 3600 * 1000, true);

  private final CloudWatchLogsClient client;
  private final String group;
  private final LongFunction<String> streamForTime;
  private final boolean create;
  private final Set<String> knownStreams = new HashSet<>();
  private boolean groupKnown;

  /**
   * @param streamForTime the stream name for the time of a batch's first event (patterns may hold a
   *     date)
   * @param create whether to create the group and stream when missing
   */
  public CloudWatchLogsDestination(
      AwsEndpointSettings aws, String group, LongFunction<String> streamForTime, boolean create) {
    this.client =
        aws.configure(CloudWatchLogsClient.builder()).httpClientBuilder(aws.httpClient()).build();
    this.group = group;
    this.streamForTime = streamForTime;
    this.create = create;
  }

  @Override
  public BatchLimits limits() {
    return LIMITS;
  }

  @Override
  public String name() {
    return "cloudwatch:" + group;
  }

  @Override
  public SendResult send(List<Event> batch) throws DeliveryException {
    String stream = streamForTime.apply(batch.get(0).timestamp());
    List<InputLogEvent> events = new ArrayList<>(batch.size());
    for (Event e : batch) {
      // String decoding replaces invalid UTF-8 with U+FFFD: the API accepts only valid UTF-8
      events.add(
          InputLogEvent.builder()
              .timestamp(e.timestamp())
              .message(new String(e.payload(), StandardCharsets.UTF_8))
              .build());
    }
    try {
      if (create && !knownStreams.contains(stream)) {
        ensureStream(stream);
      }
      return result(put(stream, events), batch.size());
    } catch (ResourceNotFoundException e) {
      // deleted under us (or never created): recreate and resend once now, else back off
      knownStreams.remove(stream);
      groupKnown = false;
      if (!create) {
        throw new DeliveryException(
            "log group or stream missing and createLogGroup=false: " + group + "/" + stream,
            true,
            e);
      }
      try {
        ensureStream(stream);
        return result(put(stream, events), batch.size());
      } catch (RuntimeException again) {
        throw AwsFailures.classify("PutLogEvents " + group + "/" + stream, again);
      }
    } catch (RuntimeException e) {
      throw AwsFailures.classify("PutLogEvents " + group + "/" + stream, e);
    }
  }

  private PutLogEventsResponse put(String stream, List<InputLogEvent> events) {
    return client.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
  }

  private void ensureStream(String stream) {
    if (!groupKnown) {
      try {
        client.createLogGroup(b -> b.logGroupName(group));
      } catch (ResourceAlreadyExistsException e) {
        // fine: someone created it first
      }
      groupKnown = true;
    }
    try {
      client.createLogStream(b -> b.logGroupName(group).logStreamName(stream));
    } catch (ResourceAlreadyExistsException e) {
      // fine
    }
    knownStreams.add(stream);
  }

  /**
   * Turns rejectedLogEventsInfo into a count: those events can never be accepted, so they are not
   * retried.
   */
  static SendResult result(PutLogEventsResponse r, int size) {
    RejectedLogEventsInfo info = r.rejectedLogEventsInfo();
    if (info == null) {
      return SendResult.ok();
    }
    boolean[] rejected = new boolean[size];
    StringBuilder why = new StringBuilder();
    if (info.tooOldLogEventEndIndex() != null) {
      mark(rejected, 0, info.tooOldLogEventEndIndex());
      why.append("too old before index ").append(info.tooOldLogEventEndIndex()).append("; ");
    }
    if (info.expiredLogEventEndIndex() != null) {
      mark(rejected, 0, info.expiredLogEventEndIndex());
      why.append("expired before index ").append(info.expiredLogEventEndIndex()).append("; ");
    }
    if (info.tooNewLogEventStartIndex() != null) {
      mark(rejected, info.tooNewLogEventStartIndex(), size);
      why.append("too new from index ").append(info.tooNewLogEventStartIndex()).append("; ");
    }
    int n = 0;
    for (boolean b : rejected) {
      n += b ? 1 : 0;
    }
    return SendResult.of(new int[0], n, why.toString().trim());
  }

  private static void mark(boolean[] rejected, int from, int to) {
    for (int i = Math.max(0, from); i < Math.min(rejected.length, to); i++) {
      rejected[i] = true;
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
