package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.weave.Rule;
import java.util.AbstractList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * SQS consumers on the AWS SDK for Java v2's synchronous and asynchronous clients: the messages of
 * a {@code ReceiveMessage} answer (the asynchronous client's once its future completes), as the
 * application iterates them (a for-each loop, {@code forEach}, a stream), each get a span of their
 * own from {@code next()} to the next {@code next()} (or the end of the loop): a segment of the
 * producer's trace, continued from the message's {@code AWSTraceHeader} system attribute (a new
 * trace without one), linked to the receive call when that call was traced (the synchronous
 * client's: the asynchronous client's receive ends on another thread). The AWS SDK probe asks for
 * the attribute when the application did not. A loop left early keeps its last message's span open
 * until the thread's next receive.
 */
public final class SqsConsumerProbe extends Probe {

  private static final int RECEIVE = 0;
  private static final int MESSAGES = 1;
  private static final int RECEIVE_ASYNC = 2;

  /**
   * A received answer the application is given: where its messages came from, and their traced
   * view.
   */
  private static final class Received {
    final String queueUrl;
    final Object receiveSpan;
    TracedMessages view;

    Received(String queueUrl, Object receiveSpan) {
      this.queueUrl = queueUrl;
      this.receiveSpan = receiveSpan;
    }
  }

  /** Weak keys: answers go away with the application's references to them. */
  private final Map<Object, Received> received = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The receive call's span, from the AWS SDK interceptor to the client method's exit on the same
   * thread.
   */
  private final ThreadLocal<Object> receiveSpan = new ThreadLocal<>();

  /** The processing span open on this thread (one message at a time per thread). */
  private final ThreadLocal<Object> processing = new ThreadLocal<>();

  @Override
  public String name() {
    return "sqs-consumer";
  }

  @Override
  public List<Rule> rules(int hook) {
    return List.of(
        Rule.wrap(
            name(),
            AwsSdkProbe.sdk("services.sqs.DefaultSqsClient"),
            "receiveMessage",
            null,
            hook + RECEIVE),
        Rule.wrap(
            name(),
            AwsSdkProbe.sdk("services.sqs.DefaultSqsAsyncClient"),
            "receiveMessage",
            null,
            hook + RECEIVE_ASYNC),
        Rule.wrap(
            name(),
            AwsSdkProbe.sdk("services.sqs.model.ReceiveMessageResponse"),
            "messages",
            "()Ljava/util/List;",
            hook + MESSAGES));
  }

  /**
   * Called by the AWS SDK probe as a ReceiveMessage call ends, with its span's scope (null when
   * untraced).
   */
  void receiveEnded(HooksImpl hooks, Object scope) {
    receiveSpan.set(hooks.spanOf(scope));
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    if (tag == RECEIVE || tag == RECEIVE_ASYNC) {
      endProcessing(hooks); // the loop over the last answer is over
      receiveSpan.remove();
      return args.length == 1 && args[0] != null ? args[0] : null;
    }
    return Boolean.TRUE;
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    if (tag == RECEIVE_ASYNC) {
      return result instanceof CompletableFuture && thrown == null && scope != null
          ? whenReceived((CompletableFuture<?>) result, (String) Reflect.call(scope, "queueUrl"))
          : result;
    }
    if (tag == RECEIVE) {
      Object span = receiveSpan.get();
      receiveSpan.remove();
      if (result != null && thrown == null) {
        received.put(result, new Received((String) Reflect.call(scope, "queueUrl"), span));
      }
      return result;
    }
    if (!(result instanceof List) || thrown != null) {
      return result;
    }
    Received r = received.get(self);
    if (r == null) {
      return result; // not an answer the application received (the SDK's own reads, or the agent
      // off at receive)
    }
    synchronized (r) {
      if (r.view == null) {
        r.view = new TracedMessages(hooks, (List<?>) result, r);
      }
      return r.view;
    }
  }

  /**
   * The future the application gets for an asynchronous receive: it completes once the answer is
   * known as received, so that every callback of the application, whatever order it was added in,
   * iterates traced messages. Cancelling it cancels the SDK's.
   */
  private CompletableFuture<Object> whenReceived(CompletableFuture<?> sdk, String queueUrl) {
    CompletableFuture<Object> traced =
        new CompletableFuture<Object>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            sdk.cancel(mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning);
          }
        };
    sdk.whenComplete(
        new BiConsumer<Object, Throwable>() {
          @Override
          public void accept(Object response, Throwable error) {
            if (error != null) {
              traced.completeExceptionally(error);
              return;
            }
            try {
              if (response != null) {
                received.put(response, new Received(queueUrl, null));
              }
            } catch (RuntimeException e) {
              // never into the application's future
            }
            traced.complete(response);
          }
        });
    return traced;
  }

  private void endProcessing(HooksImpl hooks) {
    Object open = processing.get();
    if (open != null) {
      processing.remove();
      hooks.consumerEnd(open);
    }
  }

  private void startProcessing(HooksImpl hooks, Object message, Received from) {
    endProcessing(hooks);
    String header = null;
    Object attributes = Reflect.call(message, "attributesAsStrings");
    if (attributes instanceof Map) {
      Object value = ((Map<?, ?>) attributes).get("AWSTraceHeader");
      header = value instanceof String ? (String) value : null;
    }
    Object scope =
        hooks.consumerStart(
            message,
            header,
            from.receiveSpan,
            from.queueUrl,
            (String) Reflect.call(message, "messageId"));
    if (scope != null) {
      processing.set(scope);
    }
  }

  /**
   * The application's view of the messages: the same elements, and iterating them opens each
   * message's span. Equality, hashing, printing and copying go to the messages themselves, opening
   * nothing.
   */
  private final class TracedMessages extends AbstractList<Object> {
    private final HooksImpl hooks;
    private final List<?> messages;
    private final Received from;

    TracedMessages(HooksImpl hooks, List<?> messages, Received from) {
      this.hooks = hooks;
      this.messages = messages;
      this.from = from;
    }

    @Override
    public Object get(int index) {
      return messages.get(index);
    }

    @Override
    public int size() {
      return messages.size();
    }

    @Override
    public Iterator<Object> iterator() {
      return new Iterator<Object>() {
        private int next;

        @Override
        public boolean hasNext() {
          boolean more = next < messages.size();
          if (!more) {
            quietly(null);
          }
          return more;
        }

        @Override
        public Object next() {
          if (next >= messages.size()) {
            throw new NoSuchElementException();
          }
          Object message = messages.get(next++);
          quietly(message);
          return message;
        }
      };
    }

    /**
     * Ends the open span and starts {@code message}'s (null: none); whatever fails, the loop goes
     * on.
     */
    private void quietly(Object message) {
      try {
        if (message == null) {
          endProcessing(hooks);
        } else {
          startProcessing(hooks, message, from);
        }
      } catch (RuntimeException | LinkageError e) {
        // never into the application's loop
      }
    }

    @Override
    public Object[] toArray() {
      return messages.toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
      return messages.toArray(a);
    }

    @Override
    public boolean contains(Object o) {
      return messages.contains(o);
    }

    @Override
    public int indexOf(Object o) {
      return messages.indexOf(o);
    }

    @Override
    public boolean equals(Object o) {
      return o == this || messages.equals(o);
    }

    @Override
    public int hashCode() {
      return messages.hashCode();
    }

    @Override
    public String toString() {
      return messages.toString();
    }
  }
}
