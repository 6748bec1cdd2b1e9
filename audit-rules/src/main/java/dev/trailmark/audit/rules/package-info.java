/**
 * What a rule file can name in Java: {@link dev.trailmark.audit.rules.Condition}, implemented by
 * the conditions in {@code dev.trailmark.audit.rules.conditions} and by a user's own ({@code java:
 * fully.qualified.ClassName}).
 */
package dev.trailmark.audit.rules;
