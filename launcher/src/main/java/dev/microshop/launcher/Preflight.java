package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Checks made before anything starts, so a predictable failure costs one line instead of half a
 * minute.
 */
final class Preflight {
  private Preflight() {}

  /**
   * The gateway's public port must be free: found later, it surfaces as a bind error without the
   * port, after every other service has started (and logged Hazelcast's view of the one that died).
   */
  static void gatewayPortFree(JsonObject gatewayConfig) {
    JsonObject http = gatewayConfig.getJsonObject("http");
    int port = http.getInteger("port");
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(
          true); // as Vert.x binds: a port whose old connections linger in TIME_WAIT is free
      probe.bind(new InetSocketAddress(http.getString("host"), port));
    } catch (IOException e) {
      throw ConfigException.refusal(
          "http.port",
          String.format(
              "port %d (http.port of gateway) is in use; set %s",
              port, Settings.envName(Services.GATEWAY, "http.port")));
    }
  }
}
