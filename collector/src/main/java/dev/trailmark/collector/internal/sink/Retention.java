package dev.trailmark.collector.internal.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * Retention of Trailmark's time-based indices: the local server (which has no ISM plugin) deletes
 * indices whose date suffix is older than N days; for Amazon OpenSearch Service, {@link #ismPolicy}
 * gives the equivalent ISM policy.
 */
public final class Retention {

  /** The families of time-based indices the collector writes. */
  static final List<String> FAMILIES =
      List.of("logs-", "otel-v1-apm-span-", "metrics-", "audit-findings-");

  /** Suffixes: yyyy.MM.dd[.HH], yyyy.wNN, yyyy.MM (see {@code IndexNames.rotated}). */
  private static final Pattern DAY =
      Pattern.compile("-(\\d{4})\\.(\\d{2})\\.(\\d{2})(\\.\\d{2})?$");

  private static final Pattern WEEK = Pattern.compile("-(\\d{4})\\.w(\\d{2})$");
  private static final Pattern MONTH = Pattern.compile("-(\\d{4})\\.(\\d{2})$");

  private Retention() {}

  /**
   * Deletes the indices under {@code prefix} whose period ended more than {@code days} days before
   * {@code today}.
   *
   * @return the names deleted
   */
  public static List<String> deleteOlderThan(
      OpenSearchClient client, String prefix, int days, LocalDate today) throws IOException {
    LocalDate cutoff = today.minusDays(days);
    List<String> deleted = new ArrayList<>();
    JsonNode indices;
    try (Response response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("GET")
                    .endpoint("/_cat/indices/" + prefix + "*")
                    .query(
                        java.util.Map.of(
                            "format", "json", "h", "index", "expand_wildcards", "open,closed"))
                    .build())) {
      if (response.getStatus() == 404) {
        return deleted;
      }
      indices =
          Json.MAPPER.readTree(
              response.getBody().map(Body::bodyAsBytes).orElse(new byte[] {'[', ']'}));
    }
    for (JsonNode i : indices) {
      String name = i.path("index").asText();
      LocalDate end = periodEnd(prefix, name);
      if (end != null && end.isBefore(cutoff)) {
        try (Response response =
            client
                .generic()
                .execute(Requests.builder().method("DELETE").endpoint("/" + name).build())) {
          if (response.getStatus() < 300) {
            deleted.add(name);
          }
        }
      }
    }
    return deleted;
  }

  /** The last day an index of one of our families covers, or null when the name is not ours. */
  static LocalDate periodEnd(String prefix, String index) {
    if (!index.startsWith(prefix)) {
      return null;
    }
    String rest = index.substring(prefix.length());
    if (FAMILIES.stream().noneMatch(rest::startsWith)) {
      return null;
    }
    try {
      Matcher m = DAY.matcher(rest);
      if (m.find()) {
        return LocalDate.of(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)));
      }
      m = WEEK.matcher(rest);
      if (m.find()) {
        return LocalDate.of(Integer.parseInt(m.group(1)), 6, 1)
            .with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(m.group(2)))
            .with(java.time.DayOfWeek.SUNDAY);
      }
      m = MONTH.matcher(rest);
      if (m.find()) {
        return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), 1)
            .plusMonths(1)
            .minusDays(1);
      }
    } catch (java.time.DateTimeException e) {
      return null;
    }
    return null;
  }

  /** Today in UTC, the time zone of every index suffix. */
  public static LocalDate todayUtc() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  /**
   * The ISM policy (for {@code PUT _plugins/_ism/policies/<name>} on Amazon OpenSearch Service)
   * that deletes Trailmark indices under {@code prefix} {@code days} days after creation.
   */
  public static ObjectNode ismPolicy(String prefix, int days) {
    try (InputStream in =
        Retention.class.getResourceAsStream("/dev/trailmark/collector/ism/retention-policy.json")) {
      String json =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("${prefix}", prefix)
              .replace("${days}", Integer.toString(days));
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
