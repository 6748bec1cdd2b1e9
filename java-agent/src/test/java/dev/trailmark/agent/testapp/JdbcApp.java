package dev.trailmark.agent.testapp;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;

/**
 * A service that queries a database through plain JDBC ({@code app.jdbc.url}, {@code
 * app.jdbc.user}, {@code app.jdbc.password}): {@code /db} runs a prepared INSERT, a plain SELECT
 * with literals, a prepared batch, a plain batch, a connection check and a statement the database
 * refuses, and answers with what it read.
 */
public final class JdbcApp {

  public static void main(String[] args) throws Exception {
    String url = System.getProperty("app.jdbc.url");
    String user = System.getProperty("app.jdbc.user", "");
    String password = System.getProperty("app.jdbc.password", "");
    Connection connection = DriverManager.getConnection(url, user, password);
    try (Statement ddl = connection.createStatement()) { // outside any request: no span
      ddl.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(64))");
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/db",
        exchange -> {
          String body;
          int status = 200;
          try {
            body = work(connection);
          } catch (Exception e) {
            body = "failed: " + e;
            status = 500;
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.setExecutor(Executors.newSingleThreadExecutor());
    server.start();
    System.out.println("READY " + server.getAddress().getPort());
  }

  private static synchronized String work(Connection connection) throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement clean = connection.createStatement()) {
      clean.executeUpdate("DELETE FROM orders WHERE id >= 0");
    }
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO orders (id, item) VALUES (?, ?)")) {
      insert.setInt(1, 7);
      insert.setString(2, "secret-item");
      out.append("inserted=").append(insert.executeUpdate()).append('\n');
    }
    try (Statement select = connection.createStatement();
        ResultSet rows =
            select.executeQuery(
                "SELECT item FROM orders WHERE id = 7 AND item <> 'hidden-literal'")) {
      while (rows.next()) {
        out.append("item=").append(rows.getString(1)).append('\n');
      }
    }
    try (PreparedStatement batch =
        connection.prepareStatement("INSERT INTO orders (id, item) VALUES (?, ?)")) {
      for (int i = 100; i < 103; i++) {
        batch.setInt(1, i);
        batch.setString(2, "batch-" + i);
        batch.addBatch();
      }
      out.append("batched=").append(batch.executeBatch().length).append('\n');
    }
    try (Statement plain = connection.createStatement()) {
      plain.addBatch("UPDATE orders SET item = 'x' WHERE id = 100");
      plain.addBatch("DELETE FROM orders WHERE id = 101");
      out.append("plain-batched=").append(plain.executeBatch().length).append('\n');
    }
    out.append("valid=").append(connection.isValid(2)).append('\n');
    try (Statement bad = connection.createStatement()) {
      bad.execute("SELEC oops FROM nowhere");
    } catch (SQLException expected) {
      out.append("refused=").append(expected.getClass().getSimpleName()).append('\n');
    }
    return out.toString();
  }
}
