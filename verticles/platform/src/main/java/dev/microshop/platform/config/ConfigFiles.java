package dev.microshop.platform.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where settings files are read from (the config directory, else the copies inside the jar) and how
 * a broken one is reported: by file, line and column.
 */
final class ConfigFiles {
  private static final String BUNDLED = "microshop/config/";

  private ConfigFiles() {}

  /** See {@link Settings#source}. */
  static String source(Map<String, String> env) {
    Path dir = configDir(env);
    if (dir != null) {
      return dir.toAbsolutePath().normalize()
          + (env.containsKey(Settings.CONFIG_DIR_ENV) ? " (" + Settings.CONFIG_DIR_ENV + ")" : "");
    }
    return "the defaults inside the jar (there is no "
        + Path.of("config").toAbsolutePath().normalize()
        + "; "
        + Settings.CONFIG_DIR_ENV
        + " names another)";
  }

  /**
   * The directory settings are read from: {@code MICROSHOP_CONFIG_DIR}, else {@code ./config} when
   * it holds common.json; null means the copies inside the jar.
   */
  private static Path configDir(Map<String, String> env) {
    String dir = env.get(Settings.CONFIG_DIR_ENV);
    if (dir != null) {
      if (!Files.isDirectory(Path.of(dir))) {
        throw new ConfigException(Settings.CONFIG_DIR_ENV, "directory " + dir + " does not exist");
      }
      return Path.of(dir);
    }
    return Files.exists(Path.of("config", "common.json")) ? Path.of("config") : null;
  }

  /** One settings file, checked against the jar's copies; empty where there is none. */
  static JsonObject read(Map<String, String> env, String file) {
    Path dir = configDir(env);
    if (dir == null) {
      JsonObject bundled = bundled(file);
      return bundled == null ? new JsonObject() : bundled;
    }
    Path path = dir.resolve(file);
    return Files.exists(path)
        ? ConfigSchema.checked(file, parseFile(path), path)
        : new JsonObject();
  }

  /**
   * The copy of a config file inside the jar, or null where there is none (a module's own tests).
   */
  static JsonObject bundled(String file) {
    try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(BUNDLED + file)) {
      return in == null ? null : parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(file, "cannot read bundled config: " + e.getMessage());
    }
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
