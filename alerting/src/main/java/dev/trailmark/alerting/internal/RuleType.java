package dev.trailmark.alerting.internal;

import java.util.Locale;

/** The rule types, named as in ElastAlert 2. */
public enum RuleType {
  ANY,
  FREQUENCY,
  SPIKE,
  FLATLINE,
  NEW_TERM,
  CARDINALITY,
  METRIC_AGGREGATION,
  PERCENTAGE_MATCH;

  /** The name used in rule files ({@code metric_aggregation}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The type a rule file names, or null. */
  public static RuleType parse(String text) {
    for (RuleType t : values()) {
      if (t.label().equals(text)) {
        return t;
      }
    }
    return null;
  }
}
