package dev.trailmark.shipper.internal.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The engine's SPI driven by the test: it can hold requests until released, or fail them. */
final class ScriptedDestination implements Destination {
  final List<String> delivered = new CopyOnWriteArrayList<>();
  final CountDownLatch release;
  final CountDownLatch firstRequest = new CountDownLatch(1);
  volatile boolean failing;
  volatile long delayMillis;
  private final BatchLimits limits;

  ScriptedDestination(boolean held, BatchLimits limits) {
    this.release = new CountDownLatch(held ? 1 : 0);
    this.limits = limits;
  }

  ScriptedDestination(boolean held) {
    this(held, new BatchLimits(100, 100_000, 0, 10_000, 0, false));
  }

  @Override
  public BatchLimits limits() {
    return limits;
  }

  @Override
  public SendResult send(List<Event> batch) throws DeliveryException {
    firstRequest.countDown();
    try {
      release.await();
      if (delayMillis > 0) {
        TimeUnit.MILLISECONDS.sleep(delayMillis);
      }
    } catch (InterruptedException e) {
      throw new DeliveryException("interrupted", true, e);
    }
    if (failing) {
      throw new DeliveryException("endpoint down", true, null);
    }
    List<String> got = new ArrayList<>();
    for (Event e : batch) {
      got.add(new String(e.payload(), StandardCharsets.UTF_8));
    }
    delivered.addAll(got);
    return SendResult.ok();
  }

  @Override
  public String name() {
    return "scripted";
  }
}
