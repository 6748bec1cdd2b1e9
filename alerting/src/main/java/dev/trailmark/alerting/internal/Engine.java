package dev.trailmark.alerting.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.internal.alerters.Alerter;
import dev.trailmark.alerting.internal.alerters.Delivery;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cycle of one rule: evaluates every window end (on the rule's {@code run_every} grid) from the
 * last evaluated one, re-evaluating the {@code buffer_time} before it for late documents, up to
 * {@code now − query_delay}; turns what it finds into notices (episodes per query key, realert,
 * silences, aggregation); delivers them and writes them with the new state in one {@code _bulk}.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  /** Window ends per search when catching up after a long stop. */
  static final int MAX_POINTS = 240;

  private final Store store;
  private final Delivery delivery;
  private final Function<Rule, List<Alerter>> alerters;

  /** What one rule's cycle produced, and the documents ({index, id, doc}) to write for it. */
  public record Outcome(
      String rule, long matches, List<ObjectNode> notices, String error, List<Object[]> writes) {}

  /**
   * An engine over {@code store}, delivering through the alerters {@code alerters} gives for each
   * rule.
   */
  public Engine(Store store, Delivery delivery, Function<Rule, List<Alerter>> alerters) {
    this.store = store;
    this.delivery = delivery;
    this.alerters = alerters;
  }

  /** The state stored in a status document, or null when there is none (the rule starts afresh). */
  public static RuleState stateOf(ObjectNode doc) {
    if (doc == null || !doc.has("state")) {
      return null;
    }
    try {
      return Json.MAPPER.treeToValue(doc.get("state"), RuleState.class);
    } catch (IOException e) {
      return null; // an unreadable state starts afresh rather than stopping the rule
    }
  }

  /**
   * The end of the newest complete window at {@code now}: {@code now − query_delay} down to the
   * run_every grid.
   */
  public static long windowEnd(Rule rule, long now) {
    long step = rule.runEvery().toMillis();
    return Math.floorDiv(now - rule.queryDelay().toMillis(), step) * step;
  }

  /**
   * Runs one cycle of {@code rule}. With {@code live}, notices are delivered and written with the
   * state; without (a test run), nothing is sent or written and {@code state} is a scratch state.
   */
  public Outcome run(
      Rule rule, RuleState state, long now, Map<String, Long> silences, boolean live) {
    long started = System.nanoTime();
    long end = windowEnd(rule, now);
    long step = rule.runEvery().toMillis();
    if (state.lastEnd == 0) {
      state.lastEnd = end - step;
    }
    List<ObjectNode> notices = new ArrayList<>();
    long matches = 0;
    String error = null;
    RuleState before = live ? copy(state) : null;
    try {
      long buffer = state.testRun ? 0 : Math.floorDiv(rule.bufferTime().toMillis(), step) * step;
      long from = state.lastEnd - buffer;
      switch (rule.type()) {
        case ANY -> matches = any(rule, state, from, end, now, silences, notices);
        case NEW_TERM -> matches = newTerms(rule, state, from, end, now, silences, notices);
        default -> matches = windowed(rule, state, from + step, end, now, silences, notices);
      }
      flushBatch(rule, state, now, silences, notices, state.testRun);
      state.lastEnd = Math.max(state.lastEnd, end);
      state.lastError = null;
    } catch (IOException | RuntimeException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
      if (live) {
        // Nothing of this cycle is kept: the next one evaluates the same windows again.
        restore(state, before);
      }
      state.lastError = error;
      log.warn("rule {}: {}", rule.name(), error);
    }
    state.lastRun = now;
    state.lastMatches = matches;
    state.totalMatches += matches;
    state.notices += notices.size();
    state.lastDurationMillis = (System.nanoTime() - started) / 1_000_000;
    List<Object[]> writes = live ? deliver(rule, state, notices, now) : List.of();
    return new Outcome(rule.name(), matches, notices, error, writes);
  }

  /**
   * Delivers the notices and returns them with the rule's new state as documents to write. The
   * caller writes every rule's documents in one {@code _bulk} at the end of the cycle (see {@link
   * #write}).
   */
  private List<Object[]> deliver(Rule rule, RuleState state, List<ObjectNode> notices, long now) {
    List<Object[]> docs = new ArrayList<>();
    List<Alerter> to = notices.isEmpty() ? List.of() : alerters.apply(rule);
    for (ObjectNode n : notices) {
      String id = n.remove("_id").asText();
      JsonNode skip = n.remove("_skip");
      ArrayNode d = Json.MAPPER.createArrayNode();
      if (skip != null) {
        for (Alerter a : to) {
          d.addObject()
              .put("alerter", a.name())
              .put("status", "skipped")
              .put("attempts", 0)
              .put("error", skip.asText());
        }
      } else {
        delivery.deliver(n, to, d);
      }
      n.set("delivery", d);
      docs.add(new Object[] {store.alertsIndex(now), id, n});
    }
    ObjectNode status = Json.object();
    status
        .put("type", "rule")
        .put("rule", rule.name())
        .put("last_run", Instant.ofEpochMilli(now).toString());
    status.set("state", Json.MAPPER.valueToTree(state));
    docs.add(new Object[] {store.statusIndex(), "rule:" + rule.name(), status});
    return docs;
  }

  /**
   * Writes a cycle's notices and states in one {@code _bulk}; on failure logs every notice whole.
   */
  public void write(List<Object[]> docs) throws IOException {
    try {
      store.bulk(docs, false);
    } catch (IOException e) {
      // Delivered but not recorded: the next cycle evaluates the same windows and re-sends (at
      // least once).
      log.error("notices delivered but not recorded, rule state not saved: {}", e.getMessage());
      for (Object[] d : docs) {
        if (!d[0].equals(store.statusIndex())) {
          log.error("unrecorded notice: {}", d[2]);
        }
      }
      throw e;
    }
  }

  // ---- windowed types: frequency, spike, flatline, cardinality, metric_aggregation,
  // percentage_match

  private long windowed(
      Rule rule,
      RuleState state,
      long first,
      long end,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices)
      throws IOException {
    long step = rule.runEvery().toMillis();
    long matches = 0;
    for (long chunk = first; chunk <= end; chunk += step * MAX_POINTS) {
      List<Long> points = new ArrayList<>();
      for (long t = chunk; t <= end && points.size() < MAX_POINTS; t += step) {
        points.add(t);
      }
      JsonNode answer = store.search(indexOf(rule), Queries.windowed(rule, points));
      TreeMap<Long, Map<String, Queries.Obs>> byPoint = Queries.readWindowed(rule, answer, points);
      long newest = points.get(points.size() - 1);
      for (Map.Entry<Long, Map<String, Queries.Obs>> e : byPoint.entrySet()) {
        long p = e.getKey();
        Set<String> keys = new LinkedHashSet<>(e.getValue().keySet());
        state.keys.forEach(
            (k, ks) -> {
              if (ks.firing) {
                keys.add(k);
              }
            });
        for (String k : keys) {
          RuleState.Key ks = state.keys.get(k);
          if (ks != null && p <= ks.lastChange) {
            continue; // this key's episode already moved past this window
          }
          Queries.Obs o = e.getValue().getOrDefault(k, Queries.Obs.EMPTY);
          boolean spikeOn = rule.type() == RuleType.SPIKE && ks != null && ks.firing;
          boolean holds =
              spikeOn
                  ? Conditions.spikeOngoing(rule, o.count(), ks.baseline, ks.dip)
                  : Conditions.holds(rule, o);
          long winStart =
              p - (rule.type() == RuleType.SPIKE ? rule.timeframe() : rule.lookback()).toMillis();
          if (holds) {
            matches++;
          }
          if (holds && (ks == null || !ks.firing)) {
            if (ks == null) {
              ks = new RuleState.Key();
              state.keys.put(k, ks);
            }
            ks.firing = true;
            ks.notified = false;
            ks.alertId = Notices.id(rule.name(), k, Long.toString(p));
            ks.since = p;
            ks.lastChange = p;
            ks.baseline = o.ref();
            ks.dip =
                rule.type() == RuleType.SPIKE
                    && !(o.count() > 0 && o.count() >= o.ref() * rule.spikeHeight());
            offer(rule, state, k, ks, "firing", p, winStart, o, now, silences, notices);
            if (rule.forgetKeys()) {
              state.keys.remove(k);
            }
          } else if (holds
              && p == newest
              && !state.testRun
              && (!ks.notified || now >= ks.realertUntil)) {
            offer(rule, state, k, ks, "firing", p, winStart, o, now, silences, notices);
          } else if (!holds && ks != null && ks.firing) {
            ks.firing = false;
            ks.lastChange = p;
            if (ks.notified && rule.resolvedNotice()) {
              ObjectNode n =
                  Notices.notice(
                      rule,
                      ks.alertId,
                      "resolved",
                      k,
                      o.count(),
                      winStart,
                      p,
                      "resolved: " + Conditions.describe(rule, o, false),
                      o.traceId(),
                      now);
              n.put("_id", Notices.id(rule.name(), ks.alertId, "resolved", Long.toString(p)));
              emit(rule, state, k, n, now, silences, notices);
            }
            ks.notified = false;
          }
        }
      }
    }
    prune(rule, state, first - rule.bufferTime().toMillis(), now);
    return matches;
  }

  /** A firing notice for key {@code k} at window end {@code p}, unless realert holds it back. */
  private void offer(
      Rule rule,
      RuleState state,
      String k,
      RuleState.Key ks,
      String s,
      long p,
      long winStart,
      Queries.Obs o,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices) {
    if (now < ks.realertUntil && !state.testRun) {
      return; // realert: this key was notified a moment ago
    }
    ObjectNode n =
        Notices.notice(
            rule,
            ks.alertId,
            s,
            k,
            o.count(),
            winStart,
            p,
            Conditions.describe(rule, o, true),
            o.traceId(),
            now);
    n.put("_id", Notices.id(rule.name(), ks.alertId, s, Long.toString(p)));
    realert(rule, ks, now);
    ks.notified = emit(rule, state, k, n, now, silences, notices);
  }

  /**
   * ElastAlert's next_alert_time: realert, doubled while alerts keep coming, capped by
   * exponential_realert.
   */
  static void realert(Rule rule, RuleState.Key ks, long now) {
    long realert = rule.realert().toMillis();
    if (rule.exponentialRealert() == null || ks.realertUntil == 0) {
      ks.realertUntil = now + realert;
      ks.exponent = 0;
      return;
    }
    long diff = now - ks.realertUntil;
    int exponent = ks.exponent;
    if (diff < realert * (1L << exponent)) {
      exponent++;
    } else {
      while (exponent > 0 && diff > realert * (1L << exponent)) {
        diff -= realert * (1L << exponent);
        exponent--;
      }
    }
    long wait = realert * (1L << Math.min(exponent, 40));
    if (wait >= rule.exponentialRealert().toMillis()) {
      ks.realertUntil = now + rule.exponentialRealert().toMillis();
      ks.exponent = exponent - 1;
    } else {
      ks.realertUntil = now + wait;
      ks.exponent = exponent;
    }
  }

  /**
   * Hands a notice on: marked skipped when its key is silenced, held in the batch when the rule
   * aggregates, otherwise out for delivery. Returns true when it will be delivered (so its
   * resolution is owed).
   */
  private boolean emit(
      Rule rule,
      RuleState state,
      String key,
      ObjectNode n,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices) {
    Long until = silenced(rule, key, silences, now);
    if (until != null) {
      n.put("_skip", "silenced until " + Instant.ofEpochMilli(until));
      notices.add(n);
      return false;
    }
    if (rule.aggregation() != null) {
      if (state.batch == null) {
        state.batch = new RuleState.Batch();
        state.batch.start = now;
      }
      if (state.batch.rows.size() >= RuleState.MAX_ROWS) {
        state.batch.more++;
      } else {
        state.batch.rows.add(row(rule, n));
      }
      return true;
    }
    notices.add(n);
    return true;
  }

  static Long silenced(Rule rule, String key, Map<String, Long> silences, long now) {
    Long all = silences.get(rule.name() + "\u0000");
    Long one = silences.get(rule.name() + "\u0000" + key);
    long until = Math.max(all == null ? 0 : all, one == null ? 0 : one);
    return until > now ? Long.valueOf(until) : null;
  }

  private static Map<String, Object> row(Rule rule, ObjectNode n) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("time", n.path("window").path("end").asText());
    row.put("state", n.path("state").asText());
    row.put("key", n.path("key").asText());
    row.put("count", n.path("match_count").asLong());
    JsonNode source = n.path("_source");
    for (String f : rule.summaryTableFields()) {
      JsonNode v = source.isMissingNode() ? null : Queries.field(source, f);
      row.put(f, v == null ? "" : v.isValueNode() ? v.asText() : v.toString());
    }
    if (!rule.summaryTableFields().isEmpty() && source.isMissingNode()) {
      row.put("message", n.path("message").asText());
    }
    n.remove("_source");
    if (n.path("sample").path("traceId").isTextual()) {
      row.put("traceId", n.path("sample").path("traceId").asText());
    }
    return row;
  }

  /**
   * Sends the aggregated notice once the batch has waited {@code aggregation} (or at once with
   * {@code force}).
   */
  void flushBatch(
      Rule rule,
      RuleState state,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices,
      boolean force) {
    RuleState.Batch b = state.batch;
    if (b == null
        || b.rows.isEmpty()
        || (!force && now < b.start + rule.aggregation().toMillis())) {
      return;
    }
    List<String> columns = new ArrayList<>(List.of("time", "state", "key", "count"));
    columns.addAll(rule.summaryTableFields());
    if (b.rows.stream().anyMatch(r -> r.containsKey("message"))) {
      columns.add("message");
    }
    if (b.rows.stream().anyMatch(r -> r.containsKey("traceId"))) {
      columns.add("traceId");
    }
    long total = b.rows.size() + b.more;
    boolean anyFiring = b.rows.stream().anyMatch(r -> "firing".equals(r.get("state")));
    String alertId = Notices.id(rule.name(), "aggregation", Long.toString(b.start));
    String message =
        total
            + " matches of "
            + rule.name()
            + " aggregated over "
            + Durations.format(rule.aggregation())
            + ":\n"
            + Notices.table(columns, b.rows)
            + (b.more > 0 ? "... and " + b.more + " more\n" : "");
    long first = Instant.parse(String.valueOf(b.rows.get(0).get("time"))).toEpochMilli();
    long last =
        Instant.parse(String.valueOf(b.rows.get(b.rows.size() - 1).get("time"))).toEpochMilli();
    ObjectNode n =
        Notices.notice(
            rule,
            alertId,
            anyFiring ? "firing" : "resolved",
            "_all",
            total,
            Math.min(first, last),
            Math.max(first, last),
            message,
            null,
            now);
    n.set("rows", Json.MAPPER.valueToTree(b.rows));
    n.put("_id", alertId);
    state.batch = null;
    notices.add(n);
  }

  private static void prune(Rule rule, RuleState state, long horizon, long now) {
    Iterator<Map.Entry<String, RuleState.Key>> it = state.keys.entrySet().iterator();
    while (it.hasNext()) {
      RuleState.Key ks = it.next().getValue();
      if (!ks.firing && ks.realertUntil <= now && ks.lastChange < horizon) {
        it.remove();
      }
    }
    while (state.keys.size() > RuleState.MAX_REMEMBERED) {
      String oldest =
          state.keys.entrySet().stream()
              .filter(e -> !e.getValue().firing)
              .min((a, b) -> Long.compare(a.getValue().lastChange, b.getValue().lastChange))
              .map(Map.Entry::getKey)
              .orElse(null);
      if (oldest == null) {
        break;
      }
      state.keys.remove(oldest);
    }
  }

  // ---- any

  private long any(
      Rule rule,
      RuleState state,
      long from,
      long end,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices)
      throws IOException {
    JsonNode answer = store.search(indexOf(rule), Queries.any(rule, from, end));
    List<Queries.Doc> docs = Queries.readAny(rule, answer);
    long matches = 0;
    for (Queries.Doc d : docs) {
      if (state.seen.containsKey(d.id())) {
        continue;
      }
      state.seen.put(d.id(), d.time());
      matches++;
      RuleState.Key ks = state.keys.computeIfAbsent(d.key(), k -> new RuleState.Key());
      ks.lastChange = d.time();
      ks.alertId = Notices.id(rule.name(), d.id());
      if (now < ks.realertUntil && !state.testRun) {
        continue;
      }
      JsonNode trace = d.source().get("traceId");
      ObjectNode n =
          Notices.notice(
              rule,
              ks.alertId,
              "firing",
              d.key(),
              1,
              d.time(),
              d.time(),
              summary(d.source()),
              trace != null && trace.isTextual() ? trace.asText() : null,
              now);
      n.put("_id", ks.alertId);
      n.set("_source", d.source());
      realert(rule, ks, now);
      emit(rule, state, d.key(), n, now, silences, notices);
      n.remove("_source");
    }
    if (docs.size() >= rule.maxQuerySize()) {
      // A full page: continue after its last document next cycle instead of skipping the rest.
      end = docs.get(docs.size() - 1).time();
      log.warn(
          "rule {}: {} documents (max_query_size) in one cycle; the rest follow in the next cycles",
          rule.name(),
          docs.size());
    }
    long horizon = end - rule.bufferTime().toMillis();
    state.seen.values().removeIf(t -> t < horizon);
    trim(state.seen);
    prune(rule, state, horizon, now);
    return matches;
  }

  private static String summary(JsonNode source) {
    for (String f : new String[] {"body", "message", "title", "name"}) {
      JsonNode v = Queries.field(source, f);
      if (v != null && v.isTextual()) {
        String s = v.asText();
        return s.length() > 500 ? s.substring(0, 500) + "…" : s;
      }
    }
    String s = source.toString();
    return s.length() > 500 ? s.substring(0, 500) + "…" : s;
  }

  private static void trim(Map<String, Long> remembered) {
    if (remembered.size() <= RuleState.MAX_REMEMBERED) {
      return;
    }
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(remembered.entrySet());
    sorted.sort(Map.Entry.comparingByValue());
    for (int i = 0; i < sorted.size() - RuleState.MAX_REMEMBERED; i++) {
      remembered.remove(sorted.get(i).getKey());
    }
  }

  // ---- new_term

  private long newTerms(
      Rule rule,
      RuleState state,
      long from,
      long end,
      long now,
      Map<String, Long> silences,
      List<ObjectNode> notices)
      throws IOException {
    JsonNode answer = store.search(indexOf(rule), Queries.newTerms(rule, from, end));
    long matches = 0;
    List<Queries.Term> terms = new ArrayList<>(Queries.readNewTerms(rule, answer));
    terms.sort((a, b) -> Long.compare(a.firstSeen(), b.firstSeen()));
    for (Queries.Term t : terms) {
      String id = t.field() + "\u0000" + t.value();
      if (t.firstSeen() < from || t.firstSeen() >= end || state.terms.containsKey(id)) {
        continue;
      }
      state.terms.put(id, t.firstSeen());
      matches++;
      RuleState.Key ks = state.keys.computeIfAbsent(t.value(), k -> new RuleState.Key());
      ks.lastChange = t.firstSeen();
      ks.alertId = Notices.id(rule.name(), t.field(), t.value());
      if (now < ks.realertUntil && !state.testRun) {
        continue;
      }
      ObjectNode n =
          Notices.notice(
              rule,
              ks.alertId,
              "firing",
              t.value(),
              t.count(),
              t.firstSeen(),
              end,
              "new "
                  + t.field()
                  + " '"
                  + t.value()
                  + "' (first seen "
                  + Instant.ofEpochMilli(t.firstSeen())
                  + " in the last "
                  + Durations.format(rule.termsWindowSize())
                  + ")",
              null,
              now);
      n.put("query_key", t.field());
      n.put("_id", ks.alertId);
      realert(rule, ks, now);
      emit(rule, state, t.value(), n, now, silences, notices);
    }
    long horizon = end - rule.bufferTime().toMillis();
    state.terms.values().removeIf(time -> time < horizon);
    trim(state.terms);
    prune(rule, state, horizon, now);
    return matches;
  }

  private String indexOf(Rule rule) {
    StringBuilder b = new StringBuilder();
    for (String part : rule.index().split(",")) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(store.prefix()).append(part.trim());
    }
    return b.toString();
  }

  private static RuleState copy(RuleState s) {
    return Json.MAPPER.convertValue(Json.MAPPER.valueToTree(s), RuleState.class);
  }

  private static void restore(RuleState target, RuleState from) {
    target.lastEnd = from.lastEnd;
    target.keys = from.keys;
    target.seen = from.seen;
    target.terms = from.terms;
    target.batch = from.batch;
  }
}
