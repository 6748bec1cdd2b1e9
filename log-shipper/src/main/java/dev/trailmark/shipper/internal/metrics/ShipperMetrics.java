package dev.trailmark.shipper.internal.metrics;

import dev.trailmark.shipper.internal.delivery.DeliveryEngine;

/**
 * Registers a delivery engine's meters in Micrometer's global registry, when Micrometer is on the
 * classpath.
 */
public final class ShipperMetrics {
  private static final boolean PRESENT = present();

  private ShipperMetrics() {}

  /** Returns a handle that removes the meters, or null when Micrometer is absent. */
  public static AutoCloseable bindIfPresent(DeliveryEngine engine, String name) {
    if (!PRESENT) {
      return null;
    }
    // MicrometerBinding is loaded only here, and no Micrometer type appears in this class, so that
    // verifying this class never loads Micrometer: applications without it must not fail.
    return MicrometerBinding.bindGlobal(engine.stats(), name, engine.destinationName());
  }

  private static boolean present() {
    try {
      Class.forName(
          "io.micrometer.core.instrument.MeterRegistry",
          false,
          ShipperMetrics.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
