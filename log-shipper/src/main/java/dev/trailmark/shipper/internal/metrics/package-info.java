/**
 * The Micrometer meters of a delivery engine, loaded only when Micrometer is on the classpath.
 *
 * <p>Internal: not API. Nothing here is meant to be used outside the log shipper, and any of it may
 * change or go away in any release without notice. Configure the shipper through the Logback
 * appenders and encoder in {@code dev.trailmark.shipper.logback}, or run {@code trailmark ship}.
 */
package dev.trailmark.shipper.internal.metrics;
