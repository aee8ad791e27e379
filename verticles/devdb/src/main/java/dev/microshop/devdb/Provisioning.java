package dev.microshop.devdb;

import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.db.RoleProvisioning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a fresh server fit to keep data: passwords (SCRAM) for every connection, and one database
 * and one login role per service, a role able to connect only to its own database. Safe to run on
 * every start: each step checks what an earlier start did.
 */
final class Provisioning {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);
  private static final String SUPERUSER = "postgres";
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
    try (Connection c = db.superuser(SUPERUSER);
        Statement s = c.createStatement()) {
      s.execute("ALTER ROLE postgres WITH PASSWORD " + literal(superPassword));
      Path hba = dataDir.resolve("pg").resolve("pg_hba.conf");
      if (Files.readString(hba).equals(HBA)) {
        return; // secured by an earlier start: nothing to reload
      }
      Files.writeString(hba, HBA);
      // initdb wrote max_connections and shared_buffers into postgresql.conf; the server runs with
      // its own values from the command line, and a reload would log those file values as errors on
      // every start (both need a restart). The command line decides.
      Path conf = dataDir.resolve("pg").resolve("postgresql.conf");
      Files.writeString(
          conf,
          Files.readString(conf).replaceAll("(?m)^(max_connections|shared_buffers)\\b", "#$1"));
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot secure the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  /** Each service's role and database, by the same SQL as {@code db-init} on a real server. */
  void provision(List<String> services, String superPassword) {
    RoleProvisioning roles = new RoleProvisioning(db::connect, SUPERUSER, superPassword, SUPERUSER);
    for (String service : services) {
      try {
        List<String> changes =
            roles.provision(
                new RoleProvisioning.Target(
                    service, service, Secrets.getOrCreate(dataDir, service + "-db-password")));
        if (!changes.isEmpty()) {
          LOG.info("{} database: {}", service, String.join("; ", changes));
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "cannot provision the " + service + " database: " + e.getMessage(), e);
      }
    }
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
