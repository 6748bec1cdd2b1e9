package dev.trailmark.audit.internal.rules;

import dev.trailmark.common.yaml.YamlFileException;

/** A rule file that cannot be used; the message names the file and the field at fault. */
public final class RuleFileException extends YamlFileException {
  private static final long serialVersionUID = 1L;

  RuleFileException(String file, String field, String problem) {
    super(file, field, problem);
  }
}
