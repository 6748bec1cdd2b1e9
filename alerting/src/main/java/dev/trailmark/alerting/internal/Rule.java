package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One validated alert rule, as loaded from its YAML file. Option names follow ElastAlert 2; a null
 * option is unset.
 */
public record Rule(
    String name,
    String file,
    RuleType type,
    String index,
    String timestampField,
    List<ObjectNode> filter,
    List<String> queryKey,
    String severity,
    String description,
    boolean enabled,
    Duration runEvery,
    Duration bufferTime,
    Duration queryDelay,
    Duration realert,
    Duration exponentialRealert,
    Duration aggregation,
    List<String> summaryTableFields,
    boolean resolvedNotice,
    int maxQuerySize,
    int termsSize,
    List<AlerterSpec> alert,
    // frequency, spike, flatline, cardinality
    Duration timeframe,
    Integer numEvents,
    Double spikeHeight,
    String spikeType,
    Double thresholdRef,
    Double thresholdCur,
    boolean alertOnNewData,
    Integer threshold,
    boolean forgetKeys,
    // new_term
    List<String> fields,
    Duration termsWindowSize,
    // cardinality
    String cardinalityField,
    Integer maxCardinality,
    Integer minCardinality,
    // metric_aggregation
    String metricAggKey,
    String metricAggType,
    Double percentileRange,
    Double maxThreshold,
    Double minThreshold,
    Duration bucketInterval,
    int minDocCount,
    // percentage_match
    List<ObjectNode> matchBucketFilter,
    Double minPercentage,
    Double maxPercentage,
    long minDenominator) {

  /**
   * One alerter of a rule: its kind ({@code post}, {@code slack}, {@code sns}, {@code stdout}) and
   * options.
   */
  public record AlerterSpec(String kind, Map<String, Object> options) {}

  /**
   * The query key as stored in notices ({@code a,b} for a compound key), or null when the rule has
   * none.
   */
  public String queryKeyName() {
    return queryKey.isEmpty() ? null : String.join(",", queryKey);
  }

  /** The window each evaluation point looks back over. */
  public Duration lookback() {
    return switch (type) {
      case SPIKE -> timeframe.multipliedBy(2);
      case FREQUENCY, FLATLINE, CARDINALITY -> timeframe;
      case METRIC_AGGREGATION, PERCENTAGE_MATCH -> bucketInterval;
      case ANY, NEW_TERM -> Duration.ZERO;
    };
  }
}
