package dev.trailmark.agent.internal.trace;

/**
 * What a database client span says of the database it called: read once per connection (from the
 * JDBC URL and the driver's metadata), shared by every statement run on it.
 */
public final class Database {

  private final String system;
  private final String name;
  private final String host;
  private final int port;
  private final String url;
  private final String user;
  private final String productName;
  private final String productVersion;
  private final String driverVersion;
  private final String node;

  /**
   * @param system OpenTelemetry's {@code db.system} ({@code postgresql}, {@code h2}...)
   * @param name the database (catalog) name, or null
   * @param host the server's host, or null for an embedded database
   * @param port the server's port, or -1
   * @param url the JDBC URL without its parameters (never a password)
   */
  public Database(
      String system,
      String name,
      String host,
      int port,
      String url,
      String user,
      String productName,
      String productVersion,
      String driverVersion) {
    this.system = system;
    this.name = name;
    this.host = host;
    this.port = port;
    this.url = url;
    this.user = user;
    this.productName = productName;
    this.productVersion = productVersion;
    this.driverVersion = driverVersion;
    String where = host == null ? null : port > 0 ? host + ":" + port : host;
    String db = name != null ? name : system;
    this.node = where == null ? db : db + "@" + where;
  }

  public String system() {
    return system;
  }

  public String name() {
    return name;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String productName() {
    return productName;
  }

  public String productVersion() {
    return productVersion;
  }

  public String driverVersion() {
    return driverVersion;
  }

  /**
   * The database as a node of the X-Ray service map: {@code name@host:port} as X-Ray's own SDK
   * names it (the name alone for an embedded database).
   */
  public String node() {
    return node;
  }
}
