package dev.microshop.gateway;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import java.util.Locale;

/**
 * Several gateway JVMs on one host on one public port ({@code http.reusePort}, SO_REUSEPORT): the
 * kernel spreads new connections among them, so another gateway can be started, or one restarted,
 * while the others serve. Linux only, and only on Vert.x's native transport: NIO does not set the
 * option, and elsewhere the option does not spread connections. A JVM that cannot share is refused
 * with one line naming the port and why, never with a bind stack trace.
 */
public final class PortSharing {
  private static final boolean LINUX =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

  private PortSharing() {}

  /**
   * Why a gateway started in this JVM could not share its port, or null when it can: asked before
   * Vert.x starts, of the native transport Vert.x will prefer.
   */
  public static String unavailable(JsonObject http) {
    Transport transport = Transport.nativeTransport();
    boolean available = transport != null && transport.available();
    return why(http, available, transport == null ? null : transport.unavailabilityCause());
  }

  /** The same, of a running Vert.x and the transport it did pick. */
  static String unavailable(JsonObject http, Vertx vertx) {
    return why(http, vertx.isNativeTransportEnabled(), vertx.unavailableNativeTransportCause());
  }

  private static String why(JsonObject http, boolean nativeTransport, Throwable cause) {
    if (!http.getBoolean("reusePort")) {
      return "http.reusePort is false";
    }
    if (!LINUX) {
      return "sharing a port (http.reusePort) needs Linux";
    }
    if (!nativeTransport) {
      return "sharing a port (http.reusePort) needs Vert.x's native epoll transport, unavailable"
          + " here: "
          + (cause == null ? "no native transport on this platform" : cause.getMessage());
    }
    return null;
  }

  /**
   * The refusal of a port in use: {@code whyNot} says why this JVM could not share it (null: it
   * tried, and the holder does not share).
   */
  public static ConfigException busy(JsonObject http, String whyNot) {
    int port = http.getInteger("port");
    String reason =
        whyNot == null || !http.getBoolean("reusePort")
            ? ""
            : ", and this JVM cannot share it: " + whyNot;
    return ConfigException.refusal(
        "http.port",
        String.format(
            "port %d (http.port of gateway) is in use%s; set %s",
            port, reason, Settings.envName(Services.GATEWAY, "http.port")));
  }

  /** The refusal of a listen that failed after the preflight check passed (a race, a bad host). */
  static ConfigException cannotListen(JsonObject http, String whyNot, Throwable failure) {
    String cause = String.valueOf(failure.getMessage());
    if (cause.contains("in use")) {
      return busy(http, whyNot);
    }
    return ConfigException.refusal(
        "http.port",
        String.format(
            "cannot listen on %s:%d (http.host, http.port of gateway): %s",
            http.getString("host"), http.getInteger("port"), cause));
  }
}
