package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.microshop.gateway.PortSharing;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import org.junit.jupiter.api.Test;

/**
 * The gateway's public port before anything starts: free, or held by gateways that share it
 * (SO_REUSEPORT) when this JVM may share it too.
 */
class PreflightTest {

  @Test
  void aPortOtherGatewaysShareIsFreeForAClusteredGatewayThatCanShare() throws Exception {
    assumeThat(PortSharing.unavailable(http(0, true))).as("SO_REUSEPORT usable here").isNull();
    try (ServerSocket holder = listening(true)) {
      assertThatCode(() -> Preflight.gateway(config(holder.getLocalPort(), true), true))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void aPortHeldWithoutSharingIsRefusedInOneLineNamingTheSetting() throws Exception {
    try (ServerSocket holder = listening(false)) {
      int port = holder.getLocalPort();
      assertThatThrownBy(() -> Preflight.gateway(config(port, true), true))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "port "
                  + port
                  + " (http.port of gateway) is in use; set MICROSHOP_GATEWAY_HTTP_PORT");
    }
  }

  @Test
  void upAndAllAndAGatewayWithReusePortOffNeedAFreePort() throws Exception {
    try (ServerSocket holder = listening(true)) {
      int port = holder.getLocalPort();
      String line =
          "port " + port + " (http.port of gateway) is in use; set MICROSHOP_GATEWAY_HTTP_PORT";
      assertThatThrownBy(() -> Preflight.gateway(config(port, true), false)).hasMessage(line);
      assertThatThrownBy(() -> Preflight.gateway(config(port, false), true)).hasMessage(line);
    }
  }

  @Test
  void aBadTrustedProxyIsRefusedBeforeThePortIsLookedAt() {
    JsonObject config = config(0, true);
    config.getJsonObject("http").put("trustedProxies", new JsonArray().add("10.0.0.0/99"));

    assertThatThrownBy(() -> Preflight.gateway(config, true))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting http.trustedProxies: \"10.0.0.0/99\"");
  }

  private static ServerSocket listening(boolean reusePort) throws Exception {
    ServerSocket socket = new ServerSocket();
    if (reusePort) {
      socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    }
    socket.bind(new InetSocketAddress("127.0.0.1", 0));
    return socket;
  }

  private static JsonObject config(int port, boolean reusePort) {
    return new JsonObject()
        .put("http", http(port, reusePort))
        .put("catalog", new JsonObject().put("staleCopies", 10).put("maxStaleSeconds", 60))
        .put(
            "ops",
            new JsonObject()
                .put("pushMs", 1000)
                .put("slowOrderMs", 2000)
                .put("traceUrl", "")
                .put("streams", 20));
  }

  private static JsonObject http(int port, boolean reusePort) {
    return new JsonObject()
        .put("host", "127.0.0.1")
        .put("port", port)
        .put("instances", 1)
        .put("reusePort", reusePort)
        .put("trustedProxies", new JsonArray())
        .put("forwardedHeader", "X-Forwarded-For");
  }
}
