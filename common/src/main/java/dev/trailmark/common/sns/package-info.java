/**
 * How a notice is published to SNS, shared by the audit notifier and the alert runner's SNS
 * alerter.
 */
package dev.trailmark.common.sns;
