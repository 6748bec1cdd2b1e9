package dev.trailmark.audit.cli;

import dev.trailmark.audit.engine.Finding;
import dev.trailmark.audit.engine.Json;
import dev.trailmark.audit.engine.RuleEngine;
import dev.trailmark.audit.rules.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of applying rules to a list of CloudTrail log files; a bad file is skipped and named.
 * Findings are kept for the report up to a byte budget (their JSON size); past it they are only
 * counted, so a scan of any size runs in bounded memory and still reports every severity count.
 * CloudTrail may deliver an event twice: a finding whose id (rule, resource, event id) was already
 * listed is counted as a duplicate, not again.
 */
record Scan(long filesRead, long events, List<Finding> findings, long notListed,
    Map<Severity, Long> counts, long duplicates, List<String> errors) {

  /** The report keeps at most this many bytes of findings by default. */
  static final long DEFAULT_REPORT_BYTES = 64L << 20;

  static Scan run(RuleEngine engine, List<Path> files, long reportBytes) {
    List<Finding> kept = new ArrayList<>();
    Map<Severity, Long> counts = new EnumMap<>(Severity.class);
    List<String> errors = new ArrayList<>();
    long[] state = {0, 0, 0, 0}; // events, bytes kept, findings not listed, duplicates
    Set<String> keptIds = new HashSet<>();
    long read = 0;
    for (Path file : files) {
      try {
        CloudTrailFiles.forEachRecord(file, record -> {
          state[0]++;
          for (Finding f : engine.evaluateEvent(record, "scan")) {
            if (keptIds.contains(f.findingId())) {
              state[3]++;
              continue;
            }
            counts.merge(f.severity(), 1L, Long::sum);
            long size = Json.write(f).length();
            if (state[1] + size <= reportBytes) {
              state[1] += size;
              kept.add(f);
              keptIds.add(f.findingId());
            } else {
              state[2]++;
            }
          }
        });
        read++;
      } catch (IOException e) {
        // The records before the damage are real events: their findings stay.
        errors.add(file + ": " + e.getMessage());
      }
    }
    return new Scan(read, state[0], List.copyOf(kept), state[2], Map.copyOf(counts), state[3],
        List.copyOf(errors));
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** True when a finding at or above {@code severity} exists, listed or not. */
  boolean any(Severity severity) {
    return counts.keySet().stream().anyMatch(s -> s.atLeast(severity));
  }
}
