package dev.trailmark.audit.rules;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A test over a configuration item or a CloudTrail event. Declarative YAML conditions compile to
 * this interface; conditions YAML cannot express are Java classes implementing it, named in a rule
 * file as {@code java: fully.qualified.ClassName} (public, with a public no-argument constructor).
 */
@FunctionalInterface
public interface Condition {
  /**
   * Returns true when the condition holds for {@code subject}; must not throw on unexpected shapes.
   */
  boolean test(JsonNode subject);
}
