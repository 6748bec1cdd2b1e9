/**
 * The console's web server, JSON endpoints and OpenSearch reads.
 *
 * <p>Internal to Trailmark, not API: public only so the module's other packages (and Trailmark's
 * own tests and benchmarks) can use it; it may change or go in any release without notice.
 */
package dev.trailmark.dashboards.console.internal;
