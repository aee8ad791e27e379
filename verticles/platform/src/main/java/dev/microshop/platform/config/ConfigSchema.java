package dev.microshop.platform.config;

import dev.microshop.contracts.Services;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jar's own copies of the settings files are the schema: a user's file may only set keys they
 * have, to values of the same kind. A misspelt key ({@code pingTimeoutMS}) would otherwise be
 * ignored, leaving the default in force.
 */
final class ConfigSchema {
  private ConfigSchema() {}

  /** Yields {@code json} unchanged, or fails naming the first key that breaks the schema. */
  static JsonObject checked(String file, JsonObject json, Path path) {
    Map<String, Object> known = known(file);
    if (known == null) {
      return json; // no schema on this classpath
    }
    String where = path.toAbsolutePath().normalize().toString();
    for (Map.Entry<String, Object> leaf : Settings.flatten(json).entrySet()) {
      check(leaf.getKey(), leaf.getValue(), known, where);
    }
    return json;
  }

  /** Every key {@code file} may set, with its default: common.json's, and its services' own. */
  private static Map<String, Object> known(String file) {
    JsonObject schema = ConfigFiles.bundled("common.json");
    if (schema == null) {
      return null;
    }
    List<String> owners =
        file.equals("common.json") ? Services.ALL : List.of(file.replace(".json", ""));
    Map<String, Object> known = new LinkedHashMap<>(Settings.flatten(schema));
    for (String owner : owners) {
      JsonObject own = ConfigFiles.bundled(owner + ".json");
      if (own != null) {
        known.putAll(Settings.flatten(own));
      }
    }
    return known;
  }

  private static void check(String key, Object value, Map<String, Object> known, String where) {
    String parent =
        known.keySet().stream().filter(k -> key.startsWith(k + ".")).findFirst().orElse(null);
    if (parent != null) {
      throw new ConfigException(
          parent, "an object is given where " + where + " needs " + kind(known.get(parent)));
    }
    if (!known.containsKey(key)) {
      String near =
          known.keySet().stream()
              .filter(k -> nearlyEqual(k, key))
              .findFirst()
              .map(k -> " (did you mean " + k + "?)")
              .orElse("");
      throw new ConfigException(key, "no such setting in " + where + near);
    }
    if (!sameKind(known.get(key), value)) {
      throw new ConfigException(
          key,
          Json.encode(value)
              + " is "
              + kind(value)
              + " where "
              + where
              + " needs "
              + kind(known.get(key)));
    }
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
}
