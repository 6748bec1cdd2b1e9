package dev.trailmark.agent.export;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Collection;

/**
 * An OpenTelemetry SDK {@link SpanExporter} that sends spans to the X-Ray daemon (or the local collector)
 * over UDP, as the daemon protocol has them: one segment document per datagram. Called by one thread at
 * a time (its {@link BatchingSpanExporter}).
 */
public final class XrayUdpExporter implements SpanExporter {

  private final XraySegmentEncoder encoder;
  private final InetSocketAddress daemon;
  // One direct buffer for every datagram: no array per span, and no copy by the JDK into its own.
  private final ByteBuffer out = ByteBuffer.allocateDirect(XraySegmentEncoder.MAX_DATAGRAM);
  private DatagramChannel channel;

  public XrayUdpExporter(XraySegmentEncoder encoder, InetSocketAddress daemon) {
    this.encoder = encoder;
    this.daemon = daemon;
  }

  /**
   * Sends each span; the result fails when any datagram could not be sent (no daemon listening shows as
   * port unreachable on a later send). UDP has nothing to retry.
   */
  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    boolean allSent = true;
    for (SpanData span : spans) {
      try {
        encoder.encode(span, out);
        out.flip();
        channel().write(out);
      } catch (java.net.PortUnreachableException e) {
        allSent = false; // no daemon listening (reported by a later send): the channel itself is fine
      } catch (IOException e) {
        allSent = false;
        closeChannel(); // anything else: a fresh channel for the next span
      }
    }
    return allSent ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  private DatagramChannel channel() throws IOException {
    if (channel == null) {
      InetSocketAddress target = daemon.isUnresolved()
          ? new InetSocketAddress(daemon.getHostString(), daemon.getPort()) : daemon;
      DatagramChannel c = DatagramChannel.open();
      // Connected: no per-datagram address checks, one write system call per span.
      c.connect(target);
      channel = c;
    }
    return channel;
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a UDP socket has nothing to report
      }
      channel = null;
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess(); // every export has already been written
  }

  @Override
  public CompletableResultCode shutdown() {
    closeChannel();
    return CompletableResultCode.ofSuccess();
  }
}
