package dev.microshop.platform.config;

/**
 * A bad setting found at start: the launcher prints the message (which names the setting) and exits
 * with 2.
 */
public class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public ConfigException(String key, String message) {
    this(key, "bad setting " + key + ": " + message, true);
  }

  private ConfigException(String key, String line, boolean unused) {
    super(line);
    this.key = key;
  }

  /**
   * A start-up refusal caused by the environment rather than a value (a busy port, another
   * installation) whose whole line is given: it still names the setting that would fix it, and
   * still exits with 2.
   */
  public static ConfigException refusal(String key, String line) {
    return new ConfigException(key, line, true);
  }

  public String key() {
    return key;
  }
}
