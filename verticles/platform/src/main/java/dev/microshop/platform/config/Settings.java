package dev.microshop.platform.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.microshop.contracts.Services;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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

  private static final String BUNDLED = "microshop/config/";

  private Settings() {}

  /** Loads, overlays env and validates the configuration of {@code service}. */
  public static JsonObject load(String service, Map<String, String> env) {
    JsonObject merged = read(env, "common.json").mergeIn(read(env, service + ".json"), true);
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
    SettingsRules.validate(merged);
    return merged;
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
      JsonObject merged = read(env, "common.json").mergeIn(read(env, service + ".json"), true);
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
    Path dir = configDir(env);
    if (dir != null) {
      return dir.toAbsolutePath().normalize()
          + (env.containsKey(CONFIG_DIR_ENV) ? " (" + CONFIG_DIR_ENV + ")" : "");
    }
    return "the defaults inside the jar (there is no "
        + Path.of("config").toAbsolutePath().normalize()
        + "; "
        + CONFIG_DIR_ENV
        + " names another)";
  }

  /**
   * The directory settings are read from: {@code MICROSHOP_CONFIG_DIR}, else {@code ./config} when
   * it holds common.json; null means the copies inside the jar.
   */
  private static Path configDir(Map<String, String> env) {
    String dir = env.get(CONFIG_DIR_ENV);
    if (dir != null) {
      if (!Files.isDirectory(Path.of(dir))) {
        throw new ConfigException(CONFIG_DIR_ENV, "directory " + dir + " does not exist");
      }
      return Path.of(dir);
    }
    return Files.exists(Path.of("config", "common.json")) ? Path.of("config") : null;
  }

  private static JsonObject read(Map<String, String> env, String file) {
    Path dir = configDir(env);
    if (dir == null) {
      JsonObject bundled = bundled(file);
      return bundled == null ? new JsonObject() : bundled;
    }
    Path path = dir.resolve(file);
    return Files.exists(path) ? checked(file, parseFile(path), path) : new JsonObject();
  }

  /**
   * The copy of a config file inside the jar, or null where there is none (a module's own tests).
   */
  private static JsonObject bundled(String file) {
    try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(BUNDLED + file)) {
      return in == null ? null : parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read bundled config: " + e.getMessage());
    }
  }

  /**
   * Fails on a key that names no setting, or a value of the wrong kind: the jar's own copies of the
   * files are the schema. A misspelt key ({@code pingTimeoutMS}) would otherwise be ignored,
   * leaving the default in force.
   */
  private static JsonObject checked(String file, JsonObject json, Path path) {
    JsonObject schema = bundled("common.json");
    if (schema == null) {
      return json; // no schema on this classpath
    }
    List<String> owners =
        file.equals("common.json") ? Services.ALL : List.of(file.replace(".json", ""));
    Map<String, Object> known = new LinkedHashMap<>(flatten(schema));
    for (String owner : owners) {
      JsonObject own = bundled(owner + ".json");
      if (own != null) {
        known.putAll(flatten(own));
      }
    }
    for (Map.Entry<String, Object> leaf : flatten(json).entrySet()) {
      String key = leaf.getKey();
      String parent =
          known.keySet().stream().filter(k -> key.startsWith(k + ".")).findFirst().orElse(null);
      if (parent != null) {
        throw new ConfigException(
            parent,
            "an object is given where "
                + path.toAbsolutePath().normalize()
                + " needs "
                + kind(known.get(parent)));
      }
      if (!known.containsKey(key)) {
        String near =
            known.keySet().stream()
                .filter(k -> nearlyEqual(k, key))
                .findFirst()
                .map(k -> " (did you mean " + k + "?)")
                .orElse("");
        throw new ConfigException(
            key, "no such setting in " + path.toAbsolutePath().normalize() + near);
      }
      if (!sameKind(known.get(key), leaf.getValue())) {
        throw new ConfigException(
            key,
            Json.encode(leaf.getValue())
                + " is "
                + kind(leaf.getValue())
                + " where "
                + path.toAbsolutePath().normalize()
                + " needs "
                + kind(known.get(key)));
      }
    }
    return json;
  }

  private static boolean sameKind(Object template, Object value) {
    if (template == null || value == null) {
      return template == value;
    }
    if (template instanceof Number) {
      return value instanceof Number
          && (!(template instanceof Integer || template instanceof Long)
              || !(value instanceof Double));
    }
    return template.getClass() == value.getClass();
  }

  private static String kind(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return "an integer";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "true or false";
    }
    if (value instanceof JsonArray) {
      return "a list";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    return value == null ? "null" : "a string";
  }

  /** Equal but for case, or one edit apart: worth suggesting. */
  private static boolean nearlyEqual(String a, String b) {
    if (a.equalsIgnoreCase(b)) {
      return true;
    }
    if (Math.abs(a.length() - b.length()) > 1) {
      return false;
    }
    int i = 0;
    while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return a.substring(Math.min(i + 1, a.length())).equals(b.substring(Math.min(i + 1, b.length())))
        || a.substring(i).equals(b.substring(Math.min(i + 1, b.length())))
        || a.substring(Math.min(i + 1, a.length())).equals(b.substring(i));
  }

  private static JsonObject parseFile(Path path) {
    try {
      return parse(path.toString(), Files.readString(path));
    } catch (IOException e) {
      throw new ConfigException(path.toString(), "cannot read: " + e.getMessage());
    }
  }

  private static JsonObject parse(String name, String text) {
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      // Jackson's own message ends in "[Source: REDACTED (...)]"; the line and column are what a
      // reader needs.
      if (text.strip().startsWith("[")) {
        throw new ConfigException(
            name, "holds a JSON list; a settings file is one JSON object ({...})");
      }
      if (e.getCause() instanceof JsonProcessingException json && json.getLocation() != null) {
        String reason =
            json.getOriginalMessage()
                .replaceAll("(?s)\\s*\\(?(start marker at )?\\[Source: .*$", "");
        throw new ConfigException(
            name,
            String.format(
                "not valid JSON at line %d, column %d: %s",
                json.getLocation().getLineNr(), json.getLocation().getColumnNr(), reason));
      }
      throw new ConfigException(name, "not valid JSON: " + e.getMessage());
    }
  }
}
