package dev.trailmark.agent.internal.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.function.Consumer;

/** Span exporters for the tests of what feeds them. */
final class TestExporters {

  private TestExporters() {}

  /**
   * An exporter that hands each batch to {@code export} (which may throw), on the thread that asks,
   * and runs {@code onShutdown} when shut down.
   */
  static SpanExporter exporter(Consumer<Collection<SpanData>> export, Runnable onShutdown) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        export.accept(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        onShutdown.run();
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
