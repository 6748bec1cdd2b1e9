package dev.trailmark.agent.internal.export;

import dev.trailmark.agent.internal.trace.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Feeds one OpenTelemetry SDK {@link SpanExporter} with the sampled spans, in batches of up to
 * {@link #MAX_BATCH} at least every {@link #EXPORT_DELAY_MILLIS}, from its own daemon thread
 * started on the first span. It does the work of the SDK's {@code BatchSpanProcessor}, but its
 * queue is bounded by the memory the spans hold rather than by their number: when full, a new span
 * is dropped and counted and the application never waits. What is queued at exit is exported by a
 * shutdown hook, for at most {@link #EXIT_FLUSH_MILLIS}.
 */
public final class BatchingSpanExporter implements Consumer<Span> {

  static final int MAX_BATCH = 512;

  /**
   * Longest a span waits before its batch is sent (sooner when the queue is a quarter full). Short,
   * so that queued spans die young in the application's heap instead of being promoted (at 200 ms
   * the benchmark's heap grew by 100 MB under load); the SDK's batch processor waits up to 5 s,
   * X-Ray's own SDKs send each segment at once, on the request thread.
   */
  static final long EXPORT_DELAY_MILLIS = 50;

  /**
   * How long a batch may take before it counts as failed (the exporter's own timeout is usually
   * shorter).
   */
  static final long EXPORT_TIMEOUT_MILLIS = 10_000;

  /** How long the exit flush may delay the end of the process. */
  static final long EXIT_FLUSH_MILLIS = 2_000;

  private final String name;
  private final SpanExporter exporter;
  private final BoundedQueue<Span> queue;
  private final Runnable senderSetUp;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile Thread sender;

  /**
   * @param name the exporter's name in thread names and counters ({@code xray}, {@code otlp})
   * @param maxBytes bound of the queue, in estimated bytes held by the queued spans
   * @param senderSetUp run first on the sender thread (the agent marks it so its own calls are not
   *     traced)
   */
  public BatchingSpanExporter(
      String name, SpanExporter exporter, long maxBytes, Runnable senderSetUp) {
    this.name = name;
    this.exporter = exporter;
    this.queue =
        new BoundedQueue<>(
            maxBytes,
            new java.util.function.ToLongFunction<Span>() {
              @Override
              public long applyAsLong(Span span) {
                return estimatedBytes(span);
              }
            });
    this.senderSetUp = senderSetUp;
  }

  @Override
  public void accept(Span span) {
    if (!span.context().isSampled()) {
      return; // unsampled spans carried ids into headers and logs; they are not exported
    }
    if (queue.offer(span) && sender == null) {
      startSender();
    }
  }

  /**
   * What a queued span holds: the span and its context (~300 bytes) and its strings (2 bytes a
   * character at most; a database statement's too, its connection's details are shared), an
   * exception and its stack trace counted as 1 KiB.
   */
  static long estimatedBytes(Span span) {
    long chars =
        length(span.url())
            + length(span.route())
            + length(span.method())
            + length(span.awsResource())
            + length(span.context().traceState())
            + length(span.context().lineage())
            + length(span.dbStatement());
    return 320 + 2 * chars + (span.error() != null ? 1024 : 0);
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private synchronized void startSender() {
    if (sender != null) {
      return;
    }
    Thread thread =
        new Thread(
            new Runnable() {
              @Override
              public void run() {
                senderSetUp.run();
                send();
              }
            },
            "trailmark-" + name + "-exporter");
    thread.setDaemon(true);
    sender = thread;
    thread.start();
    // Spans still queued at exit are exported, within a deadline: a short-lived process reports
    // too.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                new Runnable() {
                  @Override
                  public void run() {
                    senderSetUp.run();
                    flushAtExit();
                  }
                },
                "trailmark-" + name + "-exit-flush"));
  }

  private void send() {
    List<SpanData> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (!Thread.currentThread().isInterrupted()) {
        queue.awaitBatch(EXPORT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        synchronized (this) { // a flush waits for what this thread drained to be exported
          while (queue.drainTo(batch, MAX_BATCH) > 0) {
            export(batch, EXPORT_TIMEOUT_MILLIS);
            batch.clear();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Exports, on the calling thread and within {@code timeoutMillis}, every span ended before this
   * call (including a batch the sender thread is exporting): an AWS Lambda invocation's spans must
   * be sent before its response lets the runtime freeze the process.
   */
  public synchronized void flush(long timeoutMillis) {
    exportQueued(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
  }

  void flushAtExit() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_FLUSH_MILLIS);
    if (!exportQueued(deadline)) {
      return;
    }
    exporter
        .shutdown()
        .join(
            Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
            TimeUnit.MILLISECONDS);
  }

  /**
   * Exports the queued spans a batch at a time until {@code deadline} ({@link System#nanoTime});
   * false when the deadline came first.
   */
  private boolean exportQueued(long deadline) {
    List<SpanData> batch = new ArrayList<>(MAX_BATCH);
    while (queue.drainTo(batch, MAX_BATCH) > 0) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      export(batch, left);
      batch.clear();
    }
    return true;
  }

  /**
   * Synchronized: the exit flush may run while the sender thread is still exporting, and an
   * exporter (the X-Ray one writes through one reused buffer) is called by one thread at a time.
   */
  private synchronized void export(List<SpanData> batch, long timeoutMillis) {
    CompletableResultCode result;
    try {
      result = exporter.export(batch).join(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      result =
          CompletableResultCode.ofFailure(); // an exporter's bug costs this batch, never the thread
    }
    if (result.isSuccess()) {
      exported.addAndGet(batch.size());
    } else {
      failed.addAndGet(batch.size()); // the endpoint refused it or is down: counted, not retried
    }
  }

  /** Spans dropped because the queue was full. */
  public long dropped() {
    return queue.dropped();
  }

  /** Spans the exporter reported as exported. */
  public long exported() {
    return exported.get();
  }

  /** Spans in batches the exporter reported as failed. */
  public long failed() {
    return failed.get();
  }

  public String name() {
    return name;
  }
}
