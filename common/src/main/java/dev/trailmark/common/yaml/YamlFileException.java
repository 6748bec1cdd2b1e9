package dev.trailmark.common.yaml;

/**
 * A YAML file (a rule file) that cannot be used; the message names the file and the field at fault.
 * Each module throws its own subclass, the one its API names, so that users catch that.
 */
public abstract class YamlFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final String field;

  /** A problem with {@code field} (dotted, or empty for the whole file) of {@code file}. */
  protected YamlFileException(String file, String field, String problem) {
    super(
        file
            + ": "
            + (field == null || field.isEmpty() ? "" : "field '" + field + "': ")
            + problem);
    this.file = file;
    this.field = field == null ? "" : field;
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
