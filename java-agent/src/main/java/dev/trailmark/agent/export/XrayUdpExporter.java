package dev.trailmark.agent.export;

import dev.trailmark.agent.trace.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends sampled spans to the X-Ray daemon (or the local collector) over UDP, one document per datagram,
 * from one daemon thread started on the first span. The application thread only encodes and enqueues.
 */
public final class XrayUdpExporter implements Consumer<Span> {

  private final XraySegmentEncoder encoder;
  private final InetSocketAddress daemon;
  private final BoundedQueue queue;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile Thread sender;

  public XrayUdpExporter(XraySegmentEncoder encoder, InetSocketAddress daemon, long queueBytes) {
    this.encoder = encoder;
    this.daemon = daemon;
    this.queue = new BoundedQueue(queueBytes);
  }

  @Override
  public void accept(Span span) {
    if (!span.context().isSampled()) {
      return;
    }
    if (queue.offer(encoder.datagram(span)) && sender == null) {
      startSender();
    }
  }

  private synchronized void startSender() {
    if (sender != null) {
      return;
    }
    Thread thread = new Thread(new Runnable() {
      @Override
      public void run() {
        send();
      }
    }, "trailmark-xray-exporter");
    thread.setDaemon(true);
    sender = thread;
    thread.start();
  }

  private void send() {
    InetSocketAddress target = daemon.isUnresolved()
        ? new InetSocketAddress(daemon.getHostString(), daemon.getPort()) : daemon;
    // A connected channel: no per-datagram address checks, one write system call per span.
    try (DatagramChannel channel = DatagramChannel.open()) {
      channel.connect(target);
      while (!Thread.currentThread().isInterrupted()) {
        byte[] datagram = queue.poll(1, TimeUnit.SECONDS);
        if (datagram == null) {
          continue;
        }
        try {
          channel.write(ByteBuffer.wrap(datagram));
          sent.incrementAndGet();
        } catch (IOException e) {
          failed.incrementAndGet(); // no daemon listening (port unreachable): nothing to retry, just count it
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("[trailmark-agent] X-Ray exporter stopped: " + e);
    }
  }

  /** Spans dropped because the queue was full. */
  public long dropped() {
    return queue.dropped();
  }

  public long sent() {
    return sent.get();
  }

  public long failed() {
    return failed.get();
  }

  BoundedQueue queue() {
    return queue;
  }
}
