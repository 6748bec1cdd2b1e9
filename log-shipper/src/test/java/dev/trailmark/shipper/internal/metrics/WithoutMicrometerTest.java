package dev.trailmark.shipper.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** Micrometer is an optional dependency: an application without it must log normally. */
class WithoutMicrometerTest {
  /**
   * Loads our classes itself and refuses every Micrometer class, like a classpath without the jar.
   */
  static final class NoMicrometerLoader extends URLClassLoader {
    NoMicrometerLoader(URL[] urls, ClassLoader parent) {
      super(urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("io.micrometer.")) {
        throw new ClassNotFoundException(name);
      }
      if (name.startsWith("dev.trailmark.shipper.")) {
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          return c != null ? c : findClass(name);
        }
      }
      return super.loadClass(name, resolve);
    }
  }

  /** Runs inside the restricted loader. */
  public static final class Probe implements Callable<String> {
    @Override
    public String call() throws Exception {
      dev.trailmark.shipper.internal.delivery.Destination d =
          new dev.trailmark.shipper.internal.delivery.Destination() {
            @Override
            public dev.trailmark.shipper.internal.delivery.BatchLimits limits() {
              return new dev.trailmark.shipper.internal.delivery.BatchLimits(
                  10, 10_000, 0, 1000, 0, false);
            }

            @Override
            public dev.trailmark.shipper.internal.delivery.SendResult send(
                java.util.List<dev.trailmark.shipper.internal.delivery.Event> b) {
              return dev.trailmark.shipper.internal.delivery.SendResult.ok();
            }

            @Override
            public String name() {
              return "probe";
            }
          };
      var engine = dev.trailmark.shipper.internal.delivery.DeliveryEngine.builder(d).start();
      Object binding = ShipperMetrics.bindIfPresent(engine, "probe");
      engine.close(java.time.Duration.ofSeconds(1));
      return String.valueOf(binding);
    }
  }

  @Test
  void theAppenderRunsWithoutMicrometerAndRegistersNothing() throws Exception {
    URL main = ShipperMetrics.class.getProtectionDomain().getCodeSource().getLocation();
    URL test = Probe.class.getProtectionDomain().getCodeSource().getLocation();
    try (NoMicrometerLoader loader =
        new NoMicrometerLoader(new URL[] {main, test}, getClass().getClassLoader())) {
      @SuppressWarnings("unchecked")
      Callable<String> probe =
          (Callable<String>) loader.loadClass(Probe.class.getName()).getConstructor().newInstance();
      assertThat(probe.call()).isEqualTo("null");
    }
  }
}
