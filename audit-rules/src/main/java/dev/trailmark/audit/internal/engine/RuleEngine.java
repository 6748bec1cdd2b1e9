package dev.trailmark.audit.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trailmark.audit.internal.rules.Rule;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.rules.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies a {@link RuleSet} to CloudTrail events; a shape no rule expects yields no finding. */
public final class RuleEngine {
  private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);
  private final RuleSet rules;

  /** An engine over these rules. */
  public RuleEngine(RuleSet rules) {
    this.rules = rules;
  }

  /** The rules this engine applies. */
  public RuleSet rules() {
    return rules;
  }

  /**
   * The findings one CloudTrail event record produces: only successful calls (no {@code errorCode})
   * matching a rule's event source and name, whose condition says NON_COMPLIANT. A violation whose
   * resource id none of the rule's {@code resourceId} paths can read is still reported, as resource
   * {@link Finding#UNKNOWN_RESOURCE} and notify-only: there is nothing safe to change, but someone
   * must look.
   */
  public List<Finding> evaluateEvent(JsonNode event, String source) {
    if (event == null || !event.isObject()) {
      return List.of();
    }
    List<Rule> candidates = rules.forEvent(event);
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<Finding> out = new ArrayList<>(1);
    for (Rule rule : candidates) {
      if (rule.evaluateEvent(event) != Verdict.NON_COMPLIANT) {
        continue;
      }
      String resourceId = rule.eventResourceId(event);
      if (resourceId == null) {
        log.warn(
            "rule {} matched event {} ({}) but none of its resourceId paths is in the record: "
                + "reported as resource '{}', notify-only",
            rule.id(),
            event.path("eventID").asText("?"),
            event.path("eventName").asText("?"),
            Finding.UNKNOWN_RESOURCE);
        out.add(Finding.fromEvent(rule, event, Finding.UNKNOWN_RESOURCE, source).notifyOnly());
        continue;
      }
      out.add(Finding.fromEvent(rule, event, resourceId, source));
    }
    return out;
  }
}
