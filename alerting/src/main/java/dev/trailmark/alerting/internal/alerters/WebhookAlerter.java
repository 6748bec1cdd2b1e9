package dev.trailmark.alerting.internal.alerters;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trailmark.alerting.internal.Notices;
import dev.trailmark.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * HTTP POST of a notice: the notice document as JSON ({@code post}, ElastAlert's {@code
 * http_post_url}), or a Slack-compatible payload ({@code slack}: {@code text} plus one attachment,
 * which Slack, Mattermost, Rocket.Chat and Teams' Slack-compatible endpoints accept). Any answer
 * outside 2xx is a failure.
 */
public final class WebhookAlerter implements Alerter {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final boolean slack;
  private final URI url;
  private final Duration timeout;
  private final Map<String, String> headers;
  private final String username;
  private final String channel;

  /** A webhook; {@code slack} selects the Slack payload. */
  public WebhookAlerter(
      boolean slack,
      String url,
      Duration timeout,
      Map<String, String> headers,
      String username,
      String channel) {
    this.slack = slack;
    this.url = URI.create(url);
    this.timeout = timeout;
    this.headers = headers == null ? Map.of() : headers;
    this.username = username;
    this.channel = channel;
  }

  @Override
  public String name() {
    return slack ? "slack" : "post";
  }

  @Override
  public void send(ObjectNode notice) throws IOException, InterruptedException {
    ObjectNode body = slack ? slackPayload(notice) : notice;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
    headers.forEach(b::header);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      String text = r.body() == null ? "" : r.body();
      throw new IOException(
          url
              + " answered "
              + r.statusCode()
              + (text.isBlank() ? "" : ": " + text.substring(0, Math.min(200, text.length()))));
    }
  }

  ObjectNode slackPayload(ObjectNode notice) {
    ObjectNode p = Json.object();
    p.put("text", Notices.title(notice));
    if (username != null && !username.isEmpty()) {
      p.put("username", username);
    }
    if (channel != null && !channel.isEmpty()) {
      p.put("channel", channel);
    }
    ArrayNode attachments = p.putArray("attachments");
    ObjectNode a = attachments.addObject();
    String state = notice.path("state").asText();
    a.put(
        "color",
        state.equals("resolved")
            ? "good"
            : switch (notice.path("severity").asText()) {
              case "critical", "high" -> "danger";
              case "medium" -> "warning";
              default -> "#439FE0";
            });
    a.put("title", notice.path("rule").path("name").asText() + " " + state);
    a.put("text", Notices.body(notice));
    ArrayNode fields = a.putArray("fields");
    fields
        .addObject()
        .put("title", "key")
        .put("value", notice.path("key").asText())
        .put("short", true);
    fields
        .addObject()
        .put("title", "matches")
        .put("value", notice.path("match_count").asText())
        .put("short", true);
    a.put("footer", "trailmark alert " + notice.path("alert_id").asText());
    return p;
  }
}
