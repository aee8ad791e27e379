package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.ConnectFailure;
import dev.microshop.platform.db.DbTls;
import dev.microshop.platform.db.RoleProvisioning;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code db-init}: makes an external PostgreSQL ready for the services, as {@code up} makes its
 * embedded one: per service a login role and a database only that role may reach, by the same SQL
 * ({@link RoleProvisioning}). Idempotent: it looks before it acts and says what it changed. Then it
 * prints the settings each service starts with. Bad input exits 2 naming the setting; a failure
 * while provisioning exits 1.
 */
final class DbInit {
  /** The name db-init's settings load under: common.json and the environment, no service file. */
  static final String NAME = "db-init";

  /** One service's share of the server: the names from its own settings, its password's file. */
  record Plan(String service, String database, String role, Path passwordFile, boolean given) {}

  private final AdminUrl admin;
  private final String adminPassword;
  private final DbTls tls;

  private DbInit(AdminUrl admin, String adminPassword, DbTls tls) {
    this.admin = admin;
    this.adminPassword = adminPassword;
    this.tls = tls;
  }

  static int run(Map<String, String> env) {
    JsonObject config = Settings.load(NAME, env);
    JsonObject init = config.getJsonObject("dbInit");
    AdminUrl admin = AdminUrl.parse(init.getString("adminUrl"));
    String secrets = init.getString("secretsDir", "");
    Path secretsDir =
        (secrets.isBlank()
                ? Path.of(config.getString("dataDir")).resolve("secrets")
                : Path.of(secrets))
            .toAbsolutePath()
            .normalize();
    List<Plan> plans = plan(env, secretsDir);
    DbInit dbInit = new DbInit(admin, adminPassword(init), DbTls.from(config.getJsonObject("db")));
    return dbInit.provision(plans);
  }

  private int provision(List<Plan> plans) {
    if (!checkAdmin()) {
      return 1;
    }
    say(
        "provisioning %d service databases on PostgreSQL at %s as %s (sslMode %s)",
        plans.size(), admin, admin.user(), tls.mode());
    RoleProvisioning roles =
        new RoleProvisioning(this::connect, admin.user(), adminPassword, admin.database());
    int changes = 0;
    for (Plan plan : plans) {
      List<String> done = new ArrayList<>();
      try {
        String password = password(plan, done);
        done.addAll(
            roles.provision(new RoleProvisioning.Target(plan.database(), plan.role(), password)));
      } catch (ConfigException e) {
        throw e;
      } catch (SQLException | RuntimeException e) {
        System.err.printf("microshop: cannot provision %s: %s%n", plan.service(), e.getMessage());
        return 1;
      }
      changes += done.size();
      System.out.printf(
          "  %-14s %s%n",
          plan.service(), done.isEmpty() ? "already as required" : String.join("; ", done));
    }
    System.out.print(DbInitSummary.text(admin, tls, plans, changes));
    System.out.flush();
    return 0;
  }

  /** The names each service will use (its own settings), and where its password is. */
  static List<Plan> plan(Map<String, String> env, Path secretsDir) {
    List<Plan> plans = new ArrayList<>();
    Map<Path, String> owners = new HashMap<>();
    for (String service : Services.WITH_DATABASE) {
      JsonObject db = Settings.load(service, env).getJsonObject("db");
      String database = identifier(service, db, "name");
      String role = identifier(service, db, "user");
      if (!db.getString("password", "").isEmpty()) {
        throw new ConfigException(
            "db.password",
            "db-init keeps passwords in files: unset "
                + Settings.envName(service, "db.password")
                + " and give "
                + Settings.envName(service, "db.passwordFile")
                + ", or nothing to have one generated");
      }
      String given = db.getString("passwordFile", "");
      Path file =
          given.isBlank()
              ? secretsDir.resolve(service + "-db-password")
              : Path.of(given).toAbsolutePath().normalize();
      String other = owners.putIfAbsent(file, service);
      if (other != null) {
        throw new ConfigException(
            "db.passwordFile",
            other
                + " and "
                + service
                + " would share the password in "
                + file
                + "; give each its own ("
                + Settings.envName(service, "db.passwordFile")
                + ")");
      }
      if (!given.isBlank()) {
        givenPassword(file); // a missing or empty file is bad input, found before any change
      }
      plans.add(new Plan(service, database, role, file, !given.isBlank()));
    }
    return plans;
  }

  private static String identifier(String service, JsonObject db, String field) {
    String name = db.getString(field, "");
    if (!RoleProvisioning.isPlainIdentifier(name)) {
      throw new ConfigException(
          "db." + field,
          "\""
              + name
              + "\" of "
              + service
              + " is not a plain PostgreSQL name (lower-case letters, digits, _)");
    }
    return name;
  }

  /** A given file must hold a password; otherwise one is generated, once, into the secrets dir. */
  private static String password(Plan plan, List<String> done) {
    if (plan.given()) {
      return givenPassword(plan.passwordFile());
    }
    boolean existed = Files.exists(plan.passwordFile());
    String password =
        Secrets.getOrCreateIn(plan.passwordFile().getParent(), plan.service() + "-db-password");
    if (!existed) {
      done.add("generated a password into " + plan.passwordFile());
    }
    return password;
  }

  private static String givenPassword(Path file) {
    try {
      String password = Files.readString(file).trim();
      if (password.isEmpty()) {
        throw new ConfigException("db.passwordFile", file + " is empty");
      }
      return password;
    } catch (IOException e) {
      throw new ConfigException("db.passwordFile", "cannot read " + file + ": " + e);
    }
  }

  private static String adminPassword(JsonObject init) {
    String password = init.getString("adminPassword", "");
    if (!password.isEmpty()) {
      return password;
    }
    String file = init.getString("adminPasswordFile", "");
    if (file.isBlank()) {
      throw new ConfigException(
          "dbInit.adminPasswordFile",
          "not set: give "
              + Settings.envName(null, "dbInit.adminPasswordFile")
              + " (a file holding the password of the admin in "
              + Settings.envName(null, AdminUrl.KEY)
              + ")");
    }
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      throw new ConfigException("dbInit.adminPasswordFile", "cannot read " + file + ": " + e);
    }
  }

  /**
   * Logs in as the admin once, so a bad address, password or certificate is one line and exit 2;
   * false (said why) when the login failed for another reason.
   */
  private boolean checkAdmin() {
    try (Connection c = connect(admin.database(), admin.user(), adminPassword)) {
      if (!c.isValid(10)) {
        System.err.printf("microshop: PostgreSQL at %s does not answer%n", admin);
        return false;
      }
      return true;
    } catch (SQLException e) {
      ConnectFailure failure = ConnectFailure.of(e);
      if (failure == ConnectFailure.OTHER) {
        System.err.printf(
            "microshop: cannot log in to PostgreSQL at %s: %s%n", admin, e.getMessage());
        return false;
      }
      throw refusal(failure, e.getMessage());
    }
  }

  private ConfigException refusal(ConnectFailure failure, String reason) {
    String server = "PostgreSQL at " + admin;
    return switch (failure) {
      case UNREACHABLE ->
          ConfigException.refusal(
              AdminUrl.KEY,
              "cannot reach "
                  + server
                  + " ("
                  + Settings.envName(null, AdminUrl.KEY)
                  + "): "
                  + reason);
      case LOGIN ->
          new ConfigException(
              "dbInit.adminPasswordFile", server + " refused " + admin.user() + ": " + reason);
      case CERTIFICATE ->
          new ConfigException(
              "db.sslCaFile", server + " is not trusted (sslMode " + tls.mode() + "): " + reason);
      case NO_TLS -> new ConfigException("db.sslMode", server + " does not offer TLS: " + reason);
      default -> new ConfigException(AdminUrl.KEY, reason);
    };
  }

  private Connection connect(String database, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "10");
    props.setProperty("ApplicationName", "microshop db-init");
    return DriverManager.getConnection(admin.jdbc(database, tls.jdbcParameters()), props);
  }

  private static void say(String format, Object... args) {
    System.out.println("microshop: " + String.format(format, args));
  }
}
