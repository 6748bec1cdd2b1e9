package dev.trailmark.shipper.logback;

import dev.trailmark.shipper.internal.aws.AwsEndpointSettings;
import dev.trailmark.shipper.internal.aws.FirehoseDestination;
import dev.trailmark.shipper.internal.delivery.Destination;

/**
 * Logback appender that ships events to a Kinesis Data Firehose delivery stream with
 * PutRecordBatch, newline-delimited and packed into records; see {@link DeliveryAppender} for the
 * delivery options.
 */
public class FirehoseAppender extends DeliveryAppender {
  private String deliveryStreamName;
  private int recordBytes = 5 * 1024;

  @Override
  Destination createDestination(AwsEndpointSettings aws) {
    if (deliveryStreamName == null || deliveryStreamName.isBlank()) {
      throw new IllegalStateException("deliveryStreamName is required");
    }
    return new FirehoseDestination(aws, deliveryStreamName, recordBytes);
  }

  /** The delivery stream (required). */
  public void setDeliveryStreamName(String deliveryStreamName) {
    this.deliveryStreamName = deliveryStreamName;
  }

  /**
   * Packing target of one record in bytes (default 5120: Firehose bills in 5 KB steps); 1 sends one
   * event per record. A single event larger than this still travels alone, up to 1,000 KiB.
   */
  public void setRecordBytes(int recordBytes) {
    this.recordBytes = recordBytes;
  }
}
