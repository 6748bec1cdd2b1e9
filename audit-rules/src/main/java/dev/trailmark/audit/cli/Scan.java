package dev.trailmark.audit.cli;

import dev.trailmark.audit.internal.engine.Finding;
import dev.trailmark.audit.internal.engine.RuleEngine;
import dev.trailmark.audit.internal.rules.RuleSet;
import dev.trailmark.audit.internal.rules.Severity;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of applying rules to a list of files: CloudTrail log files ({@code scan}) or Config
 * items ({@code evaluate}). A damaged file is read up to the damage (its records before it are
 * judged like any others), then named in {@code errors} and counted in {@code damagedFiles}.
 * Findings are kept for the report up to a byte budget (their JSON size); past it they are only
 * counted, so a run of any size stays in bounded memory and still reports every severity count.
 * CloudTrail may deliver an event twice: a finding whose id (rule, resource, event id) was already
 * listed is counted as a duplicate, not again.
 *
 * @param noun what one record is, for people ("events", "configuration items")
 */
record Scan(
    String noun,
    long files,
    long damagedFiles,
    long events,
    List<Finding> findings,
    long notListed,
    Map<Severity, Long> counts,
    long duplicates,
    List<String> errors) {

  /** The report keeps at most this many bytes of findings by default. */
  static final long DEFAULT_REPORT_BYTES = 64L << 20;

  /** Applies the rules to every record of these CloudTrail log files. */
  static Scan run(RuleEngine engine, List<Path> files, long reportBytes) {
    Collector c = new Collector("events", reportBytes);
    for (Path file : files) {
      try {
        CloudTrailFiles.forEachRecord(
            file,
            record -> {
              c.record();
              engine.evaluateEvent(record, "scan").forEach(c::add);
            });
      } catch (IOException e) {
        // The records before the damage are real events: their findings stay.
        c.damaged(file + ": " + e.getMessage());
      }
    }
    return c.build(files.size());
  }

  /** Applies the Config rules to every configuration item these files hold. */
  static Scan evaluate(RuleSet rules, List<Path> files, long reportBytes) {
    Collector c = new Collector("configuration items", reportBytes);
    for (Path file : files) {
      try {
        ConfigItems.forEachItem(
            file,
            rules,
            (item, ruleId) -> {
              c.record();
              ConfigItems.evaluate(rules, item, ruleId).forEach(c::add);
            });
      } catch (IOException e) {
        c.damaged(file + ": " + e.getMessage());
      }
    }
    return c.build(files.size());
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** True when a finding at or above {@code severity} exists, listed or not. */
  boolean any(Severity severity) {
    return counts.keySet().stream().anyMatch(s -> s.atLeast(severity));
  }

  /** Gathers findings within the report budget. */
  private static final class Collector {
    private final String noun;
    private final long reportBytes;
    private final List<Finding> kept = new ArrayList<>();
    private final Map<Severity, Long> counts = new EnumMap<>(Severity.class);
    private final List<String> errors = new ArrayList<>();
    private final Set<String> keptIds = new HashSet<>();
    private long records;
    private long bytes;
    private long notListed;
    private long duplicates;
    private long damaged;

    Collector(String noun, long reportBytes) {
      this.noun = noun;
      this.reportBytes = reportBytes;
    }

    void record() {
      records++;
    }

    void add(Finding f) {
      if (keptIds.contains(f.findingId())) {
        duplicates++;
        return;
      }
      counts.merge(f.severity(), 1L, Long::sum);
      long size = Json.write(f).length();
      if (bytes + size <= reportBytes) {
        bytes += size;
        kept.add(f);
        keptIds.add(f.findingId());
      } else {
        notListed++;
      }
    }

    void damaged(String error) {
      damaged++;
      errors.add(error);
    }

    Scan build(long files) {
      return new Scan(
          noun,
          files,
          damaged,
          records,
          List.copyOf(kept),
          notListed,
          Map.copyOf(counts),
          duplicates,
          List.copyOf(errors));
    }
  }
}
