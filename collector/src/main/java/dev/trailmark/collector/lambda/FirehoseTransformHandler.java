package dev.trailmark.collector.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse;
import com.amazonaws.services.lambda.runtime.events.KinesisAnalyticsInputPreprocessingResponse.Result;
import com.amazonaws.services.lambda.runtime.events.KinesisFirehoseEvent;
import com.amazonaws.xray.entities.Subsegment;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.collector.internal.mapping.CloudWatchLogsPayload;
import dev.trailmark.common.xray.Subsegments;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * AWS Lambda data-transformation handler for a Firehose stream fed by a CloudWatch Logs
 * subscription: each record (gzip-compressed subscription payload) becomes newline-delimited log
 * documents, one per event, mapped exactly as the local collector maps PutLogEvents. {@code
 * CONTROL_MESSAGE}s are {@code Dropped}; undecodable records are {@code ProcessingFailed} (Firehose
 * sends them to its error output).
 *
 * <p>Lambda's 6 MB response limit is respected: once the base64 output would pass it, the remaining
 * records are answered {@code ProcessingFailed} so Firehose retries them instead of the whole
 * invocation failing.
 */
public final class FirehoseTransformHandler
    implements RequestHandler<KinesisFirehoseEvent, KinesisAnalyticsInputPreprocessingResponse> {

  /** Lambda's synchronous response limit, less room for the JSON around the records. */
  static final long MAX_RESPONSE_BYTES = 6L * 1024 * 1024 - 64 * 1024;

  private static final int PER_RECORD_OVERHEAD = 96;

  @Override
  public KinesisAnalyticsInputPreprocessingResponse handleRequest(
      KinesisFirehoseEvent event, Context context) {
    Subsegment trace = Subsegments.begin("transform");
    try {
      return transform(event, context, trace);
    } catch (RuntimeException e) {
      Subsegments.fail(trace, e, "failed");
      throw e;
    } finally {
      Subsegments.end(trace);
    }
  }

  private KinesisAnalyticsInputPreprocessingResponse transform(
      KinesisFirehoseEvent event, Context context, Subsegment trace) {
    List<KinesisAnalyticsInputPreprocessingResponse.Record> out = new ArrayList<>();
    long responseBytes = 0;
    int failed = 0;
    int dropped = 0;
    int overLimit = 0;
    for (KinesisFirehoseEvent.Record record : event.getRecords()) {
      Result result;
      ByteBuffer data = ByteBuffer.allocate(0);
      try {
        byte[] input = new byte[record.getData().remaining()];
        record.getData().duplicate().get(input);
        CloudWatchLogsPayload payload = CloudWatchLogsPayload.parse(input);
        if (payload.isData()) {
          data = ByteBuffer.wrap(ndjson(payload.documents()));
          result = Result.Ok;
        } else {
          result = Result.Dropped;
          dropped++;
        }
      } catch (IllegalArgumentException e) {
        result = Result.ProcessingFailed;
        failed++;
      }
      long size =
          PER_RECORD_OVERHEAD + record.getRecordId().length() + (data.remaining() + 2L) / 3 * 4;
      if (responseBytes + size > MAX_RESPONSE_BYTES) {
        result = Result.ProcessingFailed;
        data = ByteBuffer.allocate(0);
        overLimit++;
        size = PER_RECORD_OVERHEAD + record.getRecordId().length();
      }
      responseBytes += size;
      out.add(
          new KinesisAnalyticsInputPreprocessingResponse.Record(
              record.getRecordId(), result, data));
    }
    if (context != null && context.getLogger() != null && (failed + overLimit + dropped) > 0) {
      context
          .getLogger()
          .log(
              "records: "
                  + event.getRecords().size()
                  + ", dropped (control): "
                  + dropped
                  + ", failed: "
                  + failed
                  + ", over the 6 MB response limit: "
                  + overLimit);
    }
    if (event.getDeliveryStreamArn() != null) {
      trace.putAnnotation("resource", event.getDeliveryStreamArn());
    }
    trace.putAnnotation("records", event.getRecords().size());
    trace.putAnnotation("dropped", dropped);
    trace.putAnnotation("failed", failed + overLimit);
    trace.putAnnotation("outcome", failed + overLimit > 0 ? "partly-failed" : "ok");
    return new KinesisAnalyticsInputPreprocessingResponse(out);
  }

  private static byte[] ndjson(List<ObjectNode> docs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (ObjectNode doc : docs) {
        out.write(dev.trailmark.common.json.Json.MAPPER.writeValueAsBytes(doc));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
