package dev.trailmark.agent.internal.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the application's own OpenTelemetry API calls put on a span (the API bridge): the name,
 * kind, attributes, events, links and status of a span it opened, or what it added to one of the
 * agent's spans through {@code Span.current()}. Written by application threads (so synchronized),
 * read by exporters once the span has ended.
 */
public final class ManualData {

  /** The SDK's default span limits: an application cannot make a span grow without bound. */
  static final int MAX_ATTRIBUTES = 128;

  static final int MAX_EVENTS = 128;
  static final int MAX_LINKS = 128;

  private final boolean opened;
  private String name;
  private SpanKind kind = SpanKind.INTERNAL;
  private final Map<AttributeKey<?>, Object> attributes = new LinkedHashMap<>();
  private final List<EventData> events = new ArrayList<>(0);
  private final List<LinkData> links = new ArrayList<>(0);
  private StatusData status = StatusData.unset();
  private boolean ended;

  /**
   * @param opened whether the application opened the span (false: an agent span it annotates)
   */
  public ManualData(boolean opened, String name) {
    this.opened = opened;
    this.name = name;
  }

  /** Whether the application opened this span itself (and so may end it). */
  public boolean opened() {
    return opened;
  }

  /** The name the application gave, or null to keep the agent's. */
  public synchronized String name() {
    return name;
  }

  public synchronized void name(String name) {
    this.name = name;
  }

  public synchronized SpanKind kind() {
    return kind;
  }

  public synchronized void kind(SpanKind kind) {
    this.kind = kind;
  }

  /** Sets an attribute (a null value removes it, as the SDK does). */
  public synchronized <T> void attribute(AttributeKey<T> key, T value) {
    if (value == null) {
      attributes.remove(key);
    } else if (attributes.size() < MAX_ATTRIBUTES || attributes.containsKey(key)) {
      attributes.put(key, value);
    }
  }

  public synchronized void event(String name, Attributes attributes, long epochNanos) {
    if (events.size() < MAX_EVENTS) {
      events.add(EventData.create(epochNanos, name, attributes));
    }
  }

  public synchronized void link(LinkData link) {
    if (links.size() < MAX_LINKS) {
      links.add(link);
    }
  }

  /** Sets the status; as in the SDK, once OK it stays OK. */
  public synchronized void status(StatusCode code, String description) {
    if (status.getStatusCode() != StatusCode.OK) {
      status = StatusData.create(code, code == StatusCode.ERROR ? description : null);
    }
  }

  public synchronized StatusData status() {
    return status;
  }

  /** Whether the application ended the span. */
  public synchronized boolean ended() {
    return ended;
  }

  /** Marks the span ended; false when it already was (a second {@code end()} is ignored). */
  public synchronized boolean end() {
    boolean first = !ended;
    ended = true;
    return first;
  }

  /** The attributes set so far, to follow the agent's own in the exported span. */
  @SuppressWarnings("unchecked")
  public synchronized void addAttributesTo(AttributesBuilder builder) {
    for (Map.Entry<AttributeKey<?>, Object> e : attributes.entrySet()) {
      builder.put((AttributeKey<Object>) e.getKey(), e.getValue());
    }
  }

  public synchronized List<EventData> events() {
    return events.isEmpty() ? Collections.emptyList() : new ArrayList<>(events);
  }

  public synchronized List<LinkData> links() {
    return links.isEmpty() ? Collections.emptyList() : new ArrayList<>(links);
  }

  /**
   * A span context for a parent the application names that the agent did not make (one extracted
   * from headers, or {@code Span.wrap}): a remote parent when {@code remote}.
   */
  public static SpanContext context(
      String traceId, String spanId, boolean sampled, boolean remote) {
    return new SpanContext(traceId, spanId, sampled ? 1 : 0, null, null, remote);
  }

  /**
   * A span that only stands for {@code context} while the application has it current: what the
   * agent's calls made inside it take as their parent. Never ended, never exported.
   */
  public static Span standIn(SpanContext context) {
    return new Span(
        context,
        null,
        false,
        Span.Kind.INTERNAL,
        null,
        null,
        0L,
        0L,
        io.opentelemetry.sdk.resources.Resource.empty());
  }
}
