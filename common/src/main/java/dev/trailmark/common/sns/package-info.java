/** What an SNS notice carries, shared by the audit notifier and the alert runner's SNS alerter. */
package dev.trailmark.common.sns;
