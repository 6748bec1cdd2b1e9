package dev.trailmark.agent.internal.probe;

import dev.trailmark.agent.internal.HooksImpl;
import dev.trailmark.agent.internal.trace.Database;
import dev.trailmark.agent.internal.weave.Rule;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Client spans for JDBC statements, woven into the drivers' own statement and connection classes
 * (not into connection pools' wrappers, so a pooled call is one span): every {@code execute},
 * {@code executeQuery}, {@code executeUpdate}, {@code executeLargeUpdate} and batch, with {@code
 * db.system}, {@code db.name}, the operation and the statement with its literals replaced by {@code
 * ?}. A prepared statement's SQL is remembered when it is prepared; what the connection is (URL,
 * user, product) is read once per connection from the driver's metadata. Statements run while the
 * driver checks a connection ({@code isValid}, what pools call), and empty statements (a driver's
 * own validation query), are not spans.
 */
public final class JdbcProbe extends Probe {

  private static final int PREPARE = 0;
  private static final int PREPARE_CALL = 1;
  private static final int EXECUTE = 2;
  private static final int BATCH = 3;
  private static final int ADD_BATCH = 4;
  private static final int CLEAR_BATCH = 5;
  private static final int VALIDATE = 6;

  /** Statements kept per batch for the span's text; the rest are counted. */
  private static final int BATCH_TEXTS = 16;

  /** The drivers this probe knows: connection class, then its statement classes. */
  private static final String[][] DRIVERS = {
    {
      "org.postgresql.jdbc.PgConnection",
      "org.postgresql.jdbc.PgStatement",
      "org.postgresql.jdbc.PgPreparedStatement",
      "org.postgresql.jdbc.PgCallableStatement"
    },
    {
      "org.h2.jdbc.JdbcConnection",
      "org.h2.jdbc.JdbcStatement",
      "org.h2.jdbc.JdbcPreparedStatement",
      "org.h2.jdbc.JdbcCallableStatement"
    },
  };

  /**
   * What is known of a statement object: its prepared SQL, its pending batch. Guarded by {@link
   * #statements}.
   */
  private static final class StatementState {
    final String sql;
    final String preparation;
    String sanitized; // computed for the first span, then reused
    String operation;
    int batchSize;
    List<String> batchTexts;

    StatementState(String sql, String preparation) {
      this.sql = sql;
      this.preparation = preparation;
    }
  }

  /** Weak keys: the driver's statements and connections go away as the application drops them. */
  private final Map<Object, StatementState> statements =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final Map<Object, Database> databases = Collections.synchronizedMap(new WeakHashMap<>());

  /** Set while a driver checks a connection: what it runs for that is not the application's. */
  private final ThreadLocal<Boolean> validating = new ThreadLocal<>();

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public List<Rule> rules(int hook) {
    List<Rule> rules = new ArrayList<>();
    for (String[] driver : DRIVERS) {
      rules.add(Rule.wrap(name(), driver[0], "prepareStatement", null, hook + PREPARE));
      rules.add(Rule.wrap(name(), driver[0], "prepareCall", null, hook + PREPARE_CALL));
      rules.add(Rule.wrap(name(), driver[0], "isValid", "(I)Z", hook + VALIDATE));
      for (int i = 1; i < driver.length; i++) {
        // The JDBC methods only: a driver's internal overloads of the same names (PgStatement's
        // execute(CachedQuery, ...)) also run its own housekeeping queries, which are not the
        // application's.
        String[][] executes = {
          {"execute", "Z"},
          {"executeQuery", "Ljava/sql/ResultSet;"},
          {"executeUpdate", "I"},
          {"executeLargeUpdate", "J"}
        };
        for (String[] execute : executes) {
          String r = execute[1];
          rules.add(Rule.wrap(name(), driver[i], execute[0], "()" + r, hook + EXECUTE));
          rules.add(
              Rule.wrap(name(), driver[i], execute[0], "(Ljava/lang/String;)" + r, hook + EXECUTE));
          if (!execute[0].equals("executeQuery")) {
            rules.add(
                Rule.wrap(
                    name(), driver[i], execute[0], "(Ljava/lang/String;I)" + r, hook + EXECUTE));
            rules.add(
                Rule.wrap(
                    name(), driver[i], execute[0], "(Ljava/lang/String;[I)" + r, hook + EXECUTE));
            rules.add(
                Rule.wrap(
                    name(),
                    driver[i],
                    execute[0],
                    "(Ljava/lang/String;[Ljava/lang/String;)" + r,
                    hook + EXECUTE));
          }
        }
        rules.add(Rule.wrap(name(), driver[i], "executeBatch", "()[I", hook + BATCH));
        rules.add(Rule.wrap(name(), driver[i], "executeLargeBatch", "()[J", hook + BATCH));
        rules.add(
            Rule.wrap(name(), driver[i], "addBatch", "(Ljava/lang/String;)V", hook + ADD_BATCH));
        rules.add(Rule.wrap(name(), driver[i], "addBatch", "()V", hook + ADD_BATCH));
        rules.add(Rule.wrap(name(), driver[i], "clearBatch", "()V", hook + CLEAR_BATCH));
      }
    }
    return rules;
  }

  @Override
  public Object enter(HooksImpl hooks, int tag, Object self, Object[] args) {
    switch (tag) {
      case PREPARE:
      case PREPARE_CALL:
        return args.length > 0 && args[0] instanceof String ? args[0] : null;
      case VALIDATE:
        if (validating.get() != null) {
          return null;
        }
        validating.set(Boolean.TRUE);
        return Boolean.TRUE;
      case ADD_BATCH:
        // Counted once the driver has accepted it; addBatch(String)'s SQL travels to exit as the
        // scope.
        return args.length > 0 && args[0] instanceof String ? args[0] : Boolean.TRUE;
      case CLEAR_BATCH:
        StatementState cleared = statements.get(self);
        if (cleared != null) {
          synchronized (statements) {
            cleared.batchSize = 0;
            cleared.batchTexts = null;
          }
        }
        return null;
      case EXECUTE:
        return validating.get() != null ? null : execute(hooks, self, args);
      case BATCH:
        return validating.get() != null ? null : batch(hooks, self);
      default:
        return null;
    }
  }

  @Override
  public Object exit(
      HooksImpl hooks, int tag, Object scope, Object self, Object result, Throwable thrown) {
    switch (tag) {
      case PREPARE:
      case PREPARE_CALL:
        if (result != null && thrown == null) {
          statements.put(
              result,
              new StatementState((String) scope, tag == PREPARE_CALL ? "call" : "statement"));
        }
        return result;
      case VALIDATE:
        validating.remove();
        return result;
      case ADD_BATCH:
        if (thrown == null) {
          addBatch(self, scope instanceof String ? (String) scope : null);
        }
        return result;
      case EXECUTE:
        hooks.clientEnd(scope, 0, thrown);
        return result;
      case BATCH:
        StatementState state = statements.get(self);
        if (state != null) {
          synchronized (statements) {
            state.batchSize = 0; // executeBatch empties the batch, whatever its outcome
            state.batchTexts = null;
          }
        }
        hooks.clientEnd(scope, 0, thrown);
        return result;
      default:
        return result;
    }
  }

  private void addBatch(Object self, String sql) {
    synchronized (statements) {
      StatementState state = statements.get(self);
      if (state == null) {
        state = new StatementState(null, null);
        statements.put(self, state);
      }
      state.batchSize++;
      if (sql != null) {
        if (state.batchTexts == null) {
          state.batchTexts = new ArrayList<>();
        }
        if (state.batchTexts.size() < BATCH_TEXTS) {
          state.batchTexts.add(sql);
        }
      }
    }
  }

  private Object execute(HooksImpl hooks, Object self, Object[] args) {
    String sql;
    String preparation;
    StatementState state = null;
    if (args.length > 0 && args[0] instanceof String) {
      sql = (String) args[0];
      preparation = null;
    } else {
      state = statements.get(self);
      sql = state == null ? null : state.sql;
      preparation = state == null ? null : state.preparation;
    }
    if (sql != null && sql.isBlank()) {
      return null; // a driver's or pool's validation query, not the application's work
    }
    Object scope = hooks.clientStart(self, "db", null, null);
    if (scope == null) {
      return null;
    }
    String sanitized;
    String operation;
    if (state != null && state.sanitized != null) {
      sanitized = state.sanitized;
      operation = state.operation;
    } else {
      sanitized = Sql.sanitize(sql);
      operation = Sql.operation(sql);
      if (state != null) {
        state.operation = operation; // a benign race: every thread computes the same values
        state.sanitized = sanitized;
      }
    }
    hooks.clientDb(scope, database(self), operation, sanitized, preparation, 0);
    return scope;
  }

  private Object batch(HooksImpl hooks, Object self) {
    StatementState state = statements.get(self);
    Object scope = hooks.clientStart(self, "db", null, null);
    if (scope == null) {
      return null;
    }
    String text = null;
    String operation = null;
    String preparation = null;
    int size = 0;
    if (state != null) {
      synchronized (statements) {
        size = state.batchSize;
        preparation = state.preparation;
        if (state.sql != null) {
          text = Sql.sanitize(state.sql);
          operation = Sql.operation(state.sql);
        } else if (state.batchTexts != null) {
          StringBuilder joined = new StringBuilder();
          for (String sql : state.batchTexts) {
            String sanitized = Sql.sanitize(sql);
            String op = Sql.operation(sql);
            if (joined.length() == 0) {
              operation = op;
            } else if (operation != null && !operation.equals(op)) {
              operation = null; // a batch of different operations is just a BATCH
            }
            if (joined.indexOf(sanitized) < 0 && joined.length() < Sql.MAX_LENGTH) {
              joined.append(joined.length() == 0 ? "" : "; ").append(sanitized);
            }
          }
          text =
              joined.length() > Sql.MAX_LENGTH
                  ? joined.substring(0, Sql.MAX_LENGTH)
                  : joined.toString();
        }
      }
    }
    hooks.clientDb(
        scope,
        database(self),
        operation == null ? "BATCH" : "BATCH " + operation,
        text,
        preparation,
        size);
    return scope;
  }

  /** The database a statement runs on, read once per connection; never throws. */
  private Database database(Object statement) {
    Connection connection;
    try {
      connection = ((Statement) statement).getConnection();
    } catch (Exception | LinkageError e) {
      return unknown();
    }
    if (connection == null) {
      return unknown();
    }
    Database known = databases.get(connection);
    if (known != null) {
      return known;
    }
    String url = null;
    String user = null;
    String product = null;
    String version = null;
    String driver = null;
    try {
      DatabaseMetaData meta = connection.getMetaData();
      url = meta.getURL();
      user = quietly(meta, 0);
      product = quietly(meta, 1);
      version = quietly(meta, 2);
      driver = quietly(meta, 3);
    } catch (Exception | LinkageError e) {
      return unknown(); // not cached: the next statement tries again
    }
    JdbcUrl parsed = JdbcUrl.parse(url);
    String name = parsed.database;
    if (name == null) {
      try {
        name = connection.getCatalog();
      } catch (Exception | LinkageError e) {
        // no name: the node is named after the system
      }
    }
    Database database =
        new Database(
            parsed.system,
            name,
            parsed.host,
            parsed.port,
            parsed.url,
            user,
            product,
            version,
            driver);
    databases.put(connection, database);
    return database;
  }

  private static String quietly(DatabaseMetaData meta, int what) {
    try {
      switch (what) {
        case 0:
          return meta.getUserName();
        case 1:
          return meta.getDatabaseProductName();
        case 2:
          return meta.getDatabaseProductVersion();
        default:
          return meta.getDriverName() + " " + meta.getDriverVersion();
      }
    } catch (Exception | LinkageError e) {
      return null;
    }
  }

  private static Database unknown() {
    return new Database("other_sql", null, null, -1, null, null, null, null, null);
  }
}
