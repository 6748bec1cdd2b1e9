/**
 * Where documents go: the write-ahead log, bulk writes to OpenSearch with their fallbacks, the
 * Redshift sink, index templates and retention.
 *
 * <p>Internal to Trailmark, not API: public only so the collector's other packages and Trailmark's
 * own modules can use it; it may change or go in any release without notice.
 */
package dev.trailmark.collector.internal.sink;
