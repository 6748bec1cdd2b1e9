/**
 * OTLP/HTTP requests (protobuf or JSON) turned into span, log and metric documents.
 *
 * <p>Internal to Trailmark, not API: public only so the collector's other packages and Trailmark's
 * own modules can use it; it may change or go in any release without notice.
 */
package dev.trailmark.collector.internal.otlp;
