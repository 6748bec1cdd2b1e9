package dev.trailmark.common.yaml;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of one map parsed from a YAML file (a rule's options), each naming the field when its
 * value is missing or of the wrong kind. A subclass says which exception names the file and the
 * field, and how a wrong value is shown to the user; it adds the readers only its own files need.
 */
public abstract class YamlFields {
  /** The map as the YAML parser gave it. */
  protected final Map<?, ?> map;

  /** Reads from the given map. */
  protected YamlFields(Map<?, ?> map) {
    this.map = map;
  }

  /** The error that names the file and this field, with what is wrong with it. */
  protected abstract RuntimeException error(String field, String problem);

  /** A wrong value as the error message shows it. */
  protected String describe(Object value) {
    return value == null ? "nothing" : value.getClass().getSimpleName() + " " + value;
  }

  /**
   * The value under {@code key}, or null when it is absent and not required.
   *
   * @throws RuntimeException {@link #error} when it is absent and required
   */
  protected Object value(String key, boolean required) {
    Object value = map.get(key);
    if (value == null && required) {
      throw error(key, "is required");
    }
    return value;
  }

  /** A non-blank string, trimmed; {@code defaultValue} when absent and not required. */
  public String string(String key, boolean required, String defaultValue) {
    Object value = value(key, required);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw error(key, "must be a non-empty string, got " + describe(value));
    }
    return s.trim();
  }

  /** {@code true} or {@code false}; {@code defaultValue} when absent. */
  public boolean bool(String key, boolean defaultValue) {
    Object value = map.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw error(key, "must be true or false, got " + describe(value));
    }
    return b;
  }

  /**
   * One string or a non-empty list of them, each trimmed; an empty list when absent and not
   * required.
   */
  public List<String> strings(String key, boolean required) {
    Object value = value(key, required);
    if (value == null) {
      return List.of();
    }
    List<?> list = value instanceof List<?> l ? l : List.of(value);
    if (list.isEmpty()) {
      throw error(key, "must not be empty");
    }
    List<String> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw error(key, "must be a string or a list of strings, got " + describe(item));
      }
      out.add(s.trim());
    }
    return List.copyOf(out);
  }
}
