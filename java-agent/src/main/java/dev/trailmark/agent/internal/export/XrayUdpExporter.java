package dev.trailmark.agent.internal.export;

import dev.trailmark.agent.internal.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenTelemetry SDK {@link SpanExporter} that sends spans to the X-Ray daemon (or the local
 * collector) over UDP, as the daemon protocol has them: one document per datagram, a segment with
 * the calls it made embedded as subsegments (as X-Ray's SDKs send them) when they are exported
 * together, else an independent subsegment. Called by one thread at a time (its {@link
 * BatchingSpanExporter}).
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
   * Sends each span; the result fails when any datagram could not be sent (no daemon listening
   * shows as port unreachable on a later send). UDP has nothing to retry.
   */
  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    // A client span whose server span (in this process) is in the same batch travels inside it.
    Map<String, SpanData> segments = new HashMap<>();
    for (SpanData span : spans) {
      if (span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CONSUMER) {
        segments.put(span.getSpanId(), span);
      }
    }
    Map<String, List<SpanData>> children = new HashMap<>();
    for (SpanData span : spans) {
      String parent = span.getKind() == SpanKind.CLIENT ? localParentId(span) : null;
      if (parent != null && segments.containsKey(parent)) {
        children.computeIfAbsent(parent, k -> new ArrayList<>(2)).add(span);
      }
    }
    boolean allSent = true;
    for (SpanData span : spans) {
      List<SpanData> embedded =
          span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CONSUMER
              ? children.get(span.getSpanId())
              : null;
      if (span.getKind() == SpanKind.CLIENT && isEmbedded(span, children)) {
        continue; // sent inside its segment
      }
      if (embedded != null && encoder.encode(span, embedded, out)) {
        allSent &= send();
        continue;
      }
      encoder.encode(span, out);
      allSent &= send();
      if (embedded != null) { // too big together: each on its own
        for (SpanData child : embedded) {
          encoder.encode(child, out);
          allSent &= send();
        }
      }
    }
    return allSent ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  private static boolean isEmbedded(SpanData span, Map<String, List<SpanData>> children) {
    String parent = localParentId(span);
    return parent != null && children.containsKey(parent);
  }

  /**
   * The id of the span this one was made under in this process, or null (a root, or a remote
   * parent). Read from the agent's own spans without building the SDK's parent context for each.
   */
  private static String localParentId(SpanData span) {
    if (span instanceof Span) {
      Span s = (Span) span;
      return s.parentRemote() ? null : s.parentSpanId();
    }
    io.opentelemetry.api.trace.SpanContext parent = span.getParentSpanContext();
    return parent.isValid() && !parent.isRemote() ? parent.getSpanId() : null;
  }

  /** Sends what {@code out} holds; false when it could not be sent. */
  private boolean send() {
    try {
      out.flip();
      channel().write(out);
      return true;
    } catch (java.net.PortUnreachableException e) {
      return false; // no daemon listening (reported by a later send): the channel itself is fine
    } catch (IOException e) {
      closeChannel(); // anything else: a fresh channel for the next span
      return false;
    }
  }

  private DatagramChannel channel() throws IOException {
    if (channel == null) {
      InetSocketAddress target =
          daemon.isUnresolved()
              ? new InetSocketAddress(daemon.getHostString(), daemon.getPort())
              : daemon;
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
