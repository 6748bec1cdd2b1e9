package dev.trailmark.common.opensearch;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tells a whole {@code _search} answer from one OpenSearch gave only in part, which it does with
 * status 200: some shards failed (a new daily index whose shard is still starting, a lost shard, a
 * field mapped differently in one index) or the search's {@code timeout} cut it short.
 */
public final class SearchAnswers {

  /** Longest failure reason quoted; OpenSearch's run to several hundred characters. */
  private static final int MAX_REASON = 200;

  private SearchAnswers() {}

  /**
   * Null for a whole answer; else why it is not: {@code "1 of 2 shards answered; 1 failed (index:
   * type: reason)"}, naming the first failure, or that the timeout cut the search short.
   */
  public static String incompleteness(JsonNode answer) {
    JsonNode shards = answer.path("_shards");
    int failed = shards.path("failed").asInt(0);
    if (failed > 0) {
      StringBuilder why =
          new StringBuilder()
              .append(shards.path("successful").asInt())
              .append(" of ")
              .append(shards.path("total").asInt())
              .append(" shards answered; ")
              .append(failed)
              .append(" failed");
      JsonNode first = shards.path("failures").path(0);
      if (first.hasNonNull("index")) {
        why.append(" (").append(first.path("index").asText());
        String type = first.path("reason").path("type").asText("");
        String reason = first.path("reason").path("reason").asText("");
        if (!type.isEmpty()) {
          why.append(": ").append(type);
        }
        if (!reason.isEmpty()) {
          why.append(": ")
              .append(
                  reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason);
        }
        why.append(')');
      }
      return why.toString();
    }
    if (answer.path("timed_out").asBoolean(false)) {
      return "the search reached its timeout before every shard answered";
    }
    return null;
  }
}
