/**
 * CloudWatch Logs payloads, log documents, Embedded Metric Format and index names.
 *
 * <p>Internal to Trailmark, not API: public only so the collector's other packages and Trailmark's
 * own modules can use it; it may change or go in any release without notice.
 */
package dev.trailmark.collector.internal.mapping;
