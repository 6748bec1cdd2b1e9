package dev.trailmark.agent.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.trace.TestSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchingSpanExporterTest {

  /** Records what it is asked to export, on the thread that asks. */
  private static final class Recording implements SpanExporter {
    final List<String> exported = new ArrayList<>();

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
      for (SpanData span : spans) {
        exported.add(span.getSpanId());
      }
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    synchronized List<String> exported() {
      return new ArrayList<>(exported);
    }
  }

  @Test
  void flushExportsEverySpanEndedBeforeItReturns() {
    Recording recording = new Recording();
    BatchingSpanExporter exporter = new BatchingSpanExporter("test", recording, 1 << 20, () -> {});
    List<String> ended = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) { // more than one batch, while the sender thread runs too
      var span = TestSpans.server("http://x/" + i, 200, null);
      ended.add(span.getSpanId());
      exporter.accept(span);
    }

    exporter.flush(10_000);

    assertThat(recording.exported()).containsExactlyInAnyOrderElementsOf(ended);
    assertThat(exporter.exported()).isEqualTo(1_000);
  }
}
