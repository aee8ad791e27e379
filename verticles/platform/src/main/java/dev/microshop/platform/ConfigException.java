package dev.microshop.platform;

/** A bad setting found at start: the launcher prints the message (which names the setting) and exits with 2. */
public class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super("bad setting " + key + ": " + message);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
