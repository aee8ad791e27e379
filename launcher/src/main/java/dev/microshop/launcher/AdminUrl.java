package dev.microshop.launcher;

import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code dbInit.adminUrl}: where {@code db-init} logs in to create the service roles and databases,
 * in libpq's form {@code postgresql://user@host[:port][/database]}. The password is not part of it
 * (it would sit in the environment and in shell history): it comes from {@code
 * dbInit.adminPasswordFile}. TLS is set by {@code db.sslMode}, as for the services.
 */
record AdminUrl(String host, int port, String user, String database) {
  static final String KEY = "dbInit.adminUrl";

  static AdminUrl parse(String text) {
    if (text == null || text.isBlank()) {
      throw bad(
          "not set: give "
              + Settings.envName(null, KEY)
              + ", e.g. postgresql://postgres@db.internal:5432/postgres");
    }
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw bad("\"" + text + "\" is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw bad("\"" + text + "\" must start with postgresql://");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw bad("\"" + text + "\" names no host");
    }
    String userInfo = uri.getUserInfo();
    if (userInfo == null || userInfo.isBlank()) {
      throw bad("\"" + text + "\" names no user (postgresql://USER@host/...)");
    }
    if (userInfo.contains(":")) {
      throw bad(
          "holds a password; put it in a file named by "
              + Settings.envName(null, "dbInit.adminPasswordFile"));
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw bad(
          "\"" + text + "\" has parameters; TLS is set by db.sslMode and db.sslCaFile instead");
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (path.contains("/")) {
      throw bad("\"" + text + "\" has more than a database name after the host");
    }
    String host = uri.getHost().replaceAll("^\\[|\\]$", "");
    return new AdminUrl(
        host,
        uri.getPort() == -1 ? 5432 : uri.getPort(),
        userInfo,
        path.isEmpty() ? "postgres" : path);
  }

  /** A JDBC URL of {@code db} on this server. */
  String jdbc(String db, String parameters) {
    String where = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + where + ":" + port + "/" + db + "?" + parameters;
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }

  private static ConfigException bad(String message) {
    return new ConfigException(KEY, message);
  }
}
