package dev.trailmark.audit.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.remediation.ActionNames;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every field of every fixture, removed or replaced by each JSON type in turn, run through every
 * rule: evaluation never throws, whatever shape AWS (or an attacker) sends.
 */
class RuleRobustnessTest {
  private static final RuleSet RULES = new RuleLoader(ActionNames.RESOURCE_TYPES).loadBuiltIn();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final List<JsonNode> REPLACEMENTS =
      List.of(
          F.nullNode(),
          F.numberNode(42),
          F.textNode("x"),
          F.booleanNode(true),
          F.arrayNode().add(1).add("two"),
          F.objectNode().put("items", "none"));

  @Test
  void noMutationOfAnyFixtureMakesAnyRuleThrow() throws Exception {
    RuleEngine engine = new RuleEngine(RULES);
    int[] evaluated = {0};
    for (Rule rule : RULES.rules()) {
      JsonNode fixtures = RuleFixturesTest.fixtures(rule);
      for (String kind : List.of("configItem", "cloudTrail")) {
        for (Iterator<JsonNode> it = fixtures.path(kind).elements(); it.hasNext(); ) {
          JsonNode original = it.next();
          mutations(
              original,
              mutated -> {
                evaluated[0]++;
                assertThatCode(
                        () -> {
                          for (Rule r : RULES.rules()) {
                            r.evaluateConfigItem(mutated);
                            r.evaluateEvent(mutated);
                            r.eventResourceId(mutated);
                          }
                          engine.evaluateEvent(mutated, "test");
                        })
                    .as("%s %s mutated to %s", rule.id(), kind, mutated)
                    .doesNotThrowAnyException();
              });
        }
      }
    }
    assertThat(evaluated[0]).isGreaterThan(10_000);
  }

  /** Every object field and array element: removed, then replaced by each replacement. */
  static void mutations(JsonNode original, Consumer<JsonNode> sink) {
    List<List<Object>> paths = new ArrayList<>();
    collect(original, new ArrayList<>(), paths);
    for (List<Object> path : paths) {
      JsonNode copy = original.deepCopy();
      JsonNode parent = at(copy, path.subList(0, path.size() - 1));
      Object last = path.get(path.size() - 1);
      if (parent instanceof ObjectNode o) {
        o.remove((String) last);
      } else if (parent instanceof ArrayNode a) {
        a.remove((Integer) last);
      }
      sink.accept(copy);
      for (JsonNode replacement : REPLACEMENTS) {
        JsonNode c = original.deepCopy();
        JsonNode p = at(c, path.subList(0, path.size() - 1));
        if (p instanceof ObjectNode o) {
          o.set((String) last, replacement);
        } else if (p instanceof ArrayNode a) {
          a.set((Integer) last, replacement);
        }
        sink.accept(c);
      }
    }
  }

  private static void collect(JsonNode node, List<Object> prefix, List<List<Object>> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(e.getKey());
        out.add(p);
        collect(e.getValue(), p, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(i);
        out.add(p);
        collect(node.get(i), p, out);
      }
    }
  }

  private static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode n = root;
    for (Object step : path) {
      n = step instanceof String s ? n.get(s) : n.get((Integer) step);
    }
    return n;
  }
}
