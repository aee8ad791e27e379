package dev.microshop.platform.db;

import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a service's own database is and how it logs in. The password comes from env or a file,
 * never a repo. {@code socketDir}, when not blank, is the directory of the server's Unix-domain
 * socket on this machine: the service's connection pool goes through it (see {@link Database});
 * migrations still use host and port. {@code tls} is how both reach a server over the network.
 */
public record DbSettings(
    String host,
    int port,
    String socketDir,
    String database,
    String user,
    String password,
    int poolSize,
    DbTls tls) {
  /**
   * The longest socket path the kernel accepts (sun_path is 108 bytes, with its terminating NUL).
   */
  public static final int MAX_SOCKET_PATH = 107;

  /** Without TLS, as to the embedded server. */
  public DbSettings(
      String host,
      int port,
      String socketDir,
      String database,
      String user,
      String password,
      int poolSize) {
    this(host, port, socketDir, database, user, password, poolSize, DbTls.DISABLED);
  }

  /** True when no external database is configured: the launcher provides the embedded one. */
  public static boolean embedded(JsonObject config) {
    return config.getJsonObject("db").getString("host", "").isBlank();
  }

  public static DbSettings from(JsonObject config) {
    JsonObject db = config.getJsonObject("db");
    String service = config.getString("service");
    String database = db.getString("name");
    String user = db.getString("user");
    if (database == null || database.isBlank()) {
      throw new ConfigException("db.name", "not set for " + service);
    }
    if (user == null || user.isBlank()) {
      throw new ConfigException("db.user", "not set for " + service);
    }
    return new DbSettings(
        db.getString("host"),
        db.getInteger("port"),
        db.getString("socketDir", ""),
        database,
        user,
        password(service, db),
        db.getInteger("poolSize"),
        DbTls.from(db));
  }

  /** The socket file PostgreSQL listens on in {@code dir} for {@code port}. */
  public static String socketPath(String dir, int port) {
    return dir + "/.s.PGSQL." + port;
  }

  /** The kernel's limit is in bytes, not characters. */
  public static boolean socketPathFits(String dir, int port) {
    return socketPath(dir, port).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        <= MAX_SOCKET_PATH;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?" + tls.jdbcParameters();
  }

  private static String password(String service, JsonObject db) {
    String password = db.getString("password", "");
    if (!password.isEmpty()) {
      return password;
    }
    String file = db.getString("passwordFile", "");
    if (file.isBlank()) {
      throw new ConfigException(
          "db.password",
          "not set: give "
              + Settings.envName(service, "db.password")
              + " or "
              + Settings.envName(service, "db.passwordFile"));
    }
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      throw new ConfigException("db.passwordFile", "cannot read " + file + ": " + e.getMessage());
    }
  }
}
