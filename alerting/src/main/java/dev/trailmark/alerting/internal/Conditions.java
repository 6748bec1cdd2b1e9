package dev.trailmark.alerting.internal;

import java.util.Locale;

/**
 * Whether a rule's condition holds for one key in one window, with ElastAlert 2's comparisons, and
 * its wording.
 */
public final class Conditions {
  private Conditions() {}

  /** True when the observation matches the rule. */
  public static boolean holds(Rule rule, Queries.Obs o) {
    return switch (rule.type()) {
      case FREQUENCY -> o.count() >= rule.numEvents();
      case FLATLINE -> o.count() < rule.threshold();
      case SPIKE -> spike(rule, o.count(), o.ref());
      case CARDINALITY ->
          o.count() > 0
              && ((rule.maxCardinality() != null && o.value() > rule.maxCardinality())
                  || (rule.minCardinality() != null && o.value() < rule.minCardinality()));
      case METRIC_AGGREGATION ->
          !Double.isNaN(o.value())
              && o.count() >= rule.minDocCount()
              && ((rule.maxThreshold() != null && o.value() > rule.maxThreshold())
                  || (rule.minThreshold() != null && o.value() < rule.minThreshold()));
      case PERCENTAGE_MATCH ->
          !Double.isNaN(o.value())
              && o.count() > 0
              && o.count() >= rule.minDenominator()
              && ((rule.maxPercentage() != null && o.value() > rule.maxPercentage())
                  || (rule.minPercentage() != null && o.value() < rule.minPercentage()));
      case ANY, NEW_TERM -> true;
    };
  }

  /**
   * Whether a spike episode opened against {@code baseline} reference events is still on: the
   * current count stays at the level that made it a spike (≥ max(threshold_cur, baseline ×
   * spike_height) up, ≤ baseline ÷ spike_height for a dip). Without this a spike would "resolve" as
   * soon as the reference window holds the spike itself.
   */
  public static boolean spikeOngoing(Rule rule, long cur, long baseline, boolean dip) {
    if (dip) {
      return cur <= baseline / rule.spikeHeight();
    }
    double level =
        Math.max(
            rule.thresholdCur() == null ? 1 : Math.max(1, rule.thresholdCur()),
            baseline * rule.spikeHeight());
    return cur >= level;
  }

  /**
   * ElastAlert's spike test: the current count must reach {@code threshold_cur} and the reference
   * count {@code threshold_ref}; up means cur ≥ ref × spike_height, down means cur ≤ ref ÷
   * spike_height. A key with no reference documents has no baseline: it spikes up only with {@code
   * alert_on_new_data}.
   */
  static boolean spike(Rule rule, long cur, long ref) {
    if (rule.thresholdCur() != null && cur < rule.thresholdCur()) {
      return false;
    }
    if (rule.thresholdRef() != null && ref < rule.thresholdRef()) {
      return false;
    }
    if (ref == 0 && !rule.alertOnNewData()) {
      return false;
    }
    boolean up = cur > 0 && cur >= ref * rule.spikeHeight();
    boolean down = ref > 0 && cur <= ref / rule.spikeHeight();
    return switch (rule.spikeType()) {
      case "up" -> up;
      case "down" -> down;
      default -> up || down;
    };
  }

  /** One line saying what was observed, for the notice's message. */
  public static String describe(Rule rule, Queries.Obs o, boolean holds) {
    String tf = rule.timeframe() == null ? "" : Durations.format(rule.timeframe());
    return switch (rule.type()) {
      case FREQUENCY ->
          o.count()
              + " events in "
              + tf
              + (holds ? " (at least " : " (fewer than ")
              + rule.numEvents()
              + ")";
      case FLATLINE ->
          o.count()
              + " events in "
              + tf
              + (holds ? " (fewer than " : " (at least ")
              + rule.threshold()
              + ")";
      case SPIKE ->
          o.count()
              + " events in the last "
              + tf
              + " against "
              + o.ref()
              + " in the "
              + tf
              + " before (spike "
              + rule.spikeType()
              + ", height "
              + num(rule.spikeHeight())
              + ")";
      case CARDINALITY ->
          num(o.value())
              + " distinct "
              + rule.cardinalityField()
              + " in "
              + tf
              + bounds(
                  rule.minCardinality() == null ? null : rule.minCardinality().doubleValue(),
                  rule.maxCardinality() == null ? null : rule.maxCardinality().doubleValue());
      case METRIC_AGGREGATION ->
          metricName(rule)
              + " = "
              + num(o.value())
              + " over "
              + o.count()
              + " documents in "
              + Durations.format(rule.bucketInterval())
              + bounds(rule.minThreshold(), rule.maxThreshold())
              + (o.count() < rule.minDocCount()
                  ? ", too few documents to judge (min_doc_count " + rule.minDocCount() + ")"
                  : "");
      case PERCENTAGE_MATCH ->
          (Double.isNaN(o.value())
                  ? "no documents"
                  : num(o.value()) + " % of " + o.count() + " documents")
              + " matched in "
              + Durations.format(rule.bucketInterval())
              + bounds(rule.minPercentage(), rule.maxPercentage())
              + (o.count() < rule.minDenominator()
                  ? ", too few documents to judge (min_denominator " + rule.minDenominator() + ")"
                  : "");
      case ANY, NEW_TERM -> "";
    };
  }

  static String metricName(Rule rule) {
    return rule.metricAggType().equals("percentiles")
        ? "p" + num(rule.percentileRange()) + " of " + rule.metricAggKey()
        : rule.metricAggType() + " of " + rule.metricAggKey();
  }

  private static String bounds(Double min, Double max) {
    if (min != null && max != null) {
      return " (allowed " + num(min) + " to " + num(max) + ")";
    }
    return max != null ? " (max " + num(max) + ")" : " (min " + num(min) + ")";
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
