package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.StandaloneServer;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An external PostgreSQL made ready by {@code db-init} (a real process, a real server that knows
 * nothing of microshop beforehand), then a service started against it by its environment alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbInitIT {
  private static StandaloneServer server;
  private static Path secrets;

  @BeforeAll
  static void startServer() {
    server = StandaloneServer.start();
    secrets = server.dir().resolve("operator-secrets");
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** What an operator exports before db-init: the admin login and where passwords go. */
  static Map<String, String> dbInitEnv(StandaloneServer server, Path secrets) {
    Map<String, String> env = new HashMap<>();
    env.put("MICROSHOP_CONFIG_DIR", TestEnv.repoRoot().resolve("config").toString());
    env.put("MICROSHOP_DB_INIT_ADMIN_URL", server.adminUrl());
    env.put("MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE", server.adminPasswordFile().toString());
    env.put("MICROSHOP_DB_INIT_SECRETS_DIR", secrets.toString());
    return env;
  }

  static ServiceProcess dbInit(Map<String, String> env) {
    ServiceProcess process = ServiceProcess.start(env, "db-init");
    process.awaitExit(Duration.ofSeconds(60));
    return process;
  }

  @Test
  @Order(1) // the others run db-init too: this one sees a server that never had it
  void createsEachServicesRoleAndDatabaseOnceAndASecondRunChangesNothing() throws Exception {
    ServiceProcess first = dbInit(dbInitEnv(server, secrets));
    assertThat(first.awaitExit(Duration.ofSeconds(1))).as(first.output()).isZero();
    ServiceProcess second = dbInit(dbInitEnv(server, secrets));

    assertThat(second.awaitExit(Duration.ofSeconds(1))).as(second.output()).isZero();
    assertThat(second.output())
        .contains("microshop: nothing changed: every role and database was already as required")
        .contains("MICROSHOP_DB_HOST=127.0.0.1 MICROSHOP_DB_PORT=" + server.port())
        .contains("MICROSHOP_ORDERS_DB_PASSWORD_FILE=" + secrets.resolve("orders-db-password"))
        .doesNotContain("created");
    for (String service : Services.WITH_DATABASE) {
      assertThat(second.output()).contains(String.format("  %-14s already as required", service));
      assertThat(first.output()).contains("created role " + service, "created database " + service);
      assertThat(Files.getPosixFilePermissions(secrets.resolve(service + "-db-password")))
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
      assertThat(
              server.value(
                  "postgres",
                  "SELECT has_database_privilege('public', '" + service + "', 'CONNECT')"))
          .as("PUBLIC may connect to %s", service)
          .isEqualTo(false);
      assertThat(server.value(service, "SELECT has_schema_privilege('public', 'public', 'CREATE')"))
          .as("PUBLIC may create in %s", service)
          .isEqualTo(false);
    }
    for (String role : Services.WITH_DATABASE) {
      for (String database : Services.WITH_DATABASE) {
        if (role.equals(database)) {
          login(role, database).close();
        } else {
          assertThatThrownBy(() -> login(role, database).close())
              .as("%s connecting to %s", role, database)
              .isInstanceOf(SQLException.class)
              .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
      }
    }
  }

  @Test
  void putsBackWhatSomeoneLoosenedAndSaysSo() {
    dbInit(dbInitEnv(server, secrets));
    server.execute(
        "GRANT CONNECT ON DATABASE payments TO PUBLIC",
        "ALTER ROLE inventory CREATEDB",
        "ALTER ROLE orders PASSWORD 'changed-by-hand'");

    ServiceProcess again = dbInit(dbInitEnv(server, secrets));

    assertThat(again.awaitExit(Duration.ofSeconds(1))).as(again.output()).isZero();
    assertThat(again.output())
        .contains("revoked CONNECT on payments from PUBLIC")
        .contains("made role inventory a plain login")
        .contains("set the password of role orders")
        .contains("3 changes made");
    assertThat(dbInit(dbInitEnv(server, secrets)).output()).contains("nothing changed");
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    Map<String, String> noUrl = dbInitEnv(server, secrets);
    noUrl.remove("MICROSHOP_DB_INIT_ADMIN_URL");
    assertRefused(
        noUrl, "microshop: bad setting dbInit.adminUrl: not set: give MICROSHOP_DB_INIT_ADMIN_URL");

    Map<String, String> wrongPassword = dbInitEnv(server, secrets);
    Path wrong = server.dir().resolve("wrong-password");
    writeQuietly(wrong, "not-the-password");
    wrongPassword.put("MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE", wrong.toString());
    assertRefused(
        wrongPassword,
        "microshop: bad setting dbInit.adminPasswordFile: PostgreSQL at 127.0.0.1:"
            + server.port()
            + " refused postgres");

    Map<String, String> nobody = dbInitEnv(server, secrets);
    nobody.put("MICROSHOP_DB_INIT_ADMIN_URL", "postgresql://postgres@127.0.0.1:1/postgres");
    assertRefused(nobody, "microshop: cannot reach PostgreSQL at 127.0.0.1:1");

    Map<String, String> badMode = dbInitEnv(server, secrets);
    badMode.put("MICROSHOP_DB_SSL_MODE", "verify");
    assertRefused(badMode, "microshop: bad setting db.sslMode: \"verify\" is not one of");
  }

  @Test
  void aServiceStartsAgainstItByEnvironmentAloneAndMigratesItsSchema() throws Exception {
    dbInit(dbInitEnv(server, secrets));
    Map<String, String> env = serviceEnv(server, secrets, Services.PAYMENTS);
    try (ServiceProcess payments = ServiceProcess.start(env, Services.PAYMENTS)) {
      payments.awaitReady(Duration.ofSeconds(120));

      try (Connection c = login(Services.PAYMENTS, Services.PAYMENTS)) {
        var rs =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success");
        rs.next();
        assertThat(rs.getInt(1)).as("payments migrations applied").isPositive();
      }
      assertThat(Files.exists(server.dir().resolve("payments-data").resolve("pg")))
          .as("no embedded database started")
          .isFalse();
    }
  }

  /** A service's environment outside dev mode: cluster certificates, the server, its password. */
  static Map<String, String> serviceEnv(StandaloneServer server, Path secrets, String service) {
    Path tls = DevTls.ensure(server.dir().resolve("cluster"), Set.of(service), "127.0.0.1");
    Map<String, String> env =
        new HashMap<>(
            TestEnv.in(server.dir().resolve(service + "-data")).without("MICROSHOP_DEV").env());
    env.put("MICROSHOP_DB_HOST", "127.0.0.1");
    env.put("MICROSHOP_DB_PORT", Integer.toString(server.port()));
    env.put(
        Settings.envName(service, "db.passwordFile"),
        secrets.resolve(service + "-db-password").toString());
    env.put("MICROSHOP_CLUSTER_TLS_CA_FILE", tls.resolve("ca.pem").toString());
    env.put("MICROSHOP_CLUSTER_TLS_CERT_FILE", tls.resolve(service + ".pem").toString());
    env.put("MICROSHOP_CLUSTER_TLS_KEY_FILE", tls.resolve(service + "-key.pem").toString());
    return env;
  }

  private static Connection login(String role, String database) throws Exception {
    return Db.connect(
        Db.url(server.port(), database),
        role,
        Files.readString(secrets.resolve(role + "-db-password")).trim());
  }

  @Test
  void twoInstancesStartingAtOnceOnAnEmptyDatabaseBothComeUpAndMigrateItOnce() throws Exception {
    dbInit(dbInitEnv(server, secrets));
    Map<String, String> env = serviceEnv(server, secrets, Services.NOTIFICATIONS);
    // Nothing else in this class starts notifications: its database has no tables yet.
    try (ServiceProcess first = ServiceProcess.start(env, Services.NOTIFICATIONS);
        ServiceProcess second = ServiceProcess.start(env, Services.NOTIFICATIONS)) {
      first.awaitReady(Duration.ofSeconds(120));
      second.awaitReady(Duration.ofSeconds(120));

      try (Connection c = login(Services.NOTIFICATIONS, Services.NOTIFICATIONS)) {
        for (String history : List.of("platform_schema_history", "flyway_schema_history")) {
          var rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(*), count(DISTINCT version), bool_and(success) FROM "
                          + history);
          rs.next();
          assertThat(rs.getInt(1)).as("%s rows", history).isPositive();
          assertThat(rs.getInt(2)).as("%s: each version once", history).isEqualTo(rs.getInt(1));
          assertThat(rs.getBoolean(3)).as("%s all succeeded", history).isTrue();
        }
      }
      // One instance migrated; the other waited its turn and found the schema current.
      assertThat(List.of(first.output(), second.output()))
          .filteredOn(o -> o.contains("notifications schema migrated from version"))
          .hasSize(1);
    }
  }

  private static void assertRefused(Map<String, String> env, String line) {
    ServiceProcess process = dbInit(env);
    assertThat(process.awaitExit(Duration.ofSeconds(1))).as(process.output()).isEqualTo(2);
    assertThat(process.lines()).hasSize(1);
    assertThat(process.lines().get(0)).startsWith(line);
  }

  private static void writeQuietly(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
