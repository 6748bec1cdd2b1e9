package dev.trailmark.shipper.it;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trailmark.collector.testing.OpenSearchInstance;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Helpers of the end-to-end tests: configure Logback from XML as users do, and read what OpenSearch
 * holds.
 */
final class Collected {
  static final ObjectMapper JSON = new ObjectMapper();

  private Collected() {}

  /**
   * A fresh Logback context configured from {@code xml} with {@code ${name}} placeholders filled
   * in.
   */
  static LoggerContext logback(String xml, Map<String, String> vars) throws Exception {
    String filled = xml;
    for (Map.Entry<String, String> v : vars.entrySet()) {
      filled = filled.replace("${" + v.getKey() + "}", v.getValue());
    }
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    JoranConfigurator c = new JoranConfigurator();
    c.setContext(ctx);
    c.doConfigure(new ByteArrayInputStream(filled.getBytes(StandardCharsets.UTF_8)));
    ctx.start();
    return ctx;
  }

  /**
   * Every document's source in the indices matching {@code pattern} (up to 10,000, the test sizes
   * stay below).
   */
  static List<JsonNode> documents(OpenSearchInstance os, String pattern) throws Exception {
    os.refresh(pattern);
    JsonNode hits =
        JSON.readTree(
                os.post("/" + pattern + "/_search?size=10000", "{\"query\":{\"match_all\":{}}}"))
            .path("hits")
            .path("hits");
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode h : hits) {
      out.add(h.path("_source"));
    }
    return out;
  }

  static long count(OpenSearchInstance os, String pattern) {
    try {
      os.refresh(pattern);
      return os.count(pattern);
    } catch (RuntimeException | AssertionError e) {
      return -1; // index not created yet, or its shards still starting (OpenSearch answers 503)
    }
  }
}
