/**
 * Where findings go: the audit record (S3, Firehose) and the SNS notice.
 *
 * <p>Internal to Trailmark, not API: public only so the module's other packages (and Trailmark's
 * own tests and benchmarks) can use it; it may change or go in any release without notice.
 */
package dev.trailmark.audit.internal.sink;
