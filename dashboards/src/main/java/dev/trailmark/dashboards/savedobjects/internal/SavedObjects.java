package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The saved objects shipped in the jar ({@value #RESOURCE}), one JSON object per line in the export
 * format of OpenSearch Dashboards 2.x, and the rewrite that puts them under the collector's index
 * prefix.
 */
public final class SavedObjects {
  /** Where the ndjson lives on the class path. */
  public static final String RESOURCE = "/dev/trailmark/dashboards/saved-objects.ndjson";

  /**
   * What OpenSearch accepts at the start of an index name, lower case only; the collector's
   * prefixes end in '-'.
   */
  private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9._-]{0,200}");

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SavedObjects() {}

  /** Every object of the file, in file order. */
  public static List<ObjectNode> load() {
    try (InputStream in = SavedObjects.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      List<ObjectNode> objects = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      int lineNumber = 0;
      for (String line; (line = reader.readLine()) != null; ) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = MAPPER.readTree(line);
        if (!(node instanceof ObjectNode object)) {
          throw new IllegalStateException(
              RESOURCE + " line " + lineNumber + " is not a JSON object");
        }
        objects.add(object);
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /**
   * Checks an index prefix as the collector's {@code --index-prefix} takes it; returns it
   * unchanged.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String checkPrefix(String prefix) {
    if (prefix.isEmpty() || PREFIX.matcher(prefix).matches()) {
      return prefix;
    }
    throw new IllegalArgumentException(
        "index prefix '"
            + prefix
            + "' is not usable in an index name: lower-case "
            + "letters, digits, '.', '_' and '-' only, starting with a letter or digit (for example 'prod-')");
  }

  /**
   * Copies of {@code objects} reading the indices of {@code prefix}: every index pattern's title
   * and the index a Vega visualization queries get the prefix in front. An empty prefix returns
   * equal copies.
   */
  public static List<ObjectNode> withIndexPrefix(List<ObjectNode> objects, String prefix) {
    checkPrefix(prefix);
    List<ObjectNode> out = new ArrayList<>(objects.size());
    for (ObjectNode original : objects) {
      ObjectNode o = original.deepCopy();
      if (!prefix.isEmpty()) {
        ObjectNode attributes = (ObjectNode) o.path("attributes");
        String type = o.path("type").asText();
        if (type.equals("index-pattern")) {
          attributes.put("title", prefix + attributes.path("title").asText());
        } else if (type.equals("visualization")) {
          prefixVega(attributes, prefix);
        }
      }
      out.add(o);
    }
    return out;
  }

  private static void prefixVega(ObjectNode attributes, String prefix) {
    try {
      ObjectNode visState = (ObjectNode) MAPPER.readTree(attributes.path("visState").asText());
      if (!visState.path("type").asText().equals("vega")) {
        return;
      }
      ObjectNode params = (ObjectNode) visState.path("params");
      ObjectNode spec = (ObjectNode) MAPPER.readTree(params.path("spec").asText());
      JsonNode url = spec.path("data").path("url");
      if (url instanceof ObjectNode u && u.hasNonNull("index")) {
        u.put("index", prefix + u.path("index").asText());
      }
      params.put("spec", PRETTY.writeValueAsString(spec));
      attributes.put("visState", MAPPER.writeValueAsString(visState));
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalStateException(
          "visualization spec is not the JSON this file ships: " + e.getMessage(), e);
    }
  }

  /** The objects as ndjson, one compact object per line, each line ending in '\n'. */
  public static byte[] toNdjson(List<ObjectNode> objects) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (ObjectNode o : objects) {
        out.write(MAPPER.writeValueAsBytes(o));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
