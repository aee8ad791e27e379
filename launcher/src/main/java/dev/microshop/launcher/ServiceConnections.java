package dev.microshop.launcher;

import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.ConnectFailure;
import dev.microshop.platform.db.DbSettings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Read-only JDBC connections to each service's own database as that service's role, resolved as the
 * service and the {@code db} command resolve them: in dev the embedded server running on the data
 * directory (never started here), otherwise the service's {@code db.*} settings.
 */
final class ServiceConnections {
  private final Map<String, String> env;

  ServiceConnections(Map<String, String> env) {
    this.env = env;
  }

  /** Where the databases are, for the table's heading. */
  String where(String service) {
    JsonObject config = Settings.load(service, env);
    return DbSettings.embedded(config)
        ? "the embedded PostgreSQL in " + dataDir(config)
        : "PostgreSQL at " + DbSettings.from(config).host() + ":" + DbSettings.from(config).port();
  }

  /**
   * A connection to {@code service}'s database; a setting that keeps it from opening is a {@link
   * ConfigException} naming that setting.
   */
  Connection open(String service) {
    JsonObject config = Settings.load(service, env);
    if (DbSettings.embedded(config)) {
      Path dataDir = dataDir(config);
      Optional<EmbeddedDatabase> running = EmbeddedDatabase.attach(dataDir);
      if (running.isEmpty()) {
        throw ConfigException.refusal(
            "dataDir",
            "the embedded PostgreSQL in "
                + dataDir
                + " is not running: start it with 'up', point dataDir (MICROSHOP_DATA_DIR) at a"
                + " running one, or give db.host");
      }
      running.get().configure(config);
    }
    DbSettings db = DbSettings.from(config);
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    props.setProperty("connectTimeout", "10");
    props.setProperty("ApplicationName", "microshop-verify");
    try {
      Connection connection = DriverManager.getConnection(db.jdbcUrl(), props);
      connection.setReadOnly(true);
      return connection;
    } catch (SQLException e) {
      throw refusal(service, db, e);
    }
  }

  private static Path dataDir(JsonObject config) {
    return Path.of(config.getString("dataDir")).toAbsolutePath().normalize();
  }

  private static ConfigException refusal(String service, DbSettings db, SQLException e) {
    String setting =
        switch (ConnectFailure.of(e)) {
          case LOGIN -> "db.password";
          case CERTIFICATE -> "db.sslCaFile";
          case NO_TLS -> "db.sslMode";
          case NO_DATABASE -> "db.name";
          case UNREACHABLE -> "db.host";
          default -> "db.user";
        };
    return new ConfigException(
        setting,
        service
            + " database "
            + db.database()
            + " at "
            + db.host()
            + ":"
            + db.port()
            + " as "
            + db.user()
            + ": "
            + e.getMessage());
  }
}
