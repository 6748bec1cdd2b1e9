package dev.trailmark.agent.internal.probe;

import java.util.Locale;

/**
 * Reads a JDBC URL the way the spans need it: OpenTelemetry's {@code db.system}, the server's host
 * and port, the database's name, and the URL without its parameters (where passwords live). Unknown
 * forms give what could be read and never throw.
 */
final class JdbcUrl {

  final String system;
  final String host;
  final int port;
  final String database;
  final String url;

  private JdbcUrl(String system, String host, int port, String database, String url) {
    this.system = system;
    this.host = host;
    this.port = port;
    this.database = database;
    this.url = url;
  }

  static JdbcUrl parse(String jdbcUrl) {
    if (jdbcUrl == null || !jdbcUrl.regionMatches(true, 0, "jdbc:", 0, 5)) {
      return new JdbcUrl("other_sql", null, -1, null, null);
    }
    String rest = jdbcUrl.substring(5);
    int colon = rest.indexOf(':');
    String sub = (colon < 0 ? rest : rest.substring(0, colon)).toLowerCase(Locale.ROOT);
    String body = colon < 0 ? "" : rest.substring(colon + 1);
    switch (sub) {
      case "postgresql":
      case "pgsql":
        return hostBased("postgresql", jdbcUrl, body, 5432);
      case "mysql":
        return hostBased("mysql", jdbcUrl, body, 3306);
      case "mariadb":
        return hostBased("mariadb", jdbcUrl, body, 3306);
      case "sqlserver":
        return sqlServer(jdbcUrl, body);
      case "h2":
        return h2(jdbcUrl, body);
      case "hsqldb":
        return new JdbcUrl(
            "hsqldb", null, -1, lastName(strip(body, ';')), "jdbc:hsqldb:" + strip(body, ';'));
      case "derby":
        return new JdbcUrl(
            "derby", null, -1, lastName(strip(body, ';')), "jdbc:derby:" + strip(body, ';'));
      case "sqlite":
        return new JdbcUrl(
            "sqlite", null, -1, lastName(strip(body, '?')), "jdbc:sqlite:" + strip(body, '?'));
      case "oracle":
        String oracle = strip(strip(body, '?'), ';');
        int at = oracle.indexOf('@'); // thin:user/password@//host:port/service
        if (at >= 0) {
          oracle = oracle.substring(0, oracle.indexOf(':') + 1) + oracle.substring(at);
        }
        return new JdbcUrl("oracle", null, -1, null, "jdbc:oracle:" + oracle);
      default:
        return new JdbcUrl(sub.isEmpty() ? "other_sql" : sub, null, -1, null, "jdbc:" + sub + ":");
    }
  }

  /** {@code //host[:port][,host2...]/database?params}. */
  private static JdbcUrl hostBased(String system, String jdbcUrl, String body, int defaultPort) {
    String plain = strip(body, '?');
    String prefix = jdbcUrl.substring(0, jdbcUrl.length() - body.length());
    if (!plain.startsWith("//")) {
      return new JdbcUrl(system, null, -1, emptyToNull(plain), prefix + plain);
    }
    int slash = plain.indexOf('/', 2);
    String authority = slash < 0 ? plain.substring(2) : plain.substring(2, slash);
    String database = slash < 0 ? null : emptyToNull(plain.substring(slash + 1));
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1); // user:password@ never leaves
    }
    int comma = authority.indexOf(',');
    String first = comma < 0 ? authority : authority.substring(0, comma);
    String host = first;
    int port = defaultPort;
    int portColon =
        first.startsWith("[") ? first.indexOf(':', first.indexOf(']')) : first.lastIndexOf(':');
    if (portColon >= 0) {
      host = first.substring(0, portColon);
      port = parsePort(first.substring(portColon + 1), defaultPort);
    }
    String url = prefix + "//" + authority + (database == null ? "" : "/" + database);
    return new JdbcUrl(system, emptyToNull(host), port, database, url);
  }

  /** {@code //host[\instance][:port];databaseName=db;...}. */
  private static JdbcUrl sqlServer(String jdbcUrl, String body) {
    String database = null;
    for (String part : body.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        if (key.equals("databasename") || key.equals("database")) {
          database = emptyToNull(part.substring(eq + 1).trim());
        }
      }
    }
    JdbcUrl server = hostBased("mssql", jdbcUrl, strip(body, ';'), 1433);
    String host = server.host;
    if (host != null && host.indexOf('\\') >= 0) {
      host = host.substring(0, host.indexOf('\\'));
    }
    return new JdbcUrl("mssql", host, server.port, database, server.url);
  }

  /**
   * {@code mem:name}, {@code file:/path/name}, {@code ~/name}, {@code tcp://host:port/~/name}...
   */
  private static JdbcUrl h2(String jdbcUrl, String body) {
    String plain = strip(body, ';');
    String url = "jdbc:h2:" + plain;
    if (plain.startsWith("tcp:") || plain.startsWith("ssl:")) {
      JdbcUrl server =
          hostBased("h2", "jdbc:h2:tcp:" + plain.substring(4), plain.substring(4), 9092);
      return new JdbcUrl("h2", server.host, server.port, lastName(server.database), url);
    }
    String path = plain;
    for (String mode :
        new String[] {
          "mem:", "file:", "zip:", "split:", "nio:", "nioMapped:", "async:", "memFS:"
        }) {
      if (path.startsWith(mode)) {
        path = path.substring(mode.length());
      }
    }
    return new JdbcUrl("h2", null, -1, lastName(path), url);
  }

  private static String lastName(String path) {
    if (path == null) {
      return null;
    }
    int slash =
        Math.max(path.lastIndexOf('/'), Math.max(path.lastIndexOf('\\'), path.lastIndexOf(':')));
    return emptyToNull(path.substring(slash + 1));
  }

  private static String strip(String s, char from) {
    int i = s.indexOf(from);
    return i < 0 ? s : s.substring(0, i);
  }

  private static int parsePort(String s, int defaultPort) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return defaultPort;
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
