package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.DbSettings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment of one child JVM of {@code up}: what the JVM needs to run, and that service's own
 * settings and secrets. Not up's whole environment: a service reads neither another service's
 * database password nor the signing key, and none gets the PostgreSQL superuser's password, which
 * only up uses (to provision the roles).
 */
final class ChildEnvironment {
  /** Not settings: what a JVM needs to find itself, its home and its locale. */
  private static final Set<String> SYSTEM =
      Set.of(
          "PATH",
          "HOME",
          "USER",
          "LOGNAME",
          "LANG",
          "LANGUAGE",
          "TZ",
          "TMPDIR",
          "JAVA_HOME",
          "JAVA_TOOL_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "_JAVA_OPTIONS");

  /**
   * Secret settings and the services that own them. The database settings are in common.json, so
   * every service has them; only a service with a database gets a password.
   */
  private static final Map<String, List<String>> SECRETS =
      Map.of(
          "db.password", Services.WITH_DATABASE,
          "db.passwordFile", Services.WITH_DATABASE,
          "auth.signingKey", List.of(Services.USERS),
          "auth.signingKeyFile", List.of(Services.USERS),
          "admin.password", List.of(Services.USERS),
          "admin.passwordFile", List.of(Services.USERS),
          // db-init's admin login is for the operator's shell, never a service.
          "dbInit.adminPassword", List.of(),
          "dbInit.adminPasswordFile", List.of());

  private ChildEnvironment() {}

  /**
   * The child's environment: the system variables of {@code parent}, {@code MICROSHOP_CONFIG_DIR},
   * and for each of the service's setting {@code keys} its {@code MICROSHOP_<SERVICE>_*} and {@code
   * MICROSHOP_*} variables (a secret only to its owners); then {@code provided}, which wins.
   */
  static Map<String, String> of(
      String service, Set<String> keys, Map<String, String> parent, Map<String, String> provided) {
    Map<String, String> child = new TreeMap<>();
    parent.forEach(
        (name, value) -> {
          if (SYSTEM.contains(name) || name.startsWith("LC_")) {
            child.put(name, value);
          }
        });
    copy(parent, child, Settings.CONFIG_DIR_ENV);
    for (String key : keys) {
      List<String> owners = SECRETS.get(key);
      if (!key.equals("service") && (owners == null || owners.contains(service))) {
        copy(parent, child, Settings.envName(service, key));
        copy(parent, child, Settings.envName(null, key));
      }
    }
    child.putAll(provided);
    return child;
  }

  /**
   * What up tells a child about the resources it made for it: where its database role connects
   * (with the file of that role's password only), and its own cluster certificate, so the child
   * never opens the CA's key nor the server's superuser account.
   */
  static Map<String, String> provided(
      String service, Map<String, String> parent, EmbeddedDatabase db, Path dataDir) {
    JsonObject config = Settings.load(service, parent);
    Map<String, String> out = new LinkedHashMap<>();
    if (Services.WITH_DATABASE.contains(service) && DbSettings.embedded(config)) {
      JsonObject own = db.configure(config.copy()).getJsonObject("db");
      for (String field : List.of("host", "port", "socketDir", "passwordFile")) {
        String value = String.valueOf(own.getValue(field, ""));
        if (!value.isBlank()) {
          out.put(Settings.envName(service, "db." + field), value);
        }
      }
    }
    JsonObject bound = DevTls.bind(config, dataDir, service);
    if (bound != config) {
      JsonObject tls = bound.getJsonObject("cluster").getJsonObject("tls");
      for (String field : List.of("caFile", "certFile", "keyFile")) {
        out.put(Settings.envName(service, "cluster.tls." + field), tls.getString(field));
      }
    }
    return out;
  }

  /** The names of {@code service}'s settings, for {@link #of}. */
  static Set<String> keys(String service, Map<String, String> parent) {
    return Settings.flatten(Settings.load(service, parent)).keySet();
  }

  private static void copy(Map<String, String> from, Map<String, String> to, String name) {
    String value = from.get(name);
    if (value != null) {
      to.put(name, value);
    }
  }
}
