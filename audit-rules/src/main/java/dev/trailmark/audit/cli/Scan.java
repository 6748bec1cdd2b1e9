package dev.trailmark.audit.cli;

import dev.trailmark.audit.engine.Finding;
import dev.trailmark.audit.engine.RuleEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The result of applying rules to a list of CloudTrail log files; a bad file is skipped and named. */
record Scan(long filesRead, long events, List<Finding> findings, List<String> errors) {

  static Scan run(RuleEngine engine, List<Path> files) {
    List<Finding> findings = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    long[] events = {0};
    long read = 0;
    for (Path file : files) {
      List<Finding> fileFindings = new ArrayList<>();
      try {
        CloudTrailFiles.forEachRecord(file, record -> {
          events[0]++;
          fileFindings.addAll(engine.evaluateEvent(record, "scan"));
        });
        read++;
      } catch (IOException e) {
        errors.add(file + ": " + e.getMessage());
      }
      // A truncated file's records before the damage are real events: keep their findings.
      findings.addAll(fileFindings);
    }
    return new Scan(read, events[0], List.copyOf(findings), List.copyOf(errors));
  }
}
