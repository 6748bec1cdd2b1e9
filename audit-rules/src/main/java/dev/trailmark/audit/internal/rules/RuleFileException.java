package dev.trailmark.audit.internal.rules;

/** A rule file that cannot be used; the message names the file and the field at fault. */
public final class RuleFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final String field;

  RuleFileException(String file, String field, String problem) {
    super(
        file
            + ": "
            + (field == null || field.isEmpty() ? "" : "field '" + field + "': ")
            + problem);
    this.file = file;
    this.field = field;
  }

  /** The file at fault. */
  public String file() {
    return file;
  }

  /** The dotted name of the field at fault, or empty for the whole file. */
  public String field() {
    return field;
  }
}
