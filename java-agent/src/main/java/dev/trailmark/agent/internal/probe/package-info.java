/**
 * One probe per instrumented library: which classes it weaves and what its advice records.
 *
 * <p>Internal: not API. The agent is configured through its {@code TRAILMARK_*} environment
 * variables and {@code trailmark.*} system properties (java-agent/README.md), never through its
 * classes; anything here may change or go away in any release without notice.
 */
package dev.trailmark.agent.internal.probe;
