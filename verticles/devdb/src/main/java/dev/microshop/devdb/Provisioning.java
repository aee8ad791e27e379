package dev.microshop.devdb;

import dev.microshop.platform.config.Secrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Makes a fresh server fit to keep data: passwords (SCRAM) for every connection, and one database
 * and one login role per service, a role able to connect only to its own database. Safe to run on
 * every start: each step checks what an earlier start did.
 */
final class Provisioning {
  private static final String HBA =
      """
      # Written by microshop: every connection authenticates with a password (SCRAM).
      local   all all                scram-sha-256
      host    all all 127.0.0.1/32   scram-sha-256
      host    all all ::1/128        scram-sha-256
      """;

  private final EmbeddedDatabase db;
  private final Path dataDir;

  Provisioning(EmbeddedDatabase db, Path dataDir) {
    this.db = db;
    this.dataDir = dataDir;
  }

  /** zonky's initdb trusts every local connection; from here on a password is required. */
  void secure(String superPassword) {
    try (Connection c = db.superuser("postgres");
        Statement s = c.createStatement()) {
      s.execute("ALTER ROLE postgres WITH PASSWORD " + literal(superPassword));
      Path hba = dataDir.resolve("pg").resolve("pg_hba.conf");
      if (Files.readString(hba).equals(HBA)) {
        return; // secured by an earlier start: nothing to reload
      }
      Files.writeString(hba, HBA);
      // initdb wrote max_connections into postgresql.conf; the server runs with its own value from
      // the command line, and a reload would log that file value as an error on every start. The
      // command line decides.
      Path conf = dataDir.resolve("pg").resolve("postgresql.conf");
      Files.writeString(
          conf, Files.readString(conf).replaceAll("(?m)^max_connections", "#max_connections"));
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot secure the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  void provision(List<String> services) {
    try (Connection c = db.superuser("postgres");
        Statement s = c.createStatement()) {
      for (String service : services) {
        provision(s, identifier(service), Secrets.getOrCreate(dataDir, service + "-db-password"));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot provision service databases: " + e.getMessage(), e);
    }
  }

  private static void provision(Statement s, String role, String password) throws SQLException {
    s.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
            + role
            + "') THEN "
            + "CREATE ROLE "
            + role
            + " LOGIN; END IF; END $$");
    s.execute(
        "ALTER ROLE "
            + role
            + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD "
            + literal(password));
    boolean exists;
    try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + role + "'")) {
      exists = rs.next();
    }
    if (!exists) {
      s.execute("CREATE DATABASE " + role + " OWNER " + role);
    }
    // Database per service: nobody but the owner may even connect.
    s.execute("REVOKE ALL ON DATABASE " + role + " FROM PUBLIC");
    s.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + role + " TO " + role);
  }

  private static String identifier(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a safe SQL identifier: " + name);
    }
    return name;
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
