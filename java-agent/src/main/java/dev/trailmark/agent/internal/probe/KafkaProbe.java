package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Kafka producers and consumers (kafka-clients): {@code KafkaProducer.send} in a trace gets a
 * PRODUCER span, ended when the broker acknowledges the record (or the send fails), and writes the
 * trace into the record's headers ({@code X-Amzn-Trace-Id}, {@code traceparent}) unless the
 * application put one there. The records a {@code KafkaConsumer.poll} returns, as the application
 * iterates them ({@code for} over the {@code ConsumerRecords}, over its {@code records(topic)} or
 * {@code records(partition)}, {@code forEach}), each get a CONSUMER span of their own from {@code
 * next()} to the next {@code next()} (or the end of the loop, or the thread's next poll),
 * continuing the producer's trace from the headers (a new trace without them), as SQS messages do.
 * The callback is a {@link Proxy} of the application's own {@code Callback}: nothing is injected.
 */
public final class KafkaProbe extends Probe {

  private static final int SEND = 0;
  private static final int POLL = 1;
  private static final int ITERATOR = 2;
  private static final int BY_TOPIC = 3;
  private static final int BY_PARTITION = 4;

  private static final String XRAY = "X-Amzn-Trace-Id";
  private static final String TRACEPARENT = "traceparent";

  /** Per kafka-clients class loader: its {@code Callback} interface. */
  private static final ClassValue<Class<?>> CALLBACK =
      new ClassValue<>() {
        @Override
        protected Class<?> computeValue(Class<?> producerClass) {
          try {
            return Class.forName(
                "org.apache.kafka.clients.producer.Callback",
                false,
                producerClass.getClassLoader());
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Kafka not supported: " + e, e);
          }
        }
      };

  /** The records polls returned (weak keys: they go away with the application's references). */
  private final Map<Object, Boolean> polled = Collections.synchronizedMap(new WeakHashMap<>());

  /** The processing span open on this thread (one record at a time per thread). */
  private final ThreadLocal<Object> processing = new ThreadLocal<>();

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            "org.apache.kafka.clients.producer.KafkaProducer",
            "send",
            "(Lorg/apache/kafka/clients/producer/ProducerRecord;"
                + "Lorg/apache/kafka/clients/producer/Callback;)Ljava/util/concurrent/Future;",
            hook + SEND),
        Rule.wrap(
            name(),
            "org.apache.kafka.clients.consumer.KafkaConsumer",
            "poll",
            "(Ljava/time/Duration;)Lorg/apache/kafka/clients/consumer/ConsumerRecords;",
            hook + POLL),
        Rule.wrap(
            name(),
            "org.apache.kafka.clients.consumer.ConsumerRecords",
            "iterator",
            "()Ljava/util/Iterator;",
            hook + ITERATOR),
        Rule.wrap(
            name(),
            "org.apache.kafka.clients.consumer.ConsumerRecords",
            "records",
            "(Ljava/lang/String;)Ljava/lang/Iterable;",
            hook + BY_TOPIC),
        Rule.wrap(
            name(),
            "org.apache.kafka.clients.consumer.ConsumerRecords",
            "records",
            "(Lorg/apache/kafka/common/TopicPartition;)Ljava/util/List;",
            hook + BY_PARTITION));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (tag == SEND) {
      return send(hooks, self, args);
    }
    if (tag == POLL) {
      endProcessing(hooks); // the loop over the last records is over
    }
    return Boolean.TRUE;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == SEND) {
      if (thrown != null && scope instanceof Sent) {
        ((Sent) scope).end(thrown); // refused before it was queued: no callback comes
      }
      return result;
    }
    if (thrown != null || result == null) {
      return result;
    }
    if (tag == POLL) {
      polled.put(result, Boolean.TRUE);
      return result;
    }
    if (!polled.containsKey(self)) {
      return result;
    }
    if (tag == ITERATOR && result instanceof Iterator) {
      return new TracedRecords(hooks, (Iterator<?>) result);
    }
    if (tag == BY_TOPIC && result instanceof Iterable) {
      Iterable<?> records = (Iterable<?>) result;
      return (Iterable<Object>) () -> new TracedRecords(hooks, records.iterator());
    }
    if (tag == BY_PARTITION && result instanceof List) {
      return new TracedList(hooks, (List<?>) result);
    }
    return result;
  }

  /** Starts the record's span, writes its headers and wraps the callback; null: untraced. */
  private Object send(HooksImpl hooks, Object producer, Object[] args) {
    if (args.length != 2 || args[0] == null) {
      return null;
    }
    Object record = args[0];
    Object headers = Reflect.call(record, "headers");
    if (Reflect.call(headers, "lastHeader", XRAY) != null
        || Reflect.call(headers, "lastHeader", TRACEPARENT) != null) {
      return null; // propagated by the application already
    }
    Object scope = hooks.producerStart(record, "kafka", (String) Reflect.call(record, "topic"));
    if (scope == null) {
      return null;
    }
    Sent sent = new Sent(hooks, scope, args[1]);
    try {
      String[] values = hooks.clientHeaders(scope);
      for (int i = 0; values != null && i < values.length; i += 2) {
        Reflect.callTyped(
            headers,
            "add",
            new Class<?>[] {String.class, byte[].class},
            values[i],
            values[i + 1].getBytes(StandardCharsets.UTF_8));
      }
      Class<?> callback = CALLBACK.get(producer.getClass());
      args[1] = Proxy.newProxyInstance(callback.getClassLoader(), new Class<?>[] {callback}, sent);
    } catch (RuntimeException | LinkageError e) {
      sent.end(null); // read-only headers (a record sent twice): the send goes on untraced
      return null;
    }
    return sent;
  }

  /**
   * One traced send: ends its span once, when the callback fires or the send throws, then calls the
   * application's callback.
   */
  private static final class Sent implements InvocationHandler {
    private final HooksImpl hooks;
    private final Object scope;
    private final Object callback;
    private final AtomicBoolean ended = new AtomicBoolean();

    Sent(HooksImpl hooks, Object scope, Object callback) {
      this.hooks = hooks;
      this.scope = scope;
      this.callback = callback;
    }

    void end(Throwable error) {
      if (ended.compareAndSet(false, true)) {
        try {
          hooks.producerEnd(scope, error);
        } catch (RuntimeException | LinkageError e) {
          // never into the producer's I/O thread
        }
      }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (!"onCompletion".equals(method.getName()) || args == null || args.length != 2) {
        return Reflect.proxyDefault(proxy, method, args);
      }
      end((Throwable) args[1]);
      if (callback == null) {
        return null;
      }
      return Reflect.invoke(method, callback, args);
    }
  }

  private void endProcessing(HooksImpl hooks) {
    Object open = processing.get();
    if (open != null) {
      processing.remove();
      hooks.consumerEnd(open);
    }
  }

  private void startProcessing(HooksImpl hooks, Object record) {
    endProcessing(hooks);
    Object headers = Reflect.call(record, "headers");
    Object scope =
        hooks.brokerConsumerStart(
            record,
            header(headers, XRAY),
            header(headers, TRACEPARENT),
            "kafka",
            (String) Reflect.call(record, "topic"),
            Reflect.call(record, "partition") + ":" + Reflect.call(record, "offset"));
    if (scope != null) {
      processing.set(scope);
    }
  }

  private static String header(Object headers, String name) {
    Object header = Reflect.call(headers, "lastHeader", name);
    Object value = header == null ? null : Reflect.call(header, "value");
    return value instanceof byte[] ? new String((byte[]) value, StandardCharsets.UTF_8) : null;
  }

  /**
   * One partition's records ({@code records(partition)}): read as the application reads a list, but
   * iterated ({@code for}, {@code forEach}, a stream) record by record in spans, as the whole batch
   * is. Reading by index makes no span: there is no end to the processing of one element.
   */
  private final class TracedList extends java.util.AbstractList<Object> {
    private final HooksImpl hooks;
    private final List<?> records;

    TracedList(HooksImpl hooks, List<?> records) {
      this.hooks = hooks;
      this.records = records;
    }

    @Override
    public Object get(int index) {
      return records.get(index);
    }

    @Override
    public int size() {
      return records.size();
    }

    @Override
    public Iterator<Object> iterator() {
      return new TracedRecords(hooks, records.iterator());
    }
  }

  /**
   * The application's iterator over polled records: each {@code next()} opens its record's span.
   */
  private final class TracedRecords implements Iterator<Object> {
    private final HooksImpl hooks;
    private final Iterator<?> records;

    TracedRecords(HooksImpl hooks, Iterator<?> records) {
      this.hooks = hooks;
      this.records = records;
    }

    @Override
    public boolean hasNext() {
      boolean more = records.hasNext();
      if (!more) {
        quietly(null);
      }
      return more;
    }

    @Override
    public Object next() {
      Object record = records.next();
      quietly(record);
      return record;
    }

    @Override
    public void remove() {
      records.remove();
    }

    /**
     * Ends the open span and starts {@code record}'s (null: none); whatever fails, the loop goes
     * on.
     */
    private void quietly(Object record) {
      try {
        if (record == null) {
          endProcessing(hooks);
        } else {
          startProcessing(hooks, record);
        }
      } catch (RuntimeException | LinkageError e) {
        // never into the application's loop
      }
    }
  }
}
