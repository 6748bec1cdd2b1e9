package dev.trailmark.shipper.internal.aws;

import dev.trailmark.shipper.internal.delivery.BatchLimits;
import dev.trailmark.shipper.internal.delivery.DeliveryException;
import dev.trailmark.shipper.internal.delivery.Destination;
import dev.trailmark.shipper.internal.delivery.Event;
import dev.trailmark.shipper.internal.delivery.SendResult;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.FirehoseClient;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;

/**
 * Delivers batches with Firehose PutRecordBatch. Events are packed, each followed by a newline,
 * into records of up to {@code recordBytes} (Firehose bills every record in 5 KB steps, so packing
 * small events saves money); a request holds at most 500 records and 4 MiB. When some records fail,
 * only the events of those records are sent again.
 */
public final class FirehoseDestination implements Destination {
  /** Firehose's own limits. */
  public static final int MAX_RECORDS = 500;

  /** Largest request. */
  public static final long MAX_REQUEST_BYTES = 4L * 1024 * 1024;

  /** Largest record (1,000 KiB). */
  public static final int MAX_RECORD_BYTES = 1000 * 1024;

  private static final BatchLimits LIMITS =
      new BatchLimits(MAX_RECORDS * 50, MAX_REQUEST_BYTES, 1, MAX_RECORD_BYTES - 1, 0, false);

  private final FirehoseClient client;
  private final String stream;
  private final int recordBytes;

  /**
   * {@code recordBytes} is the packing target of one record, from 1 (one event per record) to
   * 1,024,000.
   */
  public FirehoseDestination(AwsEndpointSettings aws, String stream, int recordBytes) {
    if (recordBytes < 1 || recordBytes > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException("recordBytes must be between 1 and " + MAX_RECORD_BYTES);
    }
    this.client =
        aws.configure(FirehoseClient.builder()).httpClientBuilder(aws.httpClient()).build();
    this.stream = stream;
    this.recordBytes = recordBytes;
  }

  @Override
  public BatchLimits limits() {
    return LIMITS;
  }

  @Override
  public String name() {
    return "firehose:" + stream;
  }

  /** Which events went into which record: {@code first[i]} to {@code first[i+1]} exclusive. */
  static List<int[]> pack(List<Event> batch, int recordBytes) {
    List<int[]> ranges = new ArrayList<>();
    int start = 0;
    long size = 0;
    for (int i = 0; i < batch.size(); i++) {
      int cost = batch.get(i).payload().length + 1;
      if (i > start && size + cost > recordBytes) {
        ranges.add(new int[] {start, i});
        start = i;
        size = 0;
      }
      size += cost;
    }
    if (start < batch.size()) {
      ranges.add(new int[] {start, batch.size()});
    }
    return ranges;
  }

  @Override
  public SendResult send(List<Event> batch) throws DeliveryException {
    List<int[]> ranges = pack(batch, recordBytes);
    List<Integer> retry = new ArrayList<>();
    String firstError = null;
    // The engine bounds the bytes to one request; records may still exceed 500: send them in
    // slices.
    for (int from = 0; from < ranges.size(); from += MAX_RECORDS) {
      List<int[]> slice = ranges.subList(from, Math.min(ranges.size(), from + MAX_RECORDS));
      List<Record> records = new ArrayList<>(slice.size());
      for (int[] r : slice) {
        records.add(
            Record.builder().data(SdkBytes.fromByteArrayUnsafe(join(batch, r[0], r[1]))).build());
      }
      PutRecordBatchResponse response;
      try {
        response = client.putRecordBatch(b -> b.deliveryStreamName(stream).records(records));
      } catch (RuntimeException e) {
        if (from == 0) {
          throw AwsFailures.classify("PutRecordBatch " + stream, e);
        }
        // a later slice failed as a whole: resend its events and every slice after it
        for (int[] r : ranges.subList(from, ranges.size())) {
          for (int i = r[0]; i < r[1]; i++) {
            retry.add(i);
          }
        }
        firstError = firstError == null ? e.getMessage() : firstError;
        break;
      }
      Integer failed = response.failedPutCount();
      if (failed != null && failed > 0) {
        List<PutRecordBatchResponseEntry> entries = response.requestResponses();
        for (int k = 0; k < entries.size() && k < slice.size(); k++) {
          PutRecordBatchResponseEntry entry = entries.get(k);
          if (entry.errorCode() != null) {
            firstError =
                firstError == null ? entry.errorCode() + ": " + entry.errorMessage() : firstError;
            for (int i = slice.get(k)[0]; i < slice.get(k)[1]; i++) {
              retry.add(i);
            }
          }
        }
      }
    }
    return SendResult.of(retry.stream().mapToInt(Integer::intValue).toArray(), 0, firstError);
  }

  private static byte[] join(List<Event> batch, int from, int to) {
    int size = 0;
    for (int i = from; i < to; i++) {
      size += batch.get(i).payload().length + 1;
    }
    byte[] out = new byte[size];
    int pos = 0;
    for (int i = from; i < to; i++) {
      byte[] p = batch.get(i).payload();
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
      out[pos++] = '\n';
    }
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
