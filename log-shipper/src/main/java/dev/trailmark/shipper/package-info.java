/**
 * Trailmark's log shipper. Its API is what a user configures or calls: the Logback appenders and
 * encoder in {@code dev.trailmark.shipper.logback} ({@code CloudWatchLogsAppender}, {@code
 * FirehoseAppender}, {@code TrailmarkJsonEncoder}, and {@code DeliveryAppender}'s {@code flush} and
 * {@code getStats}), {@link dev.trailmark.shipper.DeliveryStats}, and the file shipper's entry
 * point {@code dev.trailmark.shipper.file.FileShipperMain} ({@code trailmark ship}).
 *
 * <p>Everything under {@code dev.trailmark.shipper.internal} is not API and may change without
 * notice.
 */
package dev.trailmark.shipper;
