package dev.microshop.platform.config;

import dev.microshop.platform.db.DbSettings;
import dev.microshop.platform.db.DbTls;
import dev.microshop.platform.messaging.OutboxRelay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Checks the effective configuration, so a bad value stops the JVM at start with the key in the
 * message.
 */
public final class SettingsRules {
  private static final Map<String, List<String>> CHOICES =
      Map.of(
          // "" (the default) is json, or text in dev mode: a setting given explicitly always wins.
          "log.format", List.of("", "text", "json"),
          "log.level", List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
          "tracing.exporter", List.of("none", "zipkin", "otlp", "log"),
          "cluster.join", List.of("members", "dns"));

  private SettingsRules() {}

  public static void validate(JsonObject config) {
    for (Map.Entry<String, Object> leaf : Settings.flatten(config).entrySet()) {
      String key = leaf.getKey();
      Object value = leaf.getValue();
      String last = key.substring(key.lastIndexOf('.') + 1);
      // A flag named after a port (http.reusePort) is not a port number; the schema keeps its kind.
      if ((last.equals("port") || last.endsWith("Port")) && !(value instanceof Boolean)) {
        range(key, value, 0, 65_535);
      } else if (last.endsWith("Ms") || last.endsWith("Seconds") || last.endsWith("Size")) {
        range(key, value, 1, Integer.MAX_VALUE);
      }
      List<String> choices = CHOICES.get(key);
      if (choices != null && !choices.contains(String.valueOf(value))) {
        throw new ConfigException(
            key,
            "\""
                + value
                + "\" is not one of "
                + choices.stream().filter(c -> !c.isEmpty()).toList()
                + (choices.contains("") ? " (or \"\" for the default)" : ""));
      }
    }
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    members(cluster.getJsonArray("members", new JsonArray()));
    serviceDns(cluster);
    JsonObject tracing = config.getJsonObject("tracing");
    if (tracing != null && tracing.getValue("sampleRatio") instanceof Number ratio) {
      if (ratio.doubleValue() < 0 || ratio.doubleValue() > 1) {
        throw new ConfigException("tracing.sampleRatio", ratio + " is not between 0 and 1");
      }
    }
    upLogs(config.getJsonObject("up"));
    socketDir(config.getJsonObject("db"));
    if (config.getJsonObject("db") != null) {
      DbTls.from(config.getJsonObject("db"));
    }
    OutboxRelay.validate(config);
  }

  /** Each service's log file under up: a size and a count that keep the disk from filling. */
  private static void upLogs(JsonObject up) {
    if (up == null) {
      return;
    }
    if (up.containsKey("logFileMaxMb")) {
      range("up.logFileMaxMb", up.getValue("logFileMaxMb"), 1, 1024);
    }
    if (up.containsKey("logFilesKept")) {
      range("up.logFilesKept", up.getValue("logFilesKept"), 1, 100);
    }
  }

  private static void socketDir(JsonObject db) {
    String dir = db == null ? "" : db.getString("socketDir", "");
    if (dir.isBlank()) {
      return;
    }
    if (!dir.startsWith("/")) {
      throw new ConfigException(
          "db.socketDir", "\"" + dir + "\" is not an absolute directory (or \"\" for TCP)");
    }
    int port = db.getInteger("port", 5432);
    if (!DbSettings.socketPathFits(dir, port)) {
      throw new ConfigException(
          "db.socketDir",
          "the socket path "
              + DbSettings.socketPath(dir, port)
              + " is longer than the "
              + DbSettings.MAX_SOCKET_PATH
              + " bytes a Unix-domain socket may have");
    }
  }

  /** Joining by DNS needs the name to look up: a blank one would find nobody, silently. */
  private static void serviceDns(JsonObject cluster) {
    if ("dns".equals(cluster.getString("join")) && cluster.getString("serviceDns", "").isBlank()) {
      throw new ConfigException(
          "cluster.serviceDns",
          "is required when cluster.join is dns: the name of the headless Service whose addresses"
              + " are the members (e.g. microshop-cluster.microshop.svc.cluster.local)");
    }
  }

  private static void range(String key, Object value, long min, long max) {
    if (!(value instanceof Number number)) {
      throw new ConfigException(key, "\"" + value + "\" is not an integer");
    }
    long v = number.longValue();
    if (v < min || v > max) {
      throw new ConfigException(key, v + " is out of range " + min + ".." + max);
    }
  }

  private static void members(JsonArray members) {
    for (Object member : members) {
      String text = String.valueOf(member);
      int colon = text.lastIndexOf(':');
      boolean ok = colon > 0 && colon < text.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(text.substring(colon + 1));
          ok = port > 0 && port <= 65_535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new ConfigException(
            "cluster.members", "\"" + text + "\" is not host:port (list each member, no ranges)");
      }
    }
  }
}
