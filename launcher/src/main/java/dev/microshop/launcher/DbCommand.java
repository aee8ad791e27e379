package dev.microshop.launcher;

import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.DbSettings;
import io.vertx.core.json.JsonObject;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code db <service> [--url]}: how to open a service's own database, from the same settings the
 * service uses (in dev, the embedded server in the data directory and the generated password). It
 * starts nothing.
 */
final class DbCommand {
  private DbCommand() {}

  static int run(Map<String, String> env, String service, boolean urlOnly) {
    JsonObject config = Settings.load(service, env);
    String where;
    if (DbSettings.embedded(config)) {
      Path dataDir = Path.of(config.getString("dataDir")).toAbsolutePath().normalize();
      Optional<EmbeddedDatabase> running = EmbeddedDatabase.attach(dataDir);
      if (running.isEmpty()) {
        System.err.printf(
            "microshop: the embedded PostgreSQL in %s is not running; start it with 'up'%n",
            dataDir);
        return 1;
      }
      running.get().configure(config);
      where = "embedded PostgreSQL in " + dataDir;
    } else {
      where = "external PostgreSQL";
    }
    DbSettings db = DbSettings.from(config);
    String url =
        String.format(
                "postgresql://%s:%s@%s:%d/%s",
                encode(db.user()),
                encode(db.password()),
                db.host(),
                db.port(),
                encode(db.database()))
            // psql speaks libpq's TLS parameters, which are also JDBC's.
            + (db.tls().enabled() ? "?" + db.tls().jdbcParameters() : "");
    if (urlOnly) {
      System.out.println(url);
      return 0;
    }
    JsonObject settings = config.getJsonObject("db");
    String passwordFrom =
        settings.getString("passwordFile", "").isBlank()
            ? "from " + Settings.envName(service, "db.password")
            : "in " + settings.getString("passwordFile");
    System.out.printf(
        """
        %s database: %s, %s:%d
          psql:  psql "$(java -jar %s db %s --url)"
          url:   %s
          jdbc:  %s  (user %s, password %s)
        Only this role can reach this database; other services' data is in their own databases.
        """,
        service,
        where,
        db.host(),
        db.port(),
        jar(),
        service,
        url,
        db.jdbcUrl(),
        db.user(),
        passwordFrom);
    return 0;
  }

  /** This jar as the user would type it: relative to the working directory when it is below it. */
  private static String jar() {
    try {
      Path jar =
          Path.of(DbCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path here = Path.of("").toAbsolutePath();
      return jar.startsWith(here) ? here.relativize(jar).toString() : jar.toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "launcher.jar";
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
