package dev.microshop.platform.db;

import static dev.microshop.platform.db.ProvisioningSql.identifier;
import static dev.microshop.platform.db.ProvisioningSql.literal;
import static dev.microshop.platform.db.ProvisioningSql.quoted;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Database per service, made so by PostgreSQL itself: one login role per service with no special
 * power, owning one database that nobody else may connect to, whose schema public only it may
 * create in. Each step looks before it acts, so a second run changes nothing and says so; what a
 * run did change comes back as sentences. Blocking JDBC: for the launcher, never an event loop.
 */
public final class RoleProvisioning {
  /** Opens a JDBC connection to {@code database} of the server being provisioned. */
  @FunctionalInterface
  public interface Connector {
    Connection open(String database, String user, String password) throws SQLException;
  }

  /**
   * What a service needs: its role logs in with {@code password} and owns {@code database}.
   *
   * @param role and {@code database}: plain identifiers ({@link #isPlainIdentifier})
   */
  public record Target(String database, String role, String password) {}

  private final Connector connector;
  private final String adminUser;
  private final String adminPassword;
  private final String adminDatabase;

  /** {@code admin} may create roles and databases (a superuser, as the embedded server's). */
  public RoleProvisioning(
      Connector connector, String adminUser, String adminPassword, String adminDatabase) {
    this.connector = connector;
    this.adminUser = adminUser;
    this.adminPassword = adminPassword;
    this.adminDatabase = adminDatabase;
  }

  public static boolean isPlainIdentifier(String name) {
    return ProvisioningSql.isPlainIdentifier(name);
  }

  /** Brings one service's role and database to the required state; returns what it changed. */
  public List<String> provision(Target target) throws SQLException {
    String role = identifier(target.role());
    String database = identifier(target.database());
    List<String> changes = new ArrayList<>();
    boolean roleExisted;
    try (Connection admin = connector.open(adminDatabase, adminUser, adminPassword);
        Statement s = admin.createStatement()) {
      roleExisted = role(admin, s, role, target.password(), changes);
      database(admin, s, database, role, changes);
      privileges(admin, s, database, role, changes);
    }
    publicSchema(database, role, changes);
    if (roleExisted) {
      password(target, changes);
    }
    return changes;
  }

  /** True when the role was there before. */
  private static boolean role(
      Connection admin, Statement s, String role, String password, List<String> changes)
      throws SQLException {
    Boolean plain = (Boolean) single(admin, ProvisioningSql.ROLE_IS_PLAIN, role);
    if (plain == null) {
      s.execute(ProvisioningSql.CREATE_ROLE.formatted(role, literal(password)));
      changes.add("created role " + role);
      return false;
    }
    if (!plain) {
      s.execute(ProvisioningSql.MAKE_ROLE_PLAIN.formatted(role));
      changes.add("made role " + role + " a plain login (no superuser, createdb, createrole)");
    }
    return true;
  }

  private static void database(
      Connection admin, Statement s, String database, String role, List<String> changes)
      throws SQLException {
    String owner = (String) single(admin, ProvisioningSql.DATABASE_OWNER, database);
    if (owner == null) {
      s.execute(ProvisioningSql.CREATE_DATABASE.formatted(database, role));
      changes.add("created database " + database);
    } else if (!owner.equals(role)) {
      s.execute(ProvisioningSql.SET_DATABASE_OWNER.formatted(database, role));
      changes.add("gave database " + database + " to " + role + " (owner was " + owner + ")");
    }
  }

  /** Nobody but the owner keeps a privilege on the database; the owner keeps CONNECT and TEMP. */
  private static void privileges(
      Connection admin, Statement s, String database, String role, List<String> changes)
      throws SQLException {
    List<String[]> outsiders = new ArrayList<>();
    try (PreparedStatement q = admin.prepareStatement(ProvisioningSql.DATABASE_OUTSIDERS)) {
      q.setString(1, database);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          outsiders.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    for (String[] outsider : outsiders) {
      s.execute(ProvisioningSql.REVOKE_DATABASE.formatted(database, quoted(outsider[0])));
      changes.add("revoked " + outsider[1] + " on " + database + " from " + outsider[0]);
    }
    Boolean connects;
    try (PreparedStatement q = admin.prepareStatement(ProvisioningSql.OWNER_CAN_CONNECT)) {
      q.setString(1, role);
      q.setString(2, database);
      q.setString(3, role);
      q.setString(4, database);
      try (ResultSet rs = q.executeQuery()) {
        connects = rs.next() && rs.getBoolean(1);
      }
    }
    if (!connects) {
      s.execute(ProvisioningSql.GRANT_DATABASE.formatted(database, role));
      changes.add("granted CONNECT, TEMPORARY on " + database + " to " + role);
    }
  }

  /** In the service's own database, as the admin (a superuser passes the revoked CONNECT). */
  private void publicSchema(String database, String role, List<String> changes)
      throws SQLException {
    try (Connection c = connector.open(database, adminUser, adminPassword);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(ProvisioningSql.PUBLIC_SCHEMA)) {
      if (!rs.next()) {
        return; // dropped by its owner: migrations create their own schema then
      }
      String owner = rs.getString(1);
      boolean publicCreates = rs.getBoolean(2);
      if (publicCreates) {
        s.execute(ProvisioningSql.REVOKE_PUBLIC_CREATE);
        changes.add("revoked CREATE on schema public of " + database + " from PUBLIC");
      }
      if (!owner.equals(role) && !owner.equals(ProvisioningSql.DATABASE_OWNER_ROLE)) {
        s.execute(ProvisioningSql.SET_SCHEMA_OWNER.formatted(role));
        changes.add("gave schema public of " + database + " to " + role);
      }
    }
  }

  /**
   * The password is checked by logging in with it: that needs no right to read password hashes, and
   * a role whose password already works keeps its hash (a new one would be a change).
   */
  private void password(Target target, List<String> changes) throws SQLException {
    if (canLogIn(target)) {
      return;
    }
    try (Connection admin = connector.open(adminDatabase, adminUser, adminPassword);
        Statement s = admin.createStatement()) {
      s.execute(ProvisioningSql.SET_PASSWORD.formatted(target.role(), literal(target.password())));
    }
    changes.add("set the password of role " + target.role());
  }

  private boolean canLogIn(Target target) throws SQLException {
    try (Connection c = connector.open(target.database(), target.role(), target.password())) {
      return c.isValid(10);
    } catch (SQLException e) {
      if (ConnectFailure.of(e) == ConnectFailure.LOGIN) {
        return false;
      }
      throw e;
    }
  }

  /** The first column of the only row, or null when there is no row. */
  private static Object single(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(sql)) {
      q.setString(1, param);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getObject(1) : null;
      }
    }
  }
}
