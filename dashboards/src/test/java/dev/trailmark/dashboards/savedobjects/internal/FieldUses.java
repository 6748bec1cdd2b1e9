package dev.trailmark.dashboards.savedobjects.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every field a saved object reads, with what it reads it for. */
final class FieldUses {
  /** What a field is used for, which decides the types that work. */
  enum Use {
    /** A time field or date_histogram: date or date_nanos. */
    TIME,
    /** A bucket (terms), a sort or a cardinality: keyword, number, date, boolean. */
    AGGREGATABLE,
    /** A sum, avg, max, min or percentiles: a number. */
    NUMBER,
    /** Searched or shown: any mapped field. */
    PRESENT
  }

  /** One use of one field by one object, against the index pattern it reads. */
  record FieldUse(String objectId, String indexPattern, String field, Use use, String where) {
    @Override
    public String toString() {
      return objectId + " " + where + " " + field + " (" + use + ") in " + indexPattern;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern QUERY_FIELD = Pattern.compile("(?<![\\w.@])([A-Za-z@][\\w.@]*):");
  private static final Pattern EXISTS = Pattern.compile("_exists_:([A-Za-z@][\\w.@]*)");

  private FieldUses() {}

  static List<FieldUse> of(List<ObjectNode> objects) {
    Map<String, String> titles = new java.util.HashMap<>();
    for (ObjectNode o : objects) {
      if (o.path("type").asText().equals("index-pattern")) {
        titles.put(o.path("id").asText(), o.path("attributes").path("title").asText());
      }
    }
    List<FieldUse> uses = new ArrayList<>();
    try {
      for (ObjectNode o : objects) {
        String id = o.path("id").asText();
        JsonNode a = o.path("attributes");
        switch (o.path("type").asText()) {
          case "index-pattern" -> {
            if (a.has("timeFieldName")) {
              uses.add(
                  new FieldUse(
                      id,
                      a.path("title").asText(),
                      a.path("timeFieldName").asText(),
                      Use.TIME,
                      "timeFieldName"));
            }
            if (a.has("fieldFormatMap")) {
              JSON.readTree(a.path("fieldFormatMap").asText())
                  .fieldNames()
                  .forEachRemaining(
                      f ->
                          uses.add(
                              new FieldUse(
                                  id, a.path("title").asText(), f, Use.NUMBER, "fieldFormatMap")));
            }
          }
          case "search" -> {
            String index = titles.get(indexRef(o));
            a.path("columns")
                .forEach(c -> uses.add(new FieldUse(id, index, c.asText(), Use.PRESENT, "column")));
            a.path("sort")
                .forEach(
                    s ->
                        uses.add(
                            new FieldUse(id, index, s.path(0).asText(), Use.AGGREGATABLE, "sort")));
            query(id, index, o, uses);
          }
          case "visualization" -> {
            JsonNode vis = JSON.readTree(a.path("visState").asText());
            if (vis.path("type").asText().equals("vega")) {
              JsonNode url =
                  JSON.readTree(vis.path("params").path("spec").asText()).path("data").path("url");
              String index = url.path("index").asText();
              uses.add(
                  new FieldUse(
                      id, index, url.path("%timefield%").asText(), Use.TIME, "%timefield%"));
              dsl(id, index, url.path("body"), uses);
            } else {
              String index = titles.get(indexRef(o));
              for (JsonNode agg : vis.path("aggs")) {
                String field = agg.path("params").path("field").asText(null);
                if (field == null) {
                  continue;
                }
                uses.add(
                    new FieldUse(
                        id,
                        index,
                        field,
                        switch (agg.path("type").asText()) {
                          case "date_histogram" -> Use.TIME;
                          case "sum", "avg", "max", "min", "percentiles", "median" -> Use.NUMBER;
                          default -> Use.AGGREGATABLE;
                        },
                        agg.path("type").asText()));
              }
              query(id, index, o, uses);
            }
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return uses;
  }

  static String indexRef(ObjectNode o) throws IOException {
    JsonNode source =
        JSON.readTree(
            o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
    String name = source.path("indexRefName").asText();
    for (JsonNode ref : o.path("references")) {
      if (ref.path("name").asText().equals(name)) {
        return ref.path("id").asText();
      }
    }
    throw new AssertionError("no index reference in " + o.path("id"));
  }

  /** Fields named in a Lucene query string ({@code field:value}, {@code _exists_:field}). */
  static List<String> queryFields(String query) {
    query = query.replaceAll("\"[^\"]*\"", "\"\"");
    List<String> fields = new ArrayList<>();
    Matcher exists = EXISTS.matcher(query);
    while (exists.find()) {
      fields.add(exists.group(1));
    }
    Matcher m = QUERY_FIELD.matcher(query);
    while (m.find()) {
      if (!m.group(1).equals("_exists_")) {
        fields.add(m.group(1));
      }
    }
    return fields;
  }

  private static void query(String id, String index, ObjectNode o, List<FieldUse> uses)
      throws IOException {
    JsonNode source =
        JSON.readTree(
            o.path("attributes").path("kibanaSavedObjectMeta").path("searchSourceJSON").asText());
    for (String f : queryFields(source.path("query").path("query").asText())) {
      uses.add(new FieldUse(id, index, f, Use.PRESENT, "query"));
    }
  }

  /**
   * Fields in an OpenSearch query body: aggregations by their kind, term filters as searched
   * fields.
   */
  private static void dsl(String id, String index, JsonNode node, List<FieldUse> uses) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                String key = e.getKey();
                JsonNode v = e.getValue();
                if (v.has("field") && v.path("field").isTextual()) {
                  Use use =
                      switch (key) {
                        case "date_histogram" -> Use.TIME;
                        case "sum", "avg", "max", "min", "percentiles" -> Use.NUMBER;
                        default -> Use.AGGREGATABLE;
                      };
                  uses.add(new FieldUse(id, index, v.path("field").asText(), use, key));
                }
                if (key.equals("term") || key.equals("terms") && !v.has("field")) {
                  v.fieldNames()
                      .forEachRemaining(
                          f -> uses.add(new FieldUse(id, index, f, Use.AGGREGATABLE, key)));
                }
                dsl(id, index, v, uses);
              });
    } else if (node.isArray()) {
      node.forEach(n -> dsl(id, index, n, uses));
    }
  }
}
