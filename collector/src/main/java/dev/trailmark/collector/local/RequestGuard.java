package dev.trailmark.collector.local;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cuts connections that send their request too slowly, so that a few trickling clients cannot hold
 * the worker threads: a request must arrive (line, headers and body) within the read timeout, or
 * its connection is closed.
 *
 * <p>The JDK server reads on blocking socket channels, which an interrupt closes. The guard
 * interrupts a worker only while that worker is reading a request, never while it processes one
 * (the write-ahead log's file channel must never see an interrupt): phase changes and interrupts
 * happen under the same lock.
 */
final class RequestGuard implements AutoCloseable {

  private enum Phase {
    READING,
    PROCESSING,
    RESPONDING
  }

  private static final class Request {
    final RequestGuard guard;
    final Thread thread = Thread.currentThread();
    long deadline;
    Phase phase = Phase.READING;

    Request(RequestGuard guard, long deadline) {
      this.guard = guard;
      this.deadline = deadline;
    }
  }

  private static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

  private final long timeoutNanos;
  private final Map<Request, Boolean> active = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;
  private final LongAdder closed = new LongAdder();

  RequestGuard(Duration readTimeout) {
    this.timeoutNanos = readTimeout.toNanos();
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trailmark-collector-request-guard");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(50, Math.min(1000, readTimeout.toMillis() / 4));
    sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * The executor the HTTP server runs exchanges on: each exchange is watched until its request is
   * read.
   */
  Executor wrap(Executor workers) {
    return task ->
        workers.execute(
            () -> {
              Request request = new Request(this, System.nanoTime() + timeoutNanos);
              CURRENT.set(request);
              active.put(request, Boolean.TRUE);
              try {
                task.run();
              } finally {
                processing();
                CURRENT.remove();
              }
            });
  }

  /**
   * Called by the handler once the request body is read: from here on the worker is never
   * interrupted.
   */
  static void processing() {
    Request request = CURRENT.get();
    if (request == null) {
      return;
    }
    synchronized (request) {
      request.phase = Phase.PROCESSING;
    }
    Thread.interrupted(); // an interrupt that raced with the end of the read must not reach the
    // processing
  }

  /**
   * Called by the handler when everything is processed and only the response remains to be written:
   * a client that does not read its response is cut off after the same timeout, so it cannot hold a
   * worker either.
   */
  static void respondingNow() {
    Request request = CURRENT.get();
    if (request != null) {
      request.guard.responding(request);
    }
  }

  private void responding(Request request) {
    synchronized (request) {
      request.phase = Phase.RESPONDING;
      request.deadline = System.nanoTime() + timeoutNanos;
    }
    active.put(request, Boolean.TRUE);
  }

  /**
   * Connections closed because their request arrived (or their response was read) too slowly, since
   * start.
   */
  long closedCount() {
    return closed.sum();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Request request : active.keySet()) {
      synchronized (request) {
        if (request.phase == Phase.PROCESSING) {
          active.remove(request);
        } else if (now - request.deadline >= 0) { // reading the request or writing the response
          active.remove(request);
          closed.increment();
          request.thread.interrupt(); // closes the socket channel the worker is blocked on
        }
      }
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
