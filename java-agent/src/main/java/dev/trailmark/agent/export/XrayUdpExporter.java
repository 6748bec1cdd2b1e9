package dev.trailmark.agent.export;

import dev.trailmark.agent.trace.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayDeque;
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

  /** Size of the recycled datagram arrays: a typical segment document fits in one with room to spare. */
  static final int POOLED_SIZE = 1024;

  /** Most arrays kept for reuse (64 KiB): enough for the spans in flight between encoding and sending. */
  static final int POOL_MAX = 64;

  /** Datagram arrays the sender has finished with; the queue holds the others until they are sent. */
  private final ArrayDeque<byte[]> pool = new ArrayDeque<>();

  @Override
  public void accept(Span span) {
    if (!span.context().isSampled()) {
      return;
    }
    byte[] reuse = takePooled();
    byte[] datagram = encoder.framedDatagram(span, reuse);
    if (datagram != reuse) {
      recycle(reuse); // this span did not fit: a one-off array of its own size
    }
    if (!queue.offer(datagram)) {
      recycle(datagram); // dropped and counted by the queue
    } else if (sender == null) {
      startSender();
    }
  }

  private byte[] takePooled() {
    byte[] array;
    synchronized (pool) {
      array = pool.pollLast();
    }
    return array != null ? array : new byte[POOLED_SIZE];
  }

  private void recycle(byte[] array) {
    if (array.length == POOLED_SIZE) {
      synchronized (pool) {
        if (pool.size() < POOL_MAX) {
          pool.addLast(array);
        }
      }
    }
  }

  int pooled() {
    synchronized (pool) {
      return pool.size();
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
      // One direct buffer for every datagram: no wrapper per span, and no copy by the JDK into its own.
      ByteBuffer out = ByteBuffer.allocateDirect(XraySegmentEncoder.MAX_DATAGRAM);
      while (!Thread.currentThread().isInterrupted()) {
        byte[] datagram = queue.poll(1, TimeUnit.SECONDS);
        if (datagram == null) {
          continue;
        }
        int length = XraySegmentEncoder.length(datagram);
        try {
          if (length > out.capacity()) {
            throw new IOException("datagram of " + length + " bytes"); // the daemon could not read it
          }
          out.clear();
          out.put(datagram, XraySegmentEncoder.FRAME, length).flip();
          channel.write(out);
          sent.incrementAndGet();
        } catch (IOException e) {
          failed.incrementAndGet(); // no daemon listening (port unreachable): nothing to retry, just count it
        } finally {
          recycle(datagram);
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
