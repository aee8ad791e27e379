package dev.microshop.platform.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The effective configuration of one service: {@code config/common.json}, then {@code
 * config/<service>.json}, then environment variables. Every key can be overridden: key {@code
 * a.bC.d} of service {@code s} is read from {@code MICROSHOP_S_A_B_C_D} first, then {@code
 * MICROSHOP_A_B_C_D}. The value is parsed as the type of the default, so a typo fails here, at
 * start, naming the key.
 */
public final class Settings {
  public static final String ENV_PREFIX = "MICROSHOP_";

  /**
   * Directory holding common.json and the service files; defaults to ./config, else the copy in the
   * jar.
   */
  public static final String CONFIG_DIR_ENV = "MICROSHOP_CONFIG_DIR";

  private Settings() {}

  /** Loads, overlays env and validates the configuration of {@code service}. */
  public static JsonObject load(String service, Map<String, String> env) {
    JsonObject merged =
        ConfigFiles.read(env, "common.json")
            .mergeIn(ConfigFiles.read(env, service + ".json"), true);
    merged.put("service", service);
    for (Map.Entry<String, Object> leaf : flatten(merged).entrySet()) {
      String key = leaf.getKey();
      String raw = env.get(envName(service, key));
      String from = envName(service, key);
      if (raw == null) {
        raw = env.get(envName(null, key));
        from = envName(null, key);
      }
      if (raw != null && !key.equals("service")) {
        put(merged, key, parse(key, from, raw, leaf.getValue()));
      }
    }
    if (merged.getBoolean("dev", false)) {
      devMode(merged, env);
    }
    SettingsRules.validate(merged);
    return merged;
  }

  private static final String SAMPLE_RATIO = "tracing.sampleRatio";

  /**
   * Turns dev mode on in a loaded {@code config} with its defaults: every trace is recorded, unless
   * the environment gives {@code tracing.sampleRatio} (as a benchmark of the default sampling under
   * {@code up} does).
   */
  public static JsonObject devMode(JsonObject config, Map<String, String> env) {
    config.put("dev", true);
    String service = config.getString("service");
    if (!env.containsKey(envName(service, SAMPLE_RATIO))
        && !env.containsKey(envName(null, SAMPLE_RATIO))) {
      put(config, SAMPLE_RATIO, 1.0);
    }
    return config;
  }

  /**
   * Fails on a {@code MICROSHOP_*} variable that names no setting of any service, so a misspelt
   * override is an error rather than silently ignored.
   */
  public static void rejectUnknownEnv(
      Map<String, String> env, Iterable<String> services, Set<String> extra) {
    Set<String> known = new TreeSet<>(extra);
    known.add(CONFIG_DIR_ENV);
    for (String service : services) {
      JsonObject merged =
          ConfigFiles.read(env, "common.json")
              .mergeIn(ConfigFiles.read(env, service + ".json"), true);
      for (String key : flatten(merged).keySet()) {
        known.add(envName(null, key));
        known.add(envName(service, key));
      }
    }
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith(ENV_PREFIX) && !known.contains(name)) {
        throw new ConfigException(name, "no such setting (see --help for the list)");
      }
    }
  }

  /** {@code db.poolSize} of service orders → {@code MICROSHOP_ORDERS_DB_POOL_SIZE}. */
  public static String envName(String service, String key) {
    StringBuilder name = new StringBuilder(ENV_PREFIX);
    if (service != null) {
      name.append(service.toUpperCase()).append('_');
    }
    for (char c : key.toCharArray()) {
      if (c == '.') {
        name.append('_');
      } else if (Character.isUpperCase(c)) {
        name.append('_').append(c);
      } else {
        name.append(Character.toUpperCase(c));
      }
    }
    return name.toString();
  }

  /** Every leaf of a config as dotted key → value, in file order. */
  public static Map<String, Object> flatten(JsonObject json) {
    Map<String, Object> out = new LinkedHashMap<>();
    flatten("", json, out);
    return out;
  }

  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    for (String field : json.fieldNames()) {
      Object value = json.getValue(field);
      if (value instanceof JsonObject nested) {
        flatten(prefix + field + ".", nested, out);
      } else {
        out.put(prefix + field, value);
      }
    }
  }

  private static Object parse(String key, String from, String raw, Object template) {
    String value = raw.trim();
    String where = from + "=\"" + raw + "\"";
    if (template instanceof Integer || template instanceof Long) {
      try {
        long parsed = Long.parseLong(value);
        if (template instanceof Integer
            && (parsed < Integer.MIN_VALUE || parsed > Integer.MAX_VALUE)) {
          throw new ConfigException(key, where + " is out of range");
        }
        return template instanceof Integer ? (Object) (int) parsed : (Object) parsed;
      } catch (NumberFormatException e) {
        throw new ConfigException(key, where + " is not an integer");
      }
    }
    if (template instanceof Number) {
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, where + " is not a number");
      }
    }
    if (template instanceof Boolean) {
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(value);
      }
      throw new ConfigException(key, where + " must be true or false");
    }
    if (template instanceof JsonArray) {
      JsonArray items = new JsonArray();
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
      return items;
    }
    return value;
  }

  private static void put(JsonObject root, String key, Object value) {
    String[] path = key.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = node.getJsonObject(path[i]);
    }
    node.put(path[path.length - 1], value);
  }

  /**
   * Where the settings come from, for the first line a JVM prints: the answer to "which config/ is
   * this?".
   */
  public static String source(Map<String, String> env) {
    return ConfigFiles.source(env);
  }
}
