package dev.trailmark.audit.internal.rules;

/**
 * The outcome of evaluating one rule against one resource, named as AWS Config names compliance.
 */
public enum Verdict {
  COMPLIANT,
  NON_COMPLIANT,
  NOT_APPLICABLE
}
