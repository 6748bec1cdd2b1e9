/**
 * The alert engine: rule files, queries, conditions, state and the alerts index.
 *
 * <p>Internal to Trailmark, not API: public only so the module's other packages (and Trailmark's
 * own tests and benchmarks) can use it; it may change or go in any release without notice.
 */
package dev.trailmark.alerting.internal;
