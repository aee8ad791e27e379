package dev.microshop.platform.service;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The management port of one JVM: a stable default per service (in {@code config/<service>.json},
 * {@code config/all.json} for the monolith), so a scraper finds it, overridable by {@code
 * management.port}; 0 means any free port. A taken port stops the JVM at start with a line that
 * names the setting and how to change it.
 */
public final class ManagementPort {
  public static final String KEY = "management.port";

  private ManagementPort() {}

  /** The configured port of {@code config} (a service's or a node's effective settings). */
  public static int of(JsonObject config) {
    return config.getJsonObject("management").getInteger("port");
  }

  public static String host(JsonObject config) {
    return config.getJsonObject("management").getString("host");
  }

  /**
   * Fails with the line {@link #busy} gives when the configured port is taken; port 0 always
   * passes. Checked before the cluster join, so a taken port costs one line instead of seconds.
   */
  public static void requireFree(JsonObject config) {
    int port = of(config);
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      // As Vert.x binds: connections of a previous instance lingering in TIME_WAIT do not count.
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host(config), port));
    } catch (IOException e) {
      throw busy(config);
    }
  }

  /** True when {@code failure} of binding the management server means the port is taken. */
  public static boolean isBusy(Throwable failure) {
    return failure instanceof BindException
        || String.valueOf(failure.getMessage()).contains("Address already in use");
  }

  /** The refusal for a taken port: the setting, the address, and how to choose another. */
  public static ConfigException busy(JsonObject config) {
    String service = config.getString("service", "");
    return ConfigException.refusal(
        KEY,
        "management port "
            + host(config)
            + ":"
            + of(config)
            + " ("
            + KEY
            + " of "
            + (service.isEmpty() ? "this JVM" : service)
            + ") is already in use; stop what holds it, or set "
            + variable(service)
            + " to a free port (0 = any free port, which a scraper cannot predict)");
  }

  /**
   * The variable that sets {@code service}'s management port alone; the monolith ("all") has none
   * of its own (the launcher accepts {@code MICROSHOP_<SERVICE>_*} for services only).
   */
  public static String variable(String service) {
    return Services.ALL.contains(service)
        ? Settings.envName(service, KEY)
        : Settings.envName(null, KEY);
  }
}
