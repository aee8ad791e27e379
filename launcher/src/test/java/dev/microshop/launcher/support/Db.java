package dev.microshop.launcher.support;

import dev.microshop.platform.config.Secrets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * JDBC for the launcher's tests, and the only place they open a connection: to read (or seed) a
 * service's own database as that service's role, or to try a login that must be refused. Values are
 * bound as parameters ({@code ?}), never concatenated into the SQL.
 */
public final class Db {
  private static final String HOST = "127.0.0.1";
  private final String host;
  private final Path dataDir;
  private final int port;
  private final String parameters;

  private Db(String host, Path dataDir, int port, String parameters) {
    this.host = host;
    this.dataDir = dataDir;
    this.port = port;
    this.parameters = parameters;
  }

  /**
   * The embedded PostgreSQL on {@code port} whose service passwords are kept in {@code dataDir}.
   */
  public static Db of(Path dataDir, int port) {
    return new Db(HOST, dataDir, port, "");
  }

  /**
   * A PostgreSQL elsewhere (a lab host's), whose service passwords are kept in {@code dataDir},
   * reached with the JDBC URL {@code parameters} (its TLS, e.g. {@code sslmode=verify-full&...}).
   */
  public static Db at(String host, int port, Path dataDir, String parameters) {
    return new Db(host, dataDir, port, parameters);
  }

  /** The one embedded PostgreSQL this test JVM shares ({@link SharedDatabase}). */
  public static Db shared() {
    return new Db(HOST, SharedDatabase.dataDir(), SharedDatabase.get().port(), "");
  }

  /** Rows of a query on the shared database, as {@code service} in its own database. */
  public static List<List<Object>> rows(String service, String sql, Object... params) {
    return shared().query(service, sql, params);
  }

  /** The single number a query on the shared database yields (0 for NULL). */
  public static long number(String service, String sql, Object... params) {
    return shared().count(service, sql, params);
  }

  /** The JDBC URL of {@code database} on the PostgreSQL at {@code port}. */
  public static String url(int port, String database) {
    return url(HOST, port, database);
  }

  /** The JDBC URL of {@code database} on the PostgreSQL at {@code host:port}. */
  public static String url(String host, int port, String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** A connection with exactly these credentials, for logins that are meant to fail too. */
  public static Connection connect(String url, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    return DriverManager.getConnection(url, props);
  }

  /** A connection to {@code database} as {@code role}, with the password that role really has. */
  public Connection connect(String role, String database) throws SQLException {
    String url = url(host, port, database) + (parameters.isEmpty() ? "" : "?" + parameters);
    return connect(url, role, Secrets.getOrCreate(dataDir, role + "-db-password"));
  }

  /** Rows of a query, as {@code service} in its own database: lists of column values. */
  public List<List<Object>> query(String service, String sql, Object... params) {
    try (Connection c = connect(service, service);
        PreparedStatement s = prepare(c, sql, params);
        ResultSet rs = s.executeQuery()) {
      List<List<Object>> out = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw new AssertionError(service + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The single number a query yields (0 for NULL). */
  public long count(String service, String sql, Object... params) {
    Object value = query(service, sql, params).get(0).get(0);
    return value == null ? 0 : ((Number) value).longValue();
  }

  /** Runs an INSERT, UPDATE or DELETE as {@code service} in its own database; the rows changed. */
  public int update(String service, String sql, Object... params) {
    try (Connection c = connect(service, service);
        PreparedStatement s = prepare(c, sql, params)) {
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new AssertionError(service + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... params)
      throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      s.setObject(i + 1, params[i]);
    }
    return s;
  }
}
