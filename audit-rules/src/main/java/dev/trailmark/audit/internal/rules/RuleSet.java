package dev.trailmark.audit.internal.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable, validated set of rules, indexed by CloudTrail event name for fast dispatch. */
public final class RuleSet {
  private final Map<String, Rule> byId;
  private final Map<String, List<Rule>> byEventName;
  private final List<Rule> ordered;

  RuleSet(List<Rule> rules) {
    Map<String, Rule> ids = new LinkedHashMap<>();
    Map<String, List<Rule>> events = new HashMap<>();
    for (Rule rule : rules) {
      Rule previous = ids.putIfAbsent(rule.id(), rule);
      if (previous != null) {
        throw new RuleFileException(
            rule.source(), "id", "duplicate id '" + rule.id() + "', also in " + previous.source());
      }
      for (String name : rule.eventNames()) {
        events.computeIfAbsent(name, k -> new ArrayList<>()).add(rule);
      }
    }
    this.byId = Map.copyOf(ids);
    Map<String, List<Rule>> frozen = new HashMap<>();
    events.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
    this.byEventName = Map.copyOf(frozen);
    this.ordered = List.copyOf(ids.values());
  }

  /** Every rule, in load order. */
  public List<Rule> rules() {
    return ordered;
  }

  /** The rule with this id. */
  public Optional<Rule> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * The rules a CloudTrail event may trigger (by event name; the source is checked by the rule).
   */
  public List<Rule> forEvent(JsonNode event) {
    JsonNode name = event.get("eventName");
    if (name == null || !name.isTextual()) {
      return List.of();
    }
    return byEventName.getOrDefault(name.asText(), List.of());
  }

  /** The rules that evaluate Config items of this resource type. */
  public List<Rule> forResourceType(String resourceType) {
    List<Rule> out = new ArrayList<>();
    for (Rule rule : ordered) {
      if (rule.resourceType().equals(resourceType)) {
        out.add(rule);
      }
    }
    return out;
  }
}
