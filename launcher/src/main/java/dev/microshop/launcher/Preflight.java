package dev.microshop.launcher;

import dev.microshop.gateway.GatewayVerticle;
import dev.microshop.gateway.PortSharing;
import dev.microshop.payments.PaymentsVerticle;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;

/**
 * Checks made before anything starts, so a predictable failure costs one line instead of half a
 * minute.
 */
final class Preflight {
  private Preflight() {}

  /**
   * The gateway's settings must be sound and its public port free: found later, a busy port
   * surfaces as a bind error after every other service has started (and logged Hazelcast's view of
   * the one that died). With {@code mayShare} (a clustered gateway JVM), a port held by other
   * gateways with SO_REUSEPORT counts as free when this JVM can share it too; {@code up} and {@code
   * all} start the only gateway of their installation, so for them the port must be free.
   */
  static void gateway(JsonObject gatewayConfig, boolean mayShare) {
    GatewayVerticle.checkSettings(gatewayConfig);
    JsonObject http = gatewayConfig.getJsonObject("http");
    int port = http.getInteger("port");
    if (port == 0) {
      return;
    }
    String unshared = mayShare ? PortSharing.unavailable(http) : null;
    try (ServerSocket probe = new ServerSocket()) {
      // As Vert.x binds: a port whose old connections linger in TIME_WAIT is free.
      probe.setReuseAddress(true);
      if (mayShare && unshared == null) {
        probe.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      probe.bind(new InetSocketAddress(http.getString("host"), port));
    } catch (IOException e) {
      throw PortSharing.busy(http, unshared);
    }
  }

  /** With {@code up.tracing}, Zipkin's port must be free before anything starts. */
  static void zipkin(JsonObject up) {
    if (!up.getBoolean("tracing")) {
      return;
    }
    int port = up.getInteger("zipkinPort");
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw ConfigException.refusal(
          "up.zipkinPort",
          "port "
              + port
              + " (up.zipkinPort, for Zipkin) is in use; set MICROSHOP_UP_ZIPKIN_PORT to a free"
              + " one");
    }
  }

  /** The payments settings the service reads only once deployed (wallet, provider). */
  static void payments(JsonObject paymentsConfig) {
    PaymentsVerticle.checkSettings(paymentsConfig);
  }
}
