package dev.trailmark.collector.internal.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

/**
 * Loads log documents into a Redshift (or any PostgreSQL-compatible) table through JDBC, in one
 * transaction per batch of multi-row INSERTs; the table's columns are the ones a Firehose {@code
 * COPY ... JSON 'auto'} would fill from the same documents.
 *
 * <p>The JDBC driver is picked by the URL ({@code jdbc:redshift:} needs the Redshift driver on the
 * class path, {@code jdbc:postgresql:} the PostgreSQL one) or named explicitly.
 */
public final class RedshiftSink {

  static final int ROWS_PER_STATEMENT = 500;
  static final int MAX_TEXT = 65_535;
  private static final String COLUMNS =
      "event_time, log_group, log_stream, service, severity, trace_id, span_id, body, document";

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String table;
  private volatile boolean tableReady;

  /**
   * @param driver JDBC driver class to load first, or null to let {@link DriverManager} choose by
   *     URL
   */
  public RedshiftSink(String jdbcUrl, String user, String password, String table, String driver) {
    if (!table.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
      throw new IllegalArgumentException("table name must be a plain identifier: " + table);
    }
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.table = table;
    if (driver != null) {
      try {
        Class.forName(driver);
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException(
            "JDBC driver " + driver + " is not on the class path", e);
      }
    }
  }

  /** The DDL of the logs table (Redshift and PostgreSQL both accept it). */
  public String createTableStatement() {
    return "CREATE TABLE IF NOT EXISTS "
        + table
        + " (event_time TIMESTAMPTZ NOT NULL, log_group VARCHAR(512), "
        + "log_stream VARCHAR(512), service VARCHAR(256), severity VARCHAR(32), trace_id VARCHAR(64), "
        + "span_id VARCHAR(32), body VARCHAR(65535), document VARCHAR(65535))";
  }

  /** Writes every document or none (one transaction); returns once committed. */
  public void write(List<ObjectNode> documents) throws SQLException {
    if (documents.isEmpty()) {
      return;
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
      if (!tableReady) {
        try (Statement s = c.createStatement()) {
          s.execute(createTableStatement());
        }
        tableReady = true;
      }
      c.setAutoCommit(false);
      try {
        for (int from = 0; from < documents.size(); from += ROWS_PER_STATEMENT) {
          List<ObjectNode> rows =
              documents.subList(from, Math.min(documents.size(), from + ROWS_PER_STATEMENT));
          StringBuilder sql =
              new StringBuilder("INSERT INTO ")
                  .append(table)
                  .append(" (")
                  .append(COLUMNS)
                  .append(") VALUES ");
          for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
          }
          try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (ObjectNode doc : rows) {
              ps.setTimestamp(p++, Timestamp.from(timestamp(doc)));
              JsonNode cw = doc.path("attributes").path("aws").path("cloudwatch");
              ps.setString(p++, text(cw.path("log_group")));
              ps.setString(p++, text(cw.path("log_stream")));
              ps.setString(p++, text(doc.path("resource").path("service").path("name")));
              ps.setString(p++, text(doc.path("severity").path("text")));
              ps.setString(p++, text(doc.path("traceId")));
              ps.setString(p++, text(doc.path("spanId")));
              ps.setString(p++, clip(text(doc.path("body"))));
              ps.setString(p++, clip(doc.toString()));
            }
            ps.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static Instant timestamp(ObjectNode doc) {
    try {
      return Instant.parse(doc.path("@timestamp").asText());
    } catch (RuntimeException e) {
      return Instant.now();
    }
  }

  private static String text(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  private static String clip(String s) {
    // Redshift VARCHAR lengths count bytes: cut at a character boundary so the UTF-8 form fits.
    if (s == null || s.length() * 4L <= MAX_TEXT) {
      return s;
    }
    byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (utf8.length <= MAX_TEXT) {
      return s;
    }
    int end = MAX_TEXT;
    while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(utf8, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }
}
