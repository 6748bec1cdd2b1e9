package dev.trailmark.agent.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trailmark.agent.internal.trace.TestSpans;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchingSpanExporterTest {

  @Test
  void flushExportsEverySpanEndedBeforeItReturns() {
    List<String> exported = Collections.synchronizedList(new ArrayList<>());
    SpanExporter recording =
        TestExporters.exporter(
            spans -> spans.forEach(span -> exported.add(span.getSpanId())), () -> {});
    BatchingSpanExporter exporter = new BatchingSpanExporter("test", recording, 1 << 20, () -> {});
    List<String> ended = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) { // more than one batch, while the sender thread runs too
      var span = TestSpans.server("http://x/" + i, 200, null);
      ended.add(span.getSpanId());
      exporter.accept(span);
    }

    exporter.flush(10_000);

    assertThat(List.copyOf(exported)).containsExactlyInAnyOrderElementsOf(ended);
    assertThat(exporter.exported()).isEqualTo(1_000);
  }
}
