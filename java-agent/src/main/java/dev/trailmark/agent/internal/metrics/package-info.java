/**
 * RED metrics per route and their CloudWatch (Micrometer) and EMF export.
 *
 * <p>Internal: not API. The agent is configured through its {@code TRAILMARK_*} environment
 * variables and {@code trailmark.*} system properties (java-agent/README.md), never through its
 * classes; anything here may change or go away in any release without notice.
 */
package dev.trailmark.agent.internal.metrics;
