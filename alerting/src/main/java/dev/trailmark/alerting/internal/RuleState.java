package dev.trailmark.alerting.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rule's state, kept in the status index between cycles so that a restart resumes where the
 * last cycle ended: the end of the last evaluated window, each key's episode and realert clock,
 * documents and terms already reported inside the buffer, and the matches waiting for an aggregated
 * notice. Plain fields for Jackson.
 */
public final class RuleState {
  /**
   * Bound on remembered document ids and terms (the newest are kept); past it a late duplicate may
   * be re-sent.
   */
  public static final int MAX_REMEMBERED = 20_000;

  /** Bound on the rows of one aggregated notice; more are counted, not listed. */
  public static final int MAX_ROWS = 1_000;

  public long lastEnd;
  public long lastRun;
  public long lastDurationMillis;
  public long lastMatches;
  public long totalMatches;
  public long notices;
  public String lastError;
  public Map<String, Key> keys = new LinkedHashMap<>();

  /** {@code any}: ids of documents already reported, with their time. */
  public Map<String, Long> seen = new LinkedHashMap<>();

  /** {@code new_term}: field + NUL + term already reported, with its first-seen time. */
  public Map<String, Long> terms = new LinkedHashMap<>();

  public Batch batch;

  /**
   * A test run ({@code alerts test}): realert is not applied, so every match shows. Never stored.
   */
  @com.fasterxml.jackson.annotation.JsonIgnore public boolean testRun;

  /** One query key's episode and realert clock. */
  public static final class Key {
    public boolean firing;
    public boolean notified;
    public String alertId;
    public long since;
    public long lastChange;
    public long realertUntil;
    public int exponent;

    /** spike: the reference count when the episode opened, and whether it was a dip. */
    public long baseline;

    public boolean dip;
  }

  /** Matches waiting for an aggregated notice. */
  public static final class Batch {
    public long start;
    public long more;
    public List<Map<String, Object>> rows = new ArrayList<>();
  }
}
